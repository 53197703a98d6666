"""Admin endpoints (seed 004, "Plans" and "Users"): `GET /api/plans`,
`PUT /api/plan/:planid/user/:userid`, `GET /api/users`, `GET /api/user/:id`, `POST /api/user/add`,
`DELETE /api/user/:id/delete`, `GET /api/user/login/:id` and the one-time login link it makes."""

import hashlib
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from likepion.auth import passwords
from likepion.auth import services as auth_services
from likepion.auth.models import SsoToken, User
from likepion.core.db import db
from likepion.core.time import as_utc, plain, utcnow
from likepion.shortener import admin as admin_services
from likepion.shortener import limits
from likepion.shortener.models import ChannelItem, Click, QrCode, ShortUrl, short_url_pixels
from tests.helpers import MISSING_ID, assert_error, load_row, seed_plans_answer

USER_FIELDS = {
    "id", "email", "username", "avatar", "status", "planid", "expires", "registered", "apikey",
}  # fmt: skip
# Seed 004's `GET /api/plans` answer.
SEED_PLANS = {"error": 0, "data": seed_plans_answer()}
SEED_NEW_USER = {
    "username": "user",
    "password": "1234567891011",
    "email": "demo@yourwebsite.com",
    "planid": 1,
    "expiration": "2020-11-20 11:00:00",
}


def users_state(app) -> list[tuple]:
    """Every user row's plan, expiry, deletion and email, plus the SSO token count."""
    with app.app_context():
        rows = db.session.execute(
            select(User.id, User.email, User.plan_id, User.plan_expires, User.deleted_at)
        ).all()
        tokens = db.session.scalar(select(func.count()).select_from(SsoToken))
        return [tuple(row) for row in rows] + [("sso_tokens", tokens)]


def login(client, login, password):
    return client.post("/api/v1/auth/login", json={"login": login, "password": password})


def sso_token(client, headers, user_id) -> str:
    response = client.get(f"/api/user/login/{user_id}", headers=headers)
    assert response.status_code == 200, response.json
    return response.json["url"].rsplit("/", 1)[1]


@pytest.fixture
def frozen_now(monkeypatch):
    """The admin services' clock, fixed at a whole second."""
    now = utcnow().replace(microsecond=0)
    monkeypatch.setattr(admin_services, "utcnow", lambda: now)
    return now


# --- plans ------------------------------------------------------------------------------------
def test_list_plans_is_the_seeds_answer(client, admin, api_key_headers):
    response = client.get("/api/plans", headers=api_key_headers(admin))

    assert response.status_code == 200
    assert response.json == SEED_PLANS


@pytest.mark.parametrize(("term", "days"), [("monthly", 30), ("yearly", 365), ("lifetime", None)])
def test_subscribe_sets_the_plan_for_the_term(app, client, user, admin, api_key_headers,
                                              frozen_now, term, days):  # fmt: skip
    response = client.put(
        f"/api/plan/2/user/{user.id}", json={"type": term}, headers=api_key_headers(admin)
    )

    assert response.status_code == 200
    assert response.json == {"error": 0, "message": "User has been subscribed to this plan."}
    row = load_row(app, User, user.id)
    expires = frozen_now + timedelta(days=days) if days else None
    assert row.plan_id == 2
    assert (row.plan_expires and as_utc(row.plan_expires)) == expires
    account = client.get("/api/account", headers=api_key_headers(user)).json["data"]
    assert (account["status"], account["expires"]) == ("pro", plain(expires) or "")


def test_subscribe_with_an_expiration_date(app, client, user, admin, api_key_headers):
    body = {"type": "monthly", "expiration": "2099-05-29 09:18:33"}

    response = client.put(f"/api/plan/2/user/{user.id}", json=body, headers=api_key_headers(admin))

    assert response.status_code == 200
    assert plain(load_row(app, User, user.id).plan_expires) == "2099-05-29 09:18:33"
    account = client.get("/api/account", headers=api_key_headers(user)).json["data"]
    assert (account["status"], account["expires"]) == ("pro", "2099-05-29 09:18:33")


