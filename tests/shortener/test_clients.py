"""What GemPixel's third-party clients send and read (issue 12): the auth schemes, the fields
they send (and unknown ones, ignored in this family only), form and untyped bodies, the legacy
endpoints of GemPixel's PHP wrapper, `campaign` on links and `expires` on the account."""

import pytest

from likepion.auth.models import User
from likepion.backlink.models import Group
from likepion.core.db import db
from likepion.shortener.models import Pixel, ShortUrl
from tests.factories import make_request, make_server
from tests.helpers import MISSING_ID, count_rows, load_row
from tests.shortener.conftest import put_on_plan


def add_campaign(client, headers, name="Spring") -> int:
    response = client.post("/api/campaign/add", json={"name": name}, headers=headers)
    assert response.status_code == 200, response.json
    return response.json["id"]


# --- 1. Auth schemes ---------------------------------------------------------------------------
@pytest.mark.parametrize("scheme", ["Bearer {}", "Token {}", "{}", "bearer  {} ", "TOKEN {}"])
def test_bearer_token_and_bare_keys_all_authenticate(client, user, scheme):
    response = client.get("/api/account", headers={"Authorization": scheme.format(user.api_key)})

    assert response.status_code == 200, response.json
    assert response.json["data"]["id"] == user.id


@pytest.mark.parametrize(
    "header",
    ["Bearer {}x", "Token {}x", "{}x", "Basic {}", "Token", "Bearer", "", "Token  "],
)
def test_a_wrong_key_in_any_scheme_is_401(app, client, user, header):
    response = client.post(
        "/api/url/add",
        json={"url": "https://example.com/"},
        headers={"Authorization": header.format(user.api_key)},
    )

    assert response.status_code == 401
    assert response.json["error"] == 1
    assert "API key" in response.json["message"]
    assert count_rows(app, ShortUrl) == 0


def test_token_and_bare_keys_share_the_callers_rate_limit(app, client, user):
    app.config["SHORTENER_RATE_LIMIT"] = "2 per minute"
    for header in (f"Token {user.api_key}", user.api_key):
        assert client.get("/api/account", headers={"Authorization": header}).status_code == 200

    response = client.get("/api/account", headers={"Authorization": f"Bearer {user.api_key}"})

    assert response.status_code == 429


# --- 2. Fields real clients send ---------------------------------------------------------------
def test_link_stores_and_returns_description_metaimage_status_and_campaign(
    app, client, power_user, api_key_headers
):
    headers = api_key_headers(power_user)
    campaign = add_campaign(client, headers)
    response = client.post(
        "/api/url/add",
        json={
            "url": "https://example.com/post",
            "description": "A post from the blog",
            "metaimage": "https://example.com/cover.png",
            "status": "private",
            "campaign": campaign,
        },
        headers=headers,
    )

    assert response.status_code == 200, response.json
    link_id = response.json["id"]
    row = load_row(app, ShortUrl, link_id)
    assert (row.description, row.meta_image, row.status, row.campaign_id) == (
        "A post from the blog",
        "https://example.com/cover.png",
        "private",
        campaign,
    )
    details = client.get(f"/api/url/{link_id}", headers=headers).json["details"]
    assert details["description"] == "A post from the blog"
    assert details["metaimage"] == "https://example.com/cover.png"
    assert (details["status"], details["campaign"]) == ("private", campaign)
    [item] = client.get("/api/urls", headers=headers).json["data"]["urls"]
    assert (item["description"], item["metaimage"]) == (
        "A post from the blog",
        "https://example.com/cover.png",
    )
    assert (item["status"], item["campaign"]) == ("private", campaign)


def test_links_without_campaign_answer_null_and_public(client, user, api_key_headers):
    headers = api_key_headers(user)
    link_id = client.post(
        "/api/url/add", json={"url": "https://example.com/"}, headers=headers
    ).json["id"]

    details = client.get(f"/api/url/{link_id}", headers=headers).json["details"]
    [item] = client.get("/api/urls", headers=headers).json["data"]["urls"]

    for answer in (details, item):
        assert (answer["campaign"], answer["status"], answer["metaimage"]) == (None, "public", None)


