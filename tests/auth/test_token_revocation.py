"""A new password needs the current one, and a password change or API-key rotation revokes
every JWT issued before it (issue 11, item 9)."""

import pytest
from sqlalchemy import select

from likepion.auth.models import User
from likepion.core.db import db

NEW_PASSWORD = "a brand new passphrase"


def login(client, password):
    response = client.post("/api/v1/auth/login", json={"login": "alice", "password": password})
    assert response.status_code == 200, response.json
    return response.json["data"]


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def works(client, tokens) -> tuple[int, int, int]:
    """Status codes of the access token on /me and the backlink API, and of the refresh token."""
    return (
        client.get("/api/v1/auth/me", headers=bearer(tokens["access_token"])).status_code,
        client.get("/api/v1/backlink/credits", headers=bearer(tokens["access_token"])).status_code,
        client.post("/api/v1/auth/refresh", headers=bearer(tokens["refresh_token"])).status_code,
    )


def change_password(client, user, api_key_headers, **body):
    return client.put("/api/account/update", json=body, headers=api_key_headers(user))


def stored(app, user):
    with app.app_context():
        row = db.session.scalar(select(User).where(User.id == user.id))
        return row.email, row.password_hash, row.token_version


def test_a_password_change_revokes_older_access_and_refresh_tokens(
    app, client, user, api_key_headers
):
    old = login(client, user.password)
    assert works(client, old) == (200, 200, 200)

    response = change_password(
        client, user, api_key_headers, password=NEW_PASSWORD, current_password=user.password
    )

    assert response.status_code == 200 and response.json["error"] == 0
    assert works(client, old) == (401, 401, 401)
    me = client.get("/api/v1/auth/me", headers=bearer(old["access_token"]))
    assert me.json["error"] == "invalid_token" and "revoked" in me.json["message"]
    new = login(client, NEW_PASSWORD)
    assert works(client, new) == (200, 200, 200)
    refreshed = client.post("/api/v1/auth/refresh", headers=bearer(new["refresh_token"]))
    assert works(client, new | refreshed.json["data"]) == (200, 200, 200)


@pytest.mark.parametrize(
    "body",
    [
        {"password": NEW_PASSWORD},
        {"password": NEW_PASSWORD, "current_password": ""},
        {"password": NEW_PASSWORD, "current_password": "not my password"},
        {"password": NEW_PASSWORD, "current_password": "x", "email": "new@example.com"},
    ],
)
def test_a_password_change_without_the_current_password_changes_nothing(
    app, client, user, api_key_headers, body
):
    tokens = login(client, user.password)
    before = stored(app, user)

    response = change_password(client, user, api_key_headers, **body)

    assert response.status_code == 400
    assert response.json["error"] == 1 and "current_password" in response.json["message"]
    assert stored(app, user) == before
    assert works(client, tokens) == (200, 200, 200)


def test_an_email_change_alone_keeps_the_tokens(app, client, user, api_key_headers):
    tokens = login(client, user.password)

    response = change_password(client, user, api_key_headers, email="alice2@example.com")

    assert response.status_code == 200
    assert works(client, tokens) == (200, 200, 200)


def test_an_api_key_rotation_revokes_older_tokens(app, client, user):
    old = login(client, user.password)

    rotated = client.post("/api/v1/auth/api-key/rotate", headers=bearer(old["access_token"]))

    assert rotated.status_code == 200
    assert works(client, old) == (401, 401, 401)
    assert works(client, login(client, user.password)) == (200, 200, 200)