def test_subscribe_to_the_free_plan_has_no_expiry(app, client, user, admin, api_key_headers):
    headers = api_key_headers(admin)
    client.put(f"/api/plan/2/user/{user.id}", json={"type": "yearly"}, headers=headers)

    response = client.put(f"/api/plan/1/user/{user.id}", json={"type": "yearly"}, headers=headers)

    assert response.status_code == 200
    row = load_row(app, User, user.id)
    assert (row.plan_id, row.plan_expires) == (1, None)
    assert client.get("/api/account", headers=api_key_headers(user)).json["data"]["status"] == (
        "free"
    )


def test_subscribe_bad_input_changes_nothing(app, client, user, admin, api_key_headers):
    headers = api_key_headers(admin)
    before = users_state(app)
    cases = [
        (f"/api/plan/2/user/{user.id}", {}, 400),
        (f"/api/plan/2/user/{user.id}", {"type": "weekly"}, 400),
        (f"/api/plan/2/user/{user.id}", {"type": "monthly", "expiration": "2099-05-29"}, 400),
        (f"/api/plan/{MISSING_ID}/user/{user.id}", {"type": "monthly"}, 404),
        (f"/api/plan/2/user/{MISSING_ID}", {"type": "monthly"}, 404),
    ]
    for path, body, status in cases:
        assert_error(client.put(path, json=body, headers=headers), status)
    assert users_state(app) == before


# --- users ------------------------------------------------------------------------------------
def test_list_users_has_the_seed_shape(app, client, user, admin, api_key_headers):
    client.put(f"/api/plan/2/user/{user.id}", json={"type": "monthly"},
               headers=api_key_headers(admin))  # fmt: skip

    response = client.get("/api/users", headers=api_key_headers(admin))

    assert response.status_code == 200
    body = response.json
    assert set(body) == {"error", "data"} and body["error"] == 0
    assert [item["id"] for item in body["data"]] == [admin.id, user.id]
    assert all(set(item) == USER_FIELDS for item in body["data"])
    alice = body["data"][1]
    row = load_row(app, User, user.id)
    assert (alice["email"], alice["username"], alice["apikey"]) == (
        "alice@example.com", "alice", user.api_key,
    )  # fmt: skip
    assert (alice["status"], alice["planid"], alice["expires"]) == (
        "pro", 2, plain(row.plan_expires),
    )  # fmt: skip
    assert alice["registered"] == plain(row.created_at)
    assert alice["avatar"].startswith("https://")


def test_list_users_filters_and_searches(client, user, other_user, admin, api_key_headers):
    headers = api_key_headers(admin)
    client.put(f"/api/plan/2/user/{user.id}", json={"type": "monthly"}, headers=headers)

    def ids(query):
        response = client.get(f"/api/users?{query}", headers=headers)
        assert response.status_code == 200, response.json
        return [item["id"] for item in response.json["data"]]

    assert ids("filter=admin") == [admin.id]
    assert ids("filter=pro") == [user.id]
    assert ids("filter=free") == [admin.id, other_user.id]
    assert ids("email=BOB@") == [other_user.id]
    assert ids("filter=free&email=example.com") == [admin.id, other_user.id]
    assert ids("email=nobody") == []
    assert ids("limit=1&page=2") == [other_user.id]


def test_list_users_bad_query_is_400(client, admin, api_key_headers):
    for query in ("filter=banned", "limit=0", "page=0", "limit=1001", "email=" + "a" * 255):
        assert_error(client.get(f"/api/users?{query}", headers=api_key_headers(admin)), 400)


def test_get_user_has_the_seed_shape(app, client, user, admin, api_key_headers):
    response = client.get(f"/api/user/{user.id}", headers=api_key_headers(admin))

    assert response.status_code == 200
    body = response.json
    assert set(body) == {"error", "data"} and body["error"] == 0
    assert set(body["data"]) == USER_FIELDS
    row = load_row(app, User, user.id)
    assert body["data"] | {"avatar": None} == {
        "id": user.id,
        "email": "alice@example.com",
        "username": "alice",
        "avatar": None,
        "status": "free",
        "planid": 1,
        "expires": None,
        "registered": plain(row.created_at),
        "apikey": user.api_key,
    }


