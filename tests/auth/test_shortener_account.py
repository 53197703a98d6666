"""`GET /api/account` and `PUT /api/account/update` (seed 004, Account)."""

from sqlalchemy import select

from likepion.auth import passwords
from likepion.auth.models import User
from likepion.core.db import db


def test_get_account_has_the_seed_shape(client, user, api_key_headers):
    response = client.get("/api/account", headers=api_key_headers(user))

    assert response.status_code == 200
    body = response.json
    assert body["error"] == 0
    data = body["data"]
    assert set(data) == {"id", "email", "username", "avatar", "status", "expires", "registered"}
    assert data["id"] == user.id
    assert data["email"] == "alice@example.com"
    assert data["username"] == "alice"
    assert data["status"] == "free"
    assert data["expires"] == ""  # a string, as the seed shows it; the free plan never ends
    assert data["avatar"].startswith("https://")
    assert len(data["registered"]) == 19 and data["registered"][10] == " "


def test_missing_or_wrong_api_key_is_401_in_shortener_shape(client):
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic abc"}):
        response = client.get("/api/account", headers=headers)
        assert response.status_code == 401
        assert response.json["error"] == 1
        assert "API key" in response.json["message"]


def test_update_account_changes_email_and_password(app, client, user, api_key_headers):
    response = client.put(
        "/api/account/update",
        json={
            "email": "newemail@google.com",
            "password": "newpassword",
            "current_password": user.password,
        },
        headers=api_key_headers(user),
    )

    assert response.status_code == 200
    assert response.json == {"error": 0, "message": "Account has been successfully updated."}
    with app.app_context():
        row = db.session.get(User, user.id)
        assert row.email == "newemail@google.com"
        assert passwords.verify_password(row.password_hash, "newpassword")
    login = client.post(
        "/api/v1/auth/login", json={"login": "newemail@google.com", "password": "newpassword"}
    )
    assert login.status_code == 200


def test_update_account_bad_input_changes_nothing(app, client, user, other_user, api_key_headers):
    cases = [
        ({"email": "not-an-email"}, 400),
        ({"password": "short"}, 400),
        ({"email": "bob@example.com"}, 409),
    ]
    for body, status in cases:
        response = client.put("/api/account/update", json=body, headers=api_key_headers(user))
        assert response.status_code == status, body
        assert response.json["error"] == 1
        assert response.json["message"]
    with app.app_context():
        row = db.session.scalar(select(User).where(User.id == user.id))
        assert row.email == "alice@example.com"
        assert passwords.verify_password(row.password_hash, user.password)
