"""Campaigns (seed 004): list, add, assign a link, update, delete; rotator and list URLs."""

from likepion.core.db import db
from likepion.shortener.models import Campaign, ShortUrl
from tests.helpers import (
    add_link,
    assert_bad_paging_refused,
    assert_each_refused,
    check_pages,
    count_rows,
)

CAMPAIGN_KEYS = {"id", "name", "domain", "public", "rotator", "list"}


def add_campaign(client, headers, **body):
    response = client.post("/api/campaign/add", json=body, headers=headers)
    assert response.status_code == 200, response.json
    return response.json["id"]


def campaign_row(app, campaign_id):
    with app.app_context():
        row = db.session.get(Campaign, campaign_id)
        return None if row is None else (row.user_id, row.name, row.slug, row.public)


def link_campaign(app, link_id):
    with app.app_context():
        return db.session.get(ShortUrl, link_id).campaign_id


# --- add --------------------------------------------------------------------------------------
def test_add_campaign_answers_the_seed_shape(app, client, power_user, api_key_headers):
    response = client.post(
        "/api/campaign/add",
        json={"name": "New Campaign", "slug": "new-campaign", "public": True},
        headers=api_key_headers(power_user),
    )

    assert response.status_code == 200
    body = response.json
    assert set(body) == CAMPAIGN_KEYS | {"error"}
    new_id = body["id"]
    assert body == {
        "error": 0,
        "id": new_id,
        "name": "New Campaign",
        "domain": "New Campaign",
        "public": True,
        "rotator": "http://localhost/r/new-campaign",
        "list": f"http://localhost/u/dave/new-campaign-{new_id}",
    }
    assert campaign_row(app, new_id) == (power_user.id, "New Campaign", "new-campaign", True)


def test_campaign_without_slug_has_no_rotator(app, client, power_user, api_key_headers):
    response = client.post(
        "/api/campaign/add", json={"name": "Plain"}, headers=api_key_headers(power_user)
    )

    assert response.status_code == 200
    new_id = response.json["id"]
    assert response.json["rotator"] is False
    assert response.json["public"] is False
    assert response.json["list"] == f"http://localhost/u/dave/list-{new_id}"
    assert campaign_row(app, new_id) == (power_user.id, "Plain", None, False)


def test_campaigns_need_the_bundle_flag(app, client, user, business_user, api_key_headers):
    for who in (user, business_user):
        response = client.post(
            "/api/campaign/add", json={"name": "Nope"}, headers=api_key_headers(who)
        )
        assert response.status_code == 403
        assert response.json == {
            "error": 1,
            "message": "Campaigns are not available on your plan.",
        }
    assert count_rows(app, Campaign) == 0


def test_admins_are_not_held_by_the_bundle_flag(app, client, admin, api_key_headers):
    response = client.post(
        "/api/campaign/add", json={"name": "Ops"}, headers=api_key_headers(admin)
    )

    assert response.status_code == 200
    assert campaign_row(app, response.json["id"]) == (admin.id, "Ops", None, False)