def test_add_user_with_the_seed_body(app, client, admin, api_key_headers):
    response = client.post("/api/user/add", json=SEED_NEW_USER, headers=api_key_headers(admin))

    assert response.status_code == 200
    body = response.json
    assert set(body) == {"error", "message", "data"}
    assert (body["error"], body["message"]) == (0, "User has been registered.")
    assert set(body["data"]) == {"id", "email", "username"}
    assert body["data"]["email"] == "demo@yourwebsite.com"
    assert body["data"]["username"] == "user"
    row = load_row(app, User, body["data"]["id"])
    assert (row.email, row.username, row.plan_id, row.is_admin) == (
        "demo@yourwebsite.com", "user", 1, False,
    )  # fmt: skip
    assert plain(row.plan_expires) == "2020-11-20 11:00:00"
    with app.app_context():
        assert passwords.verify_password(row.password_hash, "1234567891011")
    assert login(client, "demo@yourwebsite.com", "1234567891011").status_code == 200


def test_added_user_on_a_paid_plan_is_pro(client, admin, api_key_headers):
    body = SEED_NEW_USER | {"planid": 2, "expiration": "2099-01-01 00:00:00"}
    new_id = client.post("/api/user/add", json=body, headers=api_key_headers(admin)).json["data"]
    key = client.get(f"/api/user/{new_id['id']}", headers=api_key_headers(admin)).json["data"]

    account = client.get("/api/account", headers={"Authorization": f"Bearer {key['apikey']}"})

    assert account.status_code == 200
    assert account.json["data"]["status"] == "pro"
    assert account.json["data"]["expires"] == "2099-01-01 00:00:00"


def test_added_user_without_a_plan_is_on_the_free_plan(app, client, admin, api_key_headers):
    body = {"username": "newbie", "email": "newbie@example.com", "password": "12345"}

    response = client.post("/api/user/add", json=body, headers=api_key_headers(admin))

    assert response.status_code == 200
    row = load_row(app, User, response.json["data"]["id"])
    with app.app_context():
        assert (limits.user_plan(row).id, row.plan_expires) == (1, None)
    assert login(client, "newbie", "12345").status_code == 200


def test_add_user_bad_input_writes_nothing(app, client, user, admin, api_key_headers):
    good = {"username": "newbie", "email": "newbie@example.com", "password": "12345"}
    cases = [
        ({"email": "newbie@example.com", "password": "12345"}, 400),
        ({"username": "newbie", "password": "12345"}, 400),
        ({"username": "newbie", "email": "newbie@example.com"}, 400),
        (good | {"password": "1234"}, 400),
        (good | {"email": "not-an-email"}, 400),
        (good | {"username": "no spaces"}, 400),
        (good | {"planid": "business"}, 400),
        (good | {"expiration": "2020-11-20"}, 400),
        (good | {"email": "alice@example.com"}, 409),
        (good | {"username": "ALICE"}, 409),
        (good | {"planid": MISSING_ID}, 404),
    ]
    before = users_state(app)
    for body, status in cases:
        response = client.post("/api/user/add", json=body, headers=api_key_headers(admin))
        assert_error(response, status)
    assert users_state(app) == before


def test_delete_user_closes_the_account(app, client, user, other_user, admin, api_key_headers):
    headers = api_key_headers(user)
    link = client.post("/api/url/add", json={"url": "https://example.com/a"}, headers=headers)
    client.post("/api/qr/add", json={"type": "text", "data": "hi"}, headers=headers)
    kept = client.post(
        "/api/url/add", json={"url": "https://example.com/b"}, headers=api_key_headers(other_user)
    )
    assert link.status_code == kept.status_code == 200

    response = client.delete(f"/api/user/{user.id}/delete", headers=api_key_headers(admin))

    assert response.status_code == 200
    assert response.json == {"error": 0, "message": "User has been deleted."}
    assert_error(client.get("/api/account", headers=headers), 401)
    assert login(client, "alice@example.com", user.password).status_code == 401
    assert_error(client.get(f"/api/user/{user.id}", headers=api_key_headers(admin)), 404)
    with app.app_context():
        owners = db.session.scalars(select(ShortUrl.user_id)).all()
        assert owners == [other_user.id]
        assert db.session.scalar(select(func.count()).select_from(QrCode)) == 0
        assert db.session.get(User, user.id).deleted_at is not None


