"""Rate limits per API family with in-memory storage (the Redis proof is test_ratelimit_redis)."""

from tests.conftest import build_app
from tests.factories import make_user

HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")


def limited_app(**limits):
    return build_app("sqlite://", **limits)


def test_shortener_limit_is_per_api_key_across_endpoints():
    app = limited_app(SHORTENER_RATE_LIMIT="3 per minute")
    alice, bob = make_user(app), make_user(app)
    client = app.test_client()
    alice_headers = {"Authorization": f"Bearer {alice.api_key}"}

    statuses = [client.get("/api/account", headers=alice_headers).status_code for _ in range(2)]
    statuses.append(client.put("/api/account/update", json={}, headers=alice_headers).status_code)
    blocked = client.get("/api/account", headers=alice_headers)

    assert statuses == [200, 200, 200]
    assert blocked.status_code == 429
    assert blocked.json["error"] == 1
    assert "Rate limit exceeded" in blocked.json["message"]
    assert int(blocked.headers["Retry-After"]) > 0
    assert blocked.headers["X-RateLimit-Remaining"] == "0"
    bob_response = client.get("/api/account", headers={"Authorization": f"Bearer {bob.api_key}"})
    assert bob_response.status_code == 200


def test_every_api_response_carries_the_three_headers(client, user, jwt_headers):
    responses = [
        client.get("/api/account", headers={"Authorization": f"Bearer {user.api_key}"}),
        client.get("/api/account"),
        client.get("/api/v1/backlink/credits", headers=jwt_headers(user)),
        client.get("/api/v1/backlink/credits?page=0", headers=jwt_headers(user)),
        client.post("/api/v1/auth/login", json={"login": "x", "password": "y"}),
    ]
    for response in responses:
        for header in HEADERS:
            assert header in response.headers, (response.request.path, header)
    assert responses[0].headers["X-RateLimit-Limit"] == "30"
    assert responses[2].headers["X-RateLimit-Limit"] == "120"
    assert int(responses[0].headers["X-RateLimit-Reset"]) > 1_700_000_000


def test_backlink_limit_is_per_user_not_per_token():
    app = limited_app(BACKLINK_RATE_LIMIT="2 per minute")
    user = make_user(app)
    client = app.test_client()
    tokens = []
    for _ in range(2):
        login = client.post(
            "/api/v1/auth/login", json={"login": user.username, "password": user.password}
        )
        tokens.append(login.json["data"]["access_token"])

    first = client.get("/api/v1/backlink/credits", headers={"Authorization": f"Bearer {tokens[0]}"})
    second = client.get(
        "/api/v1/backlink/credits", headers={"Authorization": f"Bearer {tokens[1]}"}
    )
    third = client.get("/api/v1/backlink/credits", headers={"Authorization": f"Bearer {tokens[1]}"})

    assert [first.status_code, second.status_code, third.status_code] == [200, 200, 429]
    assert third.json["success"] is False and third.json["error"] == "rate_limited"
    assert "Retry-After" in third.headers


def test_limits_can_be_switched_off():
    app = limited_app(SHORTENER_RATE_LIMIT="1 per minute", RATELIMIT_ENABLED=False)
    user = make_user(app)
    client = app.test_client()
    headers = {"Authorization": f"Bearer {user.api_key}"}
    assert [client.get("/api/account", headers=headers).status_code for _ in range(3)] == [200] * 3


def test_retry_after_only_on_429_and_rate_headers_on_every_api_answer(
    client, user, jwt_headers, app
):
    """All three families, served, refused and unrouted: X-RateLimit-* on each, Retry-After on
    none (a served client has nothing to wait for)."""
    from tests.factories import make_server

    server = make_server(app, "server-hdr")
    key = {"Authorization": f"Bearer {user.api_key}"}
    answers = {
        "shortener 200": client.get("/api/account", headers=key),
        "shortener 401": client.get("/api/account"),
        "shortener unrouted 404": client.get("/api/no-such-endpoint", headers=key),
        "shortener 405": client.delete("/api/account", headers=key),
        "backlink 200": client.get("/api/v1/backlink/credits", headers=jwt_headers(user)),
        "backlink 422": client.get("/api/v1/backlink/credits?page=0", headers=jwt_headers(user)),
        "backlink unrouted 404": client.get("/api/v1/backlink/nothing", headers=jwt_headers(user)),
        "auth 401": client.post("/api/v1/auth/login", json={"login": "x", "password": "y"}),
        "auth 405": client.delete("/api/v1/auth/login"),
        "worker 200": client.get("/api/v1/entity/links", headers=server.headers),
        "worker 401": client.get("/api/v1/entity/links"),
        "worker unrouted 404": client.get("/api/v1/no-such-type/links", headers=server.headers),
    }
    for name, response in answers.items():
        assert "Retry-After" not in response.headers, name
        assert "X-Likepion-Window-Reset" not in response.headers, name
        for header in HEADERS:
            assert header in response.headers, (name, header)
    assert answers["shortener unrouted 404"].status_code == 404
    assert answers["shortener unrouted 404"].headers["X-RateLimit-Limit"] == "30"
    assert answers["backlink unrouted 404"].headers["X-RateLimit-Limit"] == "120"
    assert answers["worker unrouted 404"].headers["X-RateLimit-Limit"] == "600"
    assert answers["worker 200"].headers["X-RateLimit-Limit"] == "600"
    # an unrouted answer reads the caller's counter without counting itself
    served = int(answers["shortener 200"].headers["X-RateLimit-Remaining"])
    assert int(answers["shortener unrouted 404"].headers["X-RateLimit-Remaining"]) == served


def test_worker_429_has_retry_after_and_the_answers_before_it_do_not():
    from tests.factories import make_server

    app = limited_app(WORKER_RATE_LIMIT="2 per minute")
    server = make_server(app, "server-429")
    client = app.test_client()
    answers = [client.get("/api/v1/entity/links", headers=server.headers) for _ in range(3)]

    assert [a.status_code for a in answers] == [200, 200, 429]
    assert all("Retry-After" not in a.headers for a in answers[:2])
    assert 0 < int(answers[2].headers["Retry-After"]) <= 60
    assert answers[2].json["error"] == "rate_limited"
    assert answers[2].headers["X-RateLimit-Remaining"] == "0"


def test_pages_outside_the_apis_carry_no_rate_limit_headers(client):
    """A scanner's 404 outside the three API families is no family's: no headers, no read of
    the limit storage (the SSO blueprint at the root matched every path before)."""
    for path in ("/a/b/c", "/favicon.ico/x", "/wp-login.php"):
        response = client.get(path)
        assert response.status_code == 404
        for header in HEADERS:
            assert header not in response.headers, (path, header)
