"""Issue 15 item 8: a credential of another kind answers 401 naming the credential the route
takes, recognised by shape and header only; nothing is written."""

import pytest
from sqlalchemy import func, select

from likepion.backlink.models import Request
from likepion.core.db import db
from likepion.credits.models import LedgerEntry
from likepion.shortener.models import ShortUrl
from tests.factories import make_server

JWT_NOT_KEY = "This route takes a JWT from /api/v1/auth/login, not an API key."
KEY_NOT_JWT = (
    "This route takes the account's API key (GET /api/v1/auth/me or /api/account, or the "
    "dashboard), not a JWT."
)
SERVER_KEY = "a worker server key (X-API-Key, from `flask servers create`)"


def counts(app):
    with app.app_context():
        return [
            db.session.scalar(select(func.count()).select_from(model))
            for model in (Request, LedgerEntry, ShortUrl)
        ]


@pytest.fixture
def server(app):
    return make_server(app, "server-01")


def test_an_api_key_on_jwt_routes_says_the_route_takes_a_jwt(app, client, user):
    before = counts(app)
    for key_header in (f"Bearer {user.api_key}", f"Token {user.api_key}", user.api_key):
        created = client.post(
            "/api/v1/backlink/entity",
            json={"name": "A", "auction_price": 10, "target": 2},
            headers={"Authorization": key_header},
        )
        assert created.status_code == 401, key_header
        assert created.json == {
            "success": False,
            "error": "wrong_credential",
            "message": JWT_NOT_KEY,
            "details": {},
        }
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {user.api_key}"})
    refresh = client.post(
        "/api/v1/auth/refresh", headers={"Authorization": f"Bearer {user.api_key}"}
    )
    assert (me.status_code, me.json["message"]) == (401, JWT_NOT_KEY)
    assert refresh.status_code == 401
    assert refresh.json["message"] == (
        "This route takes the refresh JWT from /api/v1/auth/login, not an API key."
    )
    assert counts(app) == before


def test_a_jwt_on_shortener_routes_says_the_route_takes_the_api_key(app, client, user, jwt_headers):
    before = counts(app)
    added = client.post(
        "/api/url/add", json={"url": "https://example.com/a"}, headers=jwt_headers(user)
    )
    account = client.get("/api/account", headers=jwt_headers(user))

    assert added.status_code == account.status_code == 401
    assert added.json == {"error": 1, "message": KEY_NOT_JWT}
    assert account.json["message"] == KEY_NOT_JWT
    assert counts(app) == before


def test_server_key_on_user_routes_and_user_credentials_on_worker_routes(
    app, client, user, jwt_headers, server
):
    before = counts(app)
    on_backlink = client.get("/api/v1/backlink/credits", headers=server.headers)
    on_shortener = client.post(
        "/api/url/add", json={"url": "https://example.com/a"}, headers=server.headers
    )
    jwt_on_worker = client.get("/api/v1/entity/links", headers=jwt_headers(user))
    key_on_worker = client.get(
        "/api/v1/entity/links", headers={"Authorization": f"Bearer {user.api_key}"}
    )
    jwt_as_server_key = client.get(
        "/api/v1/entity/links",
        headers={"X-API-Key": jwt_headers(user)["Authorization"].split()[1]},
    )

    assert on_backlink.status_code == 401 and on_backlink.json["error"] == "wrong_credential"
    assert on_backlink.json["message"] == (
        "This route takes a JWT from /api/v1/auth/login (Authorization: Bearer <token>), "
        "not a worker server key (X-API-Key)."
    )
    assert on_shortener.status_code == 401
    assert on_shortener.json["message"] == (
        "This route takes the account's API key in Authorization: Bearer <key> (GET "
        "/api/v1/auth/me or /api/account, or the dashboard), not a worker server key (X-API-Key)."
    )
    assert (
        jwt_on_worker.json["message"]
        == f"This route takes {SERVER_KEY}, not a JWT in Authorization."
    )
    assert key_on_worker.json["message"] == (
        f"This route takes {SERVER_KEY}, not a user's API key in Authorization."
    )
    assert jwt_as_server_key.json["message"] == f"This route takes {SERVER_KEY}, not a JWT."
    for answer in (jwt_on_worker, key_on_worker, jwt_as_server_key):
        assert answer.status_code == 401 and answer.json["error"] == "wrong_credential"
    assert counts(app) == before


def test_unknown_credentials_of_the_right_kind_keep_the_plain_answer(client, app):
    """Shape only: a well-formed but unknown key or token says nothing more than before."""
    made_up_key = "A" * 43
    shortener = client.get("/api/account", headers={"Authorization": f"Bearer {made_up_key}"})
    worker = client.get("/api/v1/entity/links", headers={"X-API-Key": made_up_key})
    backlink = client.get("/api/v1/backlink/credits", headers={"Authorization": "Bearer a.b.c"})

    assert shortener.json["message"] == (
        "A valid API key is required (Authorization: Bearer <API key>)."
    )
    assert worker.json["error"] == "unauthorized"
    assert worker.json["message"] == "A valid worker server key is required (X-API-Key)."
    assert backlink.status_code == 401 and backlink.json["error"] == "invalid_token"


def test_right_credentials_still_pass_when_another_header_is_also_sent(
    client, user, jwt_headers, server
):
    both = jwt_headers(user) | server.headers
    assert client.get("/api/v1/backlink/credits", headers=both).status_code == 200
    key_and_server = {"Authorization": f"Bearer {user.api_key}"} | server.headers
    assert client.get("/api/account", headers=key_and_server).status_code == 200
    assert (
        client.get("/api/v1/entity/links", headers=server.headers | jwt_headers(user)).status_code
        == 200
    )