def test_delete_user_removes_every_shortener_object(app, client, power_user, admin,
                                                    api_key_headers):  # fmt: skip
    headers = api_key_headers(power_user)

    def add(path, body):
        response = client.post(path, json=body, headers=headers)
        assert response.status_code == 200, response.json
        return response.json["id"]

    add("/api/domain/add", {"domain": "https://go.example.com"})
    pixel = add("/api/pixel/add", {"type": "gapixel", "name": "GA", "tag": "UA-1"})
    channel = add("/api/channel/add", {"name": "Spring"})
    campaign = add("/api/campaign/add", {"name": "Launch"})
    splash = add("/api/splash/add", {"name": "Wait", "link": "https://example.com/ad"})
    overlay = add("/api/overlay/add", {"type": "message", "name": "Hi"})
    link = add(
        "/api/url/add",
        {
            "url": "https://example.com/a",
            "domain": "https://go.example.com",
            "type": f"splash-{splash}",
            "pixels": [pixel],
            "channel": channel,
            "campaign": campaign,
        },
    )
    add("/api/url/add", {"url": "https://example.com/b", "type": f"overlay-{overlay}"})
    qr = add("/api/qr/add", {"type": "text", "data": "hi"})
    assigned = client.post(f"/api/channel/{channel}/assign/qr/{qr}", headers=headers)
    assert assigned.status_code == 200, assigned.json
    with app.app_context():
        db.session.add_all([Click(short_url_id=link), Click(qr_code_id=qr)])
        db.session.commit()

    response = client.delete(f"/api/user/{power_user.id}/delete", headers=api_key_headers(admin))

    assert response.status_code == 200
    with app.app_context():
        for model in admin_services.USER_OBJECTS + (ChannelItem, Click):
            assert db.session.scalar(select(func.count()).select_from(model)) == 0, model
        assert db.session.execute(select(func.count()).select_from(short_url_pixels)).scalar() == 0


def test_admin_cannot_delete_themselves(app, client, admin, api_key_headers):
    before = users_state(app)

    response = client.delete(f"/api/user/{admin.id}/delete", headers=api_key_headers(admin))

    assert_error(response, 403)
    assert users_state(app) == before
    assert client.get("/api/plans", headers=api_key_headers(admin)).status_code == 200


def test_deleted_user_answers_like_a_missing_one(app, client, user, admin, api_key_headers):
    headers = api_key_headers(admin)
    client.delete(f"/api/user/{user.id}/delete", headers=headers)
    before = users_state(app)
    requests = [
        ("get", "/api/user/{}", None),
        ("put", "/api/plan/2/user/{}", {"type": "monthly"}),
        ("delete", "/api/user/{}/delete", None),
        ("get", "/api/user/login/{}", None),
    ]
    for method, path, body in requests:
        call = getattr(client, method)
        deleted = call(path.format(user.id), json=body, headers=headers)
        missing = call(path.format(MISSING_ID), json=body, headers=headers)
        assert_error(deleted, 404)
        assert (missing.status_code, missing.json) == (deleted.status_code, deleted.json)
    assert users_state(app) == before
    assert user.id not in [
        item["id"] for item in client.get("/api/users", headers=headers).json["data"]
    ]


