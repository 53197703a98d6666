"""Every error path answers in its API family's envelope (docs/README.md)."""

import pytest

from likepion import create_app
from tests.conftest import build_app


def test_malformed_json_is_400(client):
    response = client.post("/api/v1/auth/login", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json == {
        "success": False,
        "error": "bad_request",
        "message": "Malformed JSON body.",
        "details": {},
    }


def test_wrong_types_and_unknown_fields_are_422_with_field_details(client):
    response = client.post("/api/v1/auth/login", json={"login": 5, "password": "x", "more": 1})
    assert response.status_code == 422
    assert response.json["error"] == "validation_error"
    assert set(response.json["details"]) == {"login", "more"}


def test_json_that_is_not_an_object_is_422(client):
    response = client.post("/api/v1/auth/login", json=[1, 2])
    assert response.status_code == 422


def test_unknown_path_and_wrong_method_per_family(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json["success"] is False and response.json["error"] == "not_found"

    response = client.get("/api/nothing-here")
    assert response.status_code == 404
    assert response.json == {"error": 1, "message": "Not found."}

    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.content_type.startswith("text/html")
    assert b"Page not found" in response.data

    response = client.delete("/api/v1/auth/login")
    assert response.status_code == 405
    assert response.json["error"] == "method_not_allowed"
    assert "POST" in response.headers["Allow"]

    response = client.delete("/api/account")
    assert response.status_code == 405
    assert response.json["error"] == 1
    assert "GET" in response.headers["Allow"]


def test_body_over_max_content_length_is_413(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = client.post(
        "/api/v1/auth/register", data="x" * 5000, content_type="application/json"
    )
    assert response.status_code == 413
    assert response.json["error"] == "payload_too_large"
    assert "1024" in response.json["message"]


@pytest.mark.allow_500
def test_unexpected_exception_is_a_500_envelope_with_request_id_and_no_trace(caplog):
    app = build_app("sqlite://")

    @app.get("/api/v1/explode")
    def explode():
        raise RuntimeError("secret internals")

    @app.get("/api/explode")
    def explode_shortener():
        raise RuntimeError("secret internals")

    client = app.test_client()
    response = client.get("/api/v1/explode", headers={"X-Request-ID": "req-123"})
    assert response.status_code == 500
    assert response.json == {
        "success": False,
        "error": "internal_error",
        "message": "Internal server error.",
        "details": {"request_id": "req-123"},
    }
    assert response.headers["X-Request-ID"] == "req-123"
    assert "secret internals" not in response.get_data(as_text=True)
    assert any("req-123" in r.getMessage() and r.exc_info for r in caplog.records)

    response = client.get("/api/explode", headers={"X-Request-ID": "req-456"})
    assert response.status_code == 500
    assert response.json == {"error": 1, "message": "Internal server error. request_id: req-456"}


def test_every_response_gets_a_request_id(client):
    response = client.get("/healthz")
    assert len(response.headers["X-Request-ID"]) == 32
    bogus = client.get("/healthz", headers={"X-Request-ID": "bad id with spaces"})
    assert bogus.headers["X-Request-ID"] != "bad id with spaces"


def test_healthz_checks_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_healthz_is_503_when_the_database_is_gone(tmp_path):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/no-dir/db.sqlite")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] == "unreachable"


def test_nul_characters_are_refused_before_they_reach_the_database(client, user, jwt_headers):
    headers = jwt_headers(user)
    for response, status in (
        (client.get("/api/v1/backlink/entity?search=a%00b", headers=headers), 422),
        (
            client.post(
                "/api/v1/backlink/entity",
                json={"name": "a\x00b", "auction_price": 1},
                headers=headers,
            ),
            422,
        ),
        (
            client.put(
                "/api/account/update",
                json={"email": "x\x00@y.z"},
                headers={"Authorization": f"Bearer {user.api_key}"},
            ),
            400,  # the shortener family answers invalid input with 400 (docs/decisions.md)
        ),
    ):
        assert response.status_code == status
        assert "NUL" in response.get_data(as_text=True)
    assert client.get("/api/v1/backlink/credits", headers=headers).json["data"]["credits"] == 1000


def test_authentication_comes_before_input_validation(client):
    for response in (
        client.post("/api/v1/backlink/entity", json={}),
        client.get("/api/v1/backlink/entity?page=0"),
        client.get("/api/v1/entity/links?limit=0"),
        client.put("/api/account/update", json={"email": "nope"}),
    ):
        assert response.status_code == 401, response.request.path