def test_update_sets_description_status_metaimage_and_clears_the_campaign(
    app, client, power_user, api_key_headers
):
    headers = api_key_headers(power_user)
    campaign = add_campaign(client, headers)
    link_id = client.post(
        "/api/url/add", json={"url": "https://example.com/", "campaign": campaign}, headers=headers
    ).json["id"]

    response = client.put(
        f"/api/url/{link_id}/update",
        json={
            "description": "Now described",
            "status": "private",
            "metaimage": "http://img.example.com/a.jpg",
            "campaign": None,
        },
        headers=headers,
    )

    assert response.status_code == 200, response.json
    row = load_row(app, ShortUrl, link_id)
    assert (row.description, row.status, row.meta_image, row.campaign_id) == (
        "Now described",
        "private",
        "http://img.example.com/a.jpg",
        None,
    )
    assert client.get("/api/urls", headers=headers).json["data"]["urls"][0]["campaign"] is None


def test_metadescription_wins_over_description(app, client, user, api_key_headers):
    response = client.post(
        "/api/url/add",
        json={"url": "https://example.com/", "description": "note", "metadescription": "meta"},
        headers=api_key_headers(user),
    )

    assert load_row(app, ShortUrl, response.json["id"]).description == "meta"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "secret"}, "status"),
        ({"metaimage": "javascript:alert(1)"}, "metaimage"),
        ({"metaimage": "/relative.png"}, "metaimage"),
        ({"description": "d" * 1001}, "description"),
        ({"description": 5}, "description"),
    ],
)
def test_bad_new_fields_are_400_and_write_nothing(app, client, user, api_key_headers, body, field):
    response = client.post(
        "/api/url/add", json={"url": "https://example.com/"} | body, headers=api_key_headers(user)
    )

    assert response.status_code == 400, response.json
    assert response.json["error"] == 1
    assert field in response.json["message"]
    assert count_rows(app, ShortUrl) == 0


def test_private_links_are_left_out_of_the_public_campaign_list(
    client, power_user, api_key_headers
):
    headers = api_key_headers(power_user)
    campaign = client.post(
        "/api/campaign/add", json={"name": "Open", "slug": "open", "public": True}, headers=headers
    ).json
    for title, status in (("Shown link", "public"), ("Hidden link", "private")):
        body = {"url": "https://example.com/", "campaign": campaign["id"], "status": status}
        client.post("/api/url/add", json=body | {"metatitle": title}, headers=headers)

    page = client.get(campaign["list"].removeprefix("http://localhost")).get_data(as_text=True)

    assert "Shown link" in page
    assert "Hidden link" not in page


# --- 2. Unknown fields: ignored here, refused by the backlink and worker families ------------
def test_unknown_fields_are_ignored_by_url_add_and_change_nothing_else(
    app, client, user, other_user, api_key_headers
):
    response = client.post(
        "/api/url/add",
        json={
            "url": "https://example.com/",
            "user_id": other_user.id,
            "id": 77,
            "clicks": 1000,
            "plugin_version": "2.3",
        },
        headers=api_key_headers(user),
    )

    assert response.status_code == 200, response.json
    row = load_row(app, ShortUrl, response.json["id"])
    assert (row.user_id, row.url) == (user.id, "https://example.com/")
    assert row.id != 77
    assert (
        client.get(f"/api/url/{row.id}", headers=api_key_headers(user)).json["data"]["clicks"] == 0
    )


def test_unknown_fields_never_grant_admin_or_change_a_pixels_type(
    app, client, admin, business_user, api_key_headers
):
    created = client.post(
        "/api/user/add",
        json={"username": "newbie", "email": "n@example.com", "password": "12345", "is_admin": 1},
        headers=api_key_headers(admin),
    )
    pixel = client.post(
        "/api/pixel/add",
        json={"type": "gtmpixel", "name": "P", "tag": "GTM-1"},
        headers=api_key_headers(business_user),
    ).json["id"]
    updated = client.put(
        f"/api/pixel/{pixel}/update",
        json={"tag": "GTM-2", "type": "bing", "user_id": admin.id},
        headers=api_key_headers(business_user),
    )

    assert created.status_code == 200 and updated.status_code == 200
    with app.app_context():
        assert db.session.get(User, created.json["data"]["id"]).is_admin is False
        row = db.session.get(Pixel, pixel)
        assert (row.type, row.tag, row.user_id) == ("gtmpixel", "GTM-2", business_user.id)