# --- non-admins -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/api/plans", None),
        ("put", "/api/plan/2/user/{me}", {"type": "lifetime"}),
        ("put", "/api/plan/2/user/{me}", {"type": "forever"}),
        ("get", "/api/users", None),
        ("get", "/api/users?filter=banned", None),
        ("get", "/api/user/{admin}", None),
        ("get", "/api/user/{missing}", None),
        (
            "post",
            "/api/user/add",
            {"username": "x1x", "email": "x@example.com", "password": "12345"},
        ),
        ("post", "/api/user/add", {"username": "x1x"}),
        ("delete", "/api/user/{other}/delete", None),
        ("get", "/api/user/login/{admin}", None),
    ],
)
def test_admin_endpoints_refuse_non_admins(app, client, user, other_user, admin, api_key_headers,
                                           method, path, body):  # fmt: skip
    path = path.format(me=user.id, admin=admin.id, other=other_user.id, missing=MISSING_ID)
    before = users_state(app)

    response = getattr(client, method)(path, json=body, headers=api_key_headers(user))

    assert_error(response, 403)
    assert users_state(app) == before


# --- one-time login links ---------------------------------------------------------------------
def test_login_url_signs_the_user_in_once(app, client, user, admin, api_key_headers):
    response = client.get(f"/api/user/login/{user.id}", headers=api_key_headers(admin))

    assert response.status_code == 200
    assert set(response.json) == {"error", "url"} and response.json["error"] == 0
    match = re.fullmatch(
        r"http://localhost/user/login/sso/([A-Za-z0-9_-]{32,})", response.json["url"]
    )
    assert match
    sso = client.get(f"/user/login/sso/{match.group(1)}")
    assert sso.status_code == 200
    tokens = sso.json["data"]
    assert set(tokens) == {"access_token", "refresh_token", "token_type", "expires_in"}
    me = client.get(
        "/api/v1/auth/me", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )
    assert me.status_code == 200 and me.json["data"]["numeric_id"] == user.id
    refreshed = client.post(
        "/api/v1/auth/refresh", headers={"Authorization": f"Bearer {tokens['refresh_token']}"}
    )
    assert refreshed.status_code == 200
    again = client.get(f"/user/login/sso/{match.group(1)}")
    assert again.status_code == 404 and again.json["success"] is False


def test_login_token_is_stored_only_as_its_sha256(app, client, user, admin, api_key_headers,
                                                  monkeypatch):  # fmt: skip
    now = utcnow()
    monkeypatch.setattr(auth_services, "utcnow", lambda: now)
    token = sso_token(client, api_key_headers(admin), user.id)

    with app.app_context():
        row = db.session.scalar(select(SsoToken))
        assert row.user_id == user.id and row.used_at is None
        assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert all(token not in str(value) for value in vars(row).values())
        assert as_utc(row.expires_at) == now + timedelta(minutes=60)


@pytest.mark.parametrize(("minutes", "status"), [(59, 200), (61, 404)])
def test_login_link_is_valid_for_an_hour(app, client, user, admin, api_key_headers, monkeypatch,
                                         minutes, status):  # fmt: skip
    now = utcnow()
    monkeypatch.setattr(auth_services, "utcnow", lambda: now)
    token = sso_token(client, api_key_headers(admin), user.id)

    monkeypatch.setattr(auth_services, "utcnow", lambda: now + timedelta(minutes=minutes))
    response = client.get(f"/user/login/sso/{token}")

    assert response.status_code == status
    with app.app_context():
        used = db.session.scalar(select(SsoToken.used_at))
        assert (used is not None) == (status == 200)


def test_login_link_of_a_user_deleted_meanwhile_is_refused(client, user, admin, api_key_headers):
    token = sso_token(client, api_key_headers(admin), user.id)
    client.delete(f"/api/user/{user.id}/delete", headers=api_key_headers(admin))

    assert client.get(f"/user/login/sso/{token}").status_code == 404


def test_unknown_login_token_is_404(client, user, admin, api_key_headers):
    sso_token(client, api_key_headers(admin), user.id)

    response = client.get("/user/login/sso/ikaqasqstjjnimicthxchbqflygruaat")

    assert response.status_code == 404
    assert response.json["error"] == "not_found"
