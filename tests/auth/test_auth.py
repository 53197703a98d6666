"""Register, login, refresh, me, API-key rotation over HTTP."""

from datetime import timedelta

from flask_jwt_extended import create_access_token
from sqlalchemy import func, select, text

from likepion.auth.models import User
from likepion.core.crypto import key_hash
from likepion.core.db import db


def register(client, **body):
    payload = {"email": "Carol@Example.com", "username": "carol", "password": "s3cret-pass"}
    return client.post("/api/v1/auth/register", json=payload | body)


def login(client, login="carol", password="s3cret-pass"):
    return client.post("/api/v1/auth/login", json={"login": login, "password": password})


def test_register_creates_user_with_hashed_password_and_api_key(app, client):
    response = register(client)

    assert response.status_code == 201
    body = response.json
    assert body["success"] is True
    data = body["data"]
    assert data["email"] == "carol@example.com"
    assert data["username"] == "carol"
    assert data["credits"] == 0 and data["is_admin"] is False
    assert len(data["api_key"]) >= 43
    with app.app_context():
        row = db.session.scalar(select(User).where(User.email == "carol@example.com"))
        assert str(row.uuid) == data["id"] and row.id == data["numeric_id"]
        assert row.password_hash.startswith("$argon2id$")
        assert "s3cret-pass" not in row.password_hash
        assert row.api_key_hash == key_hash(data["api_key"])
        stored = db.session.execute(text("SELECT api_key_encrypted FROM users")).scalar()
        assert data["api_key"] not in stored


def test_register_duplicate_email_or_username_is_409(app, client):
    assert register(client).status_code == 201
    for body in ({"username": "other"}, {"email": "x@example.com"}):
        response = register(client, **body)
        assert response.status_code == 409
        assert response.json["error"] == "conflict"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_register_bad_input_is_422_and_writes_nothing(app, client):
    cases = [
        {"email": "not-an-email"},
        {"password": "short"},
        {"username": "no spaces!"},
        {"username": "x" * 33},
        {"extra": "field"},
        {"email": 5},
    ]
    for body in cases:
        response = register(client, **body)
        assert response.status_code == 422, body
        assert response.json["success"] is False
        assert response.json["error"] == "validation_error"
        assert response.json["details"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_registration_can_be_turned_off(app, client):
    app.config["REGISTRATION_ENABLED"] = False
    response = register(client)
    assert response.status_code == 403
    assert response.json["error"] == "registration_closed"


def test_login_with_email_or_username(client):
    register(client)
    for name in ("carol", "CAROL@example.com"):
        response = login(client, login=name)
        assert response.status_code == 200
        data = response.json["data"]
        assert data["token_type"] == "Bearer"
        assert data["expires_in"] == 3600
        assert data["access_token"] and data["refresh_token"]


def test_login_wrong_password_or_unknown_user_is_401(client):
    register(client)
    for name, password in (("carol", "wrong-password"), ("nobody", "s3cret-pass")):
        response = login(client, login=name, password=password)
        assert response.status_code == 401
        assert response.json == {
            "success": False,
            "error": "invalid_credentials",
            "message": "Invalid login or password.",
            "details": {},
        }


def test_me_returns_the_user(client, user, jwt_headers):
    response = client.get("/api/v1/auth/me", headers=jwt_headers(user))
    assert response.status_code == 200
    data = response.json["data"]
    assert data["id"] == str(user.uuid)
    assert data["numeric_id"] == user.id
    assert data["username"] == "alice"
    assert data["credits"] == 1000
    assert data["api_key"] == user.api_key
    assert set(data) >= {"is_admin", "plan", "email"}


def test_me_without_token_is_401(client):
    response = client.get("/api/v1/auth/me")
    assert response.status_code == 401
    assert response.json["success"] is False
    assert response.json["error"] == "unauthorized"


def test_me_with_garbage_or_expired_token_is_401(app, client, user):
    with app.app_context():
        expired = create_access_token(str(user.uuid), expires_delta=timedelta(seconds=-10))
    response = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {expired}"})
    assert response.status_code == 401
    assert response.json["error"] == "token_expired"

    response = client.get("/api/v1/auth/me", headers={"Authorization": "Bearer abc.def.ghi"})
    assert response.status_code == 401
    assert response.json["error"] == "invalid_token"


def test_token_of_a_deleted_user_is_401(app, client, user, jwt_headers):
    headers = jwt_headers(user)
    with app.app_context():
        db.session.delete(db.session.get(User, user.id))
        db.session.commit()
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401


def test_refresh_gives_a_new_access_token(client):
    register(client)
    tokens = login(client).json["data"]

    response = client.post(
        "/api/v1/auth/refresh", headers={"Authorization": f"Bearer {tokens['refresh_token']}"}
    )
    assert response.status_code == 200
    access = response.json["data"]["access_token"]
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {access}"})
    assert me.status_code == 200 and me.json["data"]["username"] == "carol"


def test_refresh_refuses_an_access_token_and_access_routes_refuse_a_refresh_token(client):
    register(client)
    tokens = login(client).json["data"]
    response = client.post(
        "/api/v1/auth/refresh", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )
    assert response.status_code == 401
    response = client.get(
        "/api/v1/auth/me", headers={"Authorization": f"Bearer {tokens['refresh_token']}"}
    )
    assert response.status_code == 401


def test_rotate_api_key_replaces_the_old_key(app, client, user, jwt_headers, api_key_headers):
    assert client.get("/api/account", headers=api_key_headers(user)).status_code == 200

    response = client.post("/api/v1/auth/api-key/rotate", headers=jwt_headers(user))

    assert response.status_code == 200
    new_key = response.json["data"]["api_key"]
    assert new_key != user.api_key
    assert client.get("/api/account", headers=api_key_headers(user)).status_code == 401
    new_headers = {"Authorization": f"Bearer {new_key}"}
    assert client.get("/api/account", headers=new_headers).status_code == 200
    with app.app_context():
        row = db.session.get(User, user.id)
        assert row.api_key_hash == key_hash(new_key)
    # The rotation revoked every token issued before it (tests/auth/test_token_revocation.py).
    access = login(client, "alice", user.password).json["data"]["access_token"]
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {access}"})
    assert me.json["data"]["api_key"] == new_key