def test_backlink_family_still_refuses_unknown_fields(app, client, user, jwt_headers):
    response = client.post(
        "/api/v1/backlink/groups",
        json={"name": "G", "service_type": "entity", "color": "red"},
        headers=jwt_headers(user),
    )

    assert response.status_code == 422
    assert response.json["success"] is False
    assert "color" in str(response.json)
    assert count_rows(app, Group) == 0


def test_worker_family_still_refuses_unknown_fields(app, client, user):
    server = make_server(app, "compat-worker")
    request = make_request(app, user, links=("queued",))
    response = client.post(
        "/api/v1/entity/links/claim",
        json={"link_id": str(request.link_ids[0]), "priority": 10},
        headers=server.headers,
    )

    assert response.status_code == 422
    assert response.json["success"] is False
    assert "priority" in str(response.json)


def test_unknown_query_parameters_are_ignored(client, user, api_key_headers):
    response = client.get("/api/urls?limit=5&sort=asc&_=123", headers=api_key_headers(user))

    assert response.status_code == 200
    assert response.json["data"]["perpage"] == 5


# --- 2. Form-encoded bodies and JSON without a JSON content type --------------------------------
def test_form_encoded_url_add_is_read(app, client, user, api_key_headers):
    response = client.post(
        "/api/url/add",
        data={"url": "https://example.com/form", "description": "From a form", "extra": "x"},
        headers=api_key_headers(user),
    )

    assert response.status_code == 200, response.json
    row = load_row(app, ShortUrl, response.json["id"])
    assert (row.url, row.description, row.user_id) == (
        "https://example.com/form",
        "From a form",
        user.id,
    )


def test_multipart_form_and_untyped_json_bodies_are_read(app, client, user, api_key_headers):
    multipart = client.post(
        "/api/url/add",
        data={"url": "https://example.com/multi"},
        content_type="multipart/form-data",
        headers=api_key_headers(user),
    )
    untyped = client.post(
        "/api/url/add",
        data='{"url": "https://example.com/plain", "metatitle": "Plain"}',
        headers=api_key_headers(user) | {"Content-Type": "text/plain"},
    )
    no_type = client.post(
        "/api/url/add", data=b'{"url": "https://example.com/none"}', headers=api_key_headers(user)
    )

    for response in (multipart, untyped, no_type):
        assert response.status_code == 200, response.json
    assert load_row(app, ShortUrl, multipart.json["id"]).url == "https://example.com/multi"
    assert load_row(app, ShortUrl, untyped.json["id"]).title == "Plain"
    assert load_row(app, ShortUrl, no_type.json["id"]).url == "https://example.com/none"


def test_form_bodies_that_fail_validation_are_400_and_write_nothing(
    app, client, user, api_key_headers
):
    cases = [
        ({"url": "https://example.com/\x00"}, None, "NUL"),
        ({"description": "no url"}, None, "url"),
        (None, "not json at all", "JSON"),
        (None, '{"url": "https://example.com/\\u0000"}', "NUL"),
    ]
    for form, text, words in cases:
        headers = api_key_headers(user)
        if text is not None:
            headers |= {"Content-Type": "text/plain"}
        response = client.post("/api/url/add", data=form or text, headers=headers)
        assert response.status_code == 400, (form, text, response.json)
        assert response.json["error"] == 1
        assert words in response.json["message"], response.json
    assert count_rows(app, ShortUrl) == 0


def test_form_update_changes_only_the_sent_fields(app, client, user, api_key_headers):
    headers = api_key_headers(user)
    link_id = client.post(
        "/api/url/add", json={"url": "https://example.com/", "metatitle": "Kept"}, headers=headers
    ).json["id"]

    response = client.put(
        f"/api/url/{link_id}/update", data={"description": "Changed"}, headers=headers
    )

    assert response.status_code == 200, response.json
    row = load_row(app, ShortUrl, link_id)
    assert (row.title, row.description, row.url) == ("Kept", "Changed", "https://example.com/")