def test_add_campaign_bad_input_writes_nothing(app, client, power_user, api_key_headers):
    headers = api_key_headers(power_user)
    cases = [
        ({"name": ""}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": 5}, "name"),
        ({"name": "ok", "slug": "has space"}, "slug"),
        ({"name": "ok", "slug": "s" * 65}, "slug"),
        ({"name": "ok", "public": "maybe"}, "public"),
    ]
    assert_each_refused(client, "POST", "/api/campaign/add", headers, cases)
    malformed = client.post(
        "/api/campaign/add", data="{bad", headers=headers | {"Content-Type": "application/json"}
    )
    assert malformed.status_code == 400
    assert malformed.json == {"error": 1, "message": "Malformed JSON body."}
    assert count_rows(app, Campaign) == 0


def test_a_slug_is_unique_across_users(app, client, admin, power_user, api_key_headers):
    add_campaign(client, api_key_headers(admin), name="Admin's", slug="promo")

    response = client.post(
        "/api/campaign/add",
        json={"name": "Mine", "slug": "promo"},
        headers=api_key_headers(power_user),
    )

    assert response.status_code == 409
    assert response.json == {"error": 1, "message": "The rotator slug 'promo' is already taken."}
    assert count_rows(app, Campaign) == 1


# --- list -------------------------------------------------------------------------------------
def test_list_campaigns_pages_in_the_seed_envelope(client, power_user, admin, api_key_headers):
    headers = api_key_headers(power_user)
    first = add_campaign(client, headers, name="First")
    second = add_campaign(client, headers, name="Second", slug="second", public=True)
    third = add_campaign(client, headers, name="Third")
    add_campaign(client, api_key_headers(admin), name="Not mine")

    items = check_pages(client, headers, "/api/campaigns", "campaigns", [third, second, first])
    assert all(set(item) == CAMPAIGN_KEYS for item in items)
    assert items[1] == {
        "id": second,
        "name": "Second",
        "domain": "Second",
        "public": True,
        "rotator": "http://localhost/r/second",
        "list": f"http://localhost/u/dave/second-{second}",
    }


def test_list_campaigns_refuses_bad_paging(client, power_user, api_key_headers):
    assert_bad_paging_refused(
        client, api_key_headers(power_user), "/api/campaigns", ("limit=0", "limit")
    )


# --- assign -----------------------------------------------------------------------------------
def test_assign_link_to_campaign(app, client, power_user, api_key_headers):
    headers = api_key_headers(power_user)
    campaign = add_campaign(client, headers, name="Spring")
    link = add_link(client, headers)[0]

    response = client.post(f"/api/campaign/{campaign}/assign/{link}", headers=headers)

    assert response.status_code == 200
    assert response.json == {"error": 0, "message": "Link successfully added to the campaign."}
    assert link_campaign(app, link) == campaign


def test_assign_link_to_another_campaign_moves_it(app, client, power_user, api_key_headers):
    headers = api_key_headers(power_user)
    spring = add_campaign(client, headers, name="Spring")
    summer = add_campaign(client, headers, name="Summer")
    link = add_link(client, headers)[0]
    client.post(f"/api/campaign/{spring}/assign/{link}", headers=headers)

    response = client.post(f"/api/campaign/{summer}/assign/{link}", headers=headers)

    assert response.status_code == 200
    assert link_campaign(app, link) == summer


def test_assign_with_missing_ids_is_404_and_changes_nothing(
    app, client, power_user, api_key_headers
):
    headers = api_key_headers(power_user)
    campaign = add_campaign(client, headers, name="Spring")
    link = add_link(client, headers)[0]
    cases = [
        (f"/api/campaign/{campaign + 100}/assign/{link}", "Campaign not found"),
        (f"/api/campaign/{campaign}/assign/{link + 100}", "Link not found"),
        (f"/api/campaign/abc/assign/{link}", "Not found."),
        (f"/api/campaign/{campaign}/assign/0", "Not found."),
    ]
    for path, message in cases:
        response = client.post(path, headers=headers)
        assert response.status_code == 404, path
        assert response.json == {"error": 1, "message": message}
    assert link_campaign(app, link) is None


# --- update -----------------------------------------------------------------------------------
def test_update_campaign_answers_the_seed_shape(app, client, power_user, api_key_headers):
    headers = api_key_headers(power_user)
    campaign = add_campaign(client, headers, name="Old", slug="old")

    response = client.put(
        f"/api/campaign/{campaign}/update",
        json={"name": "Twitter Campaign", "slug": "twitter-campaign", "public": True},
        headers=headers,
    )

    assert response.status_code == 200
    assert response.json == {
        "error": 0,
        "id": campaign,
        "name": "Twitter Campaign",
        "domain": "Twitter Campaign",
        "public": True,
        "rotator": "http://localhost/r/twitter-campaign",
        "list": f"http://localhost/u/dave/twitter-campaign-{campaign}",
    }
    assert campaign_row(app, campaign) == (
        power_user.id,
        "Twitter Campaign",
        "twitter-campaign",
        True,
    )


def test_update_campaign_keeps_its_own_slug_and_can_drop_it(
    app, client, power_user, api_key_headers
):
    headers = api_key_headers(power_user)
    campaign = add_campaign(client, headers, name="Old", slug="keep")

    same = client.put(
        f"/api/campaign/{campaign}/update",
        json={"name": "Renamed", "slug": "keep"},
        headers=headers,
    )
    dropped = client.put(
        f"/api/campaign/{campaign}/update", json={"name": "Renamed", "slug": None}, headers=headers
    )

    assert same.status_code == 200
    assert same.json["rotator"] == "http://localhost/r/keep"
    assert dropped.status_code == 200
    assert dropped.json["rotator"] is False
    assert campaign_row(app, campaign) == (power_user.id, "Renamed", None, False)


def test_update_campaign_bad_input_changes_nothing(app, client, power_user, admin, api_key_headers):
    headers = api_key_headers(power_user)
    add_campaign(client, api_key_headers(admin), name="Taken", slug="taken")
    campaign = add_campaign(client, headers, name="Old", slug="old")
    cases = [
        ({"slug": "new"}, 400, "name"),
        ({"name": ""}, 400, "name"),
        ({"name": "New", "slug": "no spaces"}, 400, "slug"),
        ({"name": "New", "public": "yes please"}, 400, "public"),
        ({"name": "New", "slug": "taken"}, 409, "taken"),
    ]
    for body, status, word in cases:
        response = client.put(f"/api/campaign/{campaign}/update", json=body, headers=headers)
        assert response.status_code == status, body
        assert response.json["error"] == 1
        assert word in response.json["message"], body
    assert campaign_row(app, campaign) == (power_user.id, "Old", "old", False)


def test_update_missing_campaign_is_404(client, power_user, api_key_headers):
    response = client.put(
        "/api/campaign/999/update", json={"name": "Ghost"}, headers=api_key_headers(power_user)
    )

    assert response.status_code == 404
    assert response.json == {"error": 1, "message": "Campaign not found"}


# --- delete -----------------------------------------------------------------------------------
def test_delete_campaign_keeps_its_links(app, client, power_user, api_key_headers):
    headers = api_key_headers(power_user)
    campaign = add_campaign(client, headers, name="Spring", slug="spring")
    link = add_link(client, headers)[0]
    client.post(f"/api/campaign/{campaign}/assign/{link}", headers=headers)

    response = client.delete(f"/api/campaign/{campaign}/delete", headers=headers)

    assert response.status_code == 200
    assert response.json == {"error": 0, "message": "Campaign has been deleted successfully."}
    assert campaign_row(app, campaign) is None
    assert link_campaign(app, link) is None
    again = client.post(
        "/api/campaign/add", json={"name": "Reuse", "slug": "spring"}, headers=headers
    )
    assert again.status_code == 200


def test_delete_missing_campaign_is_404_and_deletes_nothing(
    app, client, power_user, api_key_headers
):
    headers = api_key_headers(power_user)
    campaign = add_campaign(client, headers, name="Stay")

    for path in (f"/api/campaign/{campaign + 1}/delete", "/api/campaign/x/delete"):
        response = client.delete(path, headers=headers)
        assert response.status_code == 404, path
        assert response.json["error"] == 1
    assert count_rows(app, Campaign) == 1
