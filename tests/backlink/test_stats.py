"""`GET /stats` and `GET /:type/stats`: the user's live requests and their links by status."""

from tests.factories import make_request

BASE = "/api/v1/backlink"
ZERO_REQUESTS = {"pending": 0, "running": 0, "completed": 0, "failed": 0, "stopped": 0}
ZERO_LINKS = {"pending": 0, "queued": 0, "running": 0, "completed": 0, "failed": 0, "cancel": 0}


def test_every_key_is_present_and_zero_when_there_is_nothing(client, user, jwt_headers):
    for url in (f"{BASE}/stats", f"{BASE}/podcast/stats"):
        response = client.get(url, headers=jwt_headers(user))
        assert response.status_code == 200
        assert response.json == {
            "success": True,
            "data": {"requests": ZERO_REQUESTS, "links": ZERO_LINKS},
        }


def test_counts_live_requests_and_their_links_by_status(app, client, user, other_user, jwt_headers):
    make_request(app, user, status="running", links=["queued", "queued", "running", "completed"])
    make_request(app, user, status="completed", links=["completed", "failed", "cancel"])
    make_request(app, user, status="stopped", service_type="social", links=["pending"])
    make_request(app, user, status="pending", service_type="social")
    make_request(app, user, status="running", deleted=True, links=["completed", "cancel"])
    make_request(app, other_user, status="failed", links=["failed", "completed"])

    everything = client.get(f"{BASE}/stats", headers=jwt_headers(user)).json["data"]
    entity = client.get(f"{BASE}/entity/stats", headers=jwt_headers(user)).json["data"]
    social = client.get(f"{BASE}/social/stats", headers=jwt_headers(user)).json["data"]

    assert everything == {
        "requests": ZERO_REQUESTS | {"running": 1, "completed": 1, "stopped": 1, "pending": 1},
        "links": ZERO_LINKS
        | {"pending": 1, "queued": 2, "running": 1, "completed": 2, "failed": 1, "cancel": 1},
    }
    assert entity == {
        "requests": ZERO_REQUESTS | {"running": 1, "completed": 1},
        "links": ZERO_LINKS | {"queued": 2, "running": 1, "completed": 2, "failed": 1, "cancel": 1},
    }
    assert social == {
        "requests": ZERO_REQUESTS | {"stopped": 1, "pending": 1},
        "links": ZERO_LINKS | {"pending": 1},
    }


def test_two_grouped_queries_whatever_the_volume(app, client, user, jwt_headers, sql_statements):
    def statements():
        def stats():
            assert client.get(f"{BASE}/stats", headers=jwt_headers(user)).status_code == 200

        return [s for s in sql_statements(stats) if "GROUP BY" in s]

    make_request(app, user, links=["queued"])
    few = statements()
    for _ in range(5):
        make_request(app, user, links=["queued", "completed", "failed"] * 5)
    assert len(few) == len(statements()) == 2


def test_unknown_type_is_404_and_a_token_is_needed(client, user, jwt_headers):
    assert client.get(f"{BASE}/bogus/stats", headers=jwt_headers(user)).status_code == 404
    response = client.get(f"{BASE}/stats")
    assert response.status_code == 401
    assert response.json["success"] is False