# --- 3. Legacy endpoints of GemPixel's PHP wrapper ---------------------------------------------
def test_legacy_url_stats_answers_as_get_url(client, user, api_key_headers):
    headers = api_key_headers(user)
    link_id = client.post(
        "/api/url/add", json={"url": "https://example.com/s"}, headers=headers
    ).json["id"]

    legacy = client.post("/api/url/stats", json={"urlid": link_id}, headers=headers)

    assert legacy.status_code == 200
    assert legacy.json == client.get(f"/api/url/{link_id}", headers=headers).json
    assert legacy.json["details"]["longurl"] == "https://example.com/s"


def test_legacy_url_stats_of_another_users_or_a_missing_link_is_404(
    client, user, other_user, api_key_headers
):
    theirs = client.post(
        "/api/url/add", json={"url": "https://example.com/"}, headers=api_key_headers(other_user)
    ).json["id"]

    for urlid in (theirs, MISSING_ID):
        response = client.post(
            "/api/url/stats", json={"urlid": urlid}, headers=api_key_headers(user)
        )
        assert response.status_code == 404
        assert response.json == {"error": 1, "message": "Link not found"}
    for body in ({}, {"urlid": "abc"}, {"urlid": 0}, {"urlid": 2**40}):
        response = client.post("/api/url/stats", json=body, headers=api_key_headers(user))
        assert response.status_code == 400, body


def test_legacy_url_get_answers_as_get_urls(client, user, api_key_headers):
    headers = api_key_headers(user)
    for n in range(3):
        client.post("/api/url/add", json={"url": f"https://example.com/{n}"}, headers=headers)

    legacy = client.post(
        "/api/url/get", json={"limit": 2, "page": 2, "order": "date"}, headers=headers
    )

    assert legacy.status_code == 200
    assert legacy.json == client.get("/api/urls?limit=2&page=2&order=date", headers=headers).json
    assert legacy.json["data"]["currentpage"] == 2
    assert [u["longurl"] for u in legacy.json["data"]["urls"]] == ["https://example.com/0"]
    assert client.post("/api/url/get", json={"order": "x"}, headers=headers).status_code == 400


def test_legacy_user_create_and_get_answer_as_user_add_and_get(app, client, admin, api_key_headers):
    headers = api_key_headers(admin)
    body = {"username": "wrapped", "email": "wrapped@example.com", "password": "secret1"}

    created = client.post("/api/user/create", json=body, headers=headers)

    assert created.status_code == 200, created.json
    assert created.json["message"] == "User has been registered."
    new_id = created.json["data"]["id"]
    assert created.json["data"] == {"id": new_id, "email": body["email"], "username": "wrapped"}
    fetched = client.post("/api/user/get", json={"userid": new_id}, headers=headers)
    assert fetched.status_code == 200
    assert fetched.json == client.get(f"/api/user/{new_id}", headers=headers).json
    assert fetched.json["data"]["email"] == "wrapped@example.com"
    with app.app_context():
        assert db.session.get(User, new_id).username == "wrapped"


def test_legacy_user_endpoints_are_admin_only(app, client, user, api_key_headers):
    users_before = count_rows(app, User)
    for path, body in (
        ("/api/user/create", {"username": "x12", "email": "x@example.com", "password": "12345"}),
        ("/api/user/get", {"userid": user.id}),
    ):
        response = client.post(path, json=body, headers=api_key_headers(user))
        assert response.status_code == 403, path
        assert response.json["error"] == 1
    assert count_rows(app, User) == users_before


def test_legacy_endpoints_are_documented_as_deprecated(client):
    paths = client.get("/openapi.json").json["paths"]

    for path in ("/api/url/stats", "/api/url/get", "/api/user/create", "/api/user/get"):
        assert paths[path]["post"]["deprecated"] is True, path


# --- 6. Account expires --------------------------------------------------------------------------
def test_account_expires_is_a_string_for_free_and_paid_plans(app, client, user, api_key_headers):
    free = client.get("/api/account", headers=api_key_headers(user)).json["data"]
    put_on_plan(app, user, "Business")
    with app.app_context():
        row = db.session.get(User, user.id)
        row.plan_expires = row.created_at.replace(year=2099, microsecond=0)
        db.session.commit()
    paid = client.get("/api/account", headers=api_key_headers(user)).json["data"]

    assert (free["status"], free["expires"]) == ("free", "")
    assert paid["status"] == "pro"
    assert paid["expires"].startswith("2099-") and len(paid["expires"]) == 19
