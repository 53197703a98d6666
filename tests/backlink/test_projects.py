"""`GET /projects`: every live request of the user across service types."""

from datetime import UTC, datetime, timedelta

import pytest

from tests.factories import make_request

BASE = "/api/v1/backlink"
PROJECT_FIELDS = {
    "id",
    "name",
    "type",
    "type_request",
    "website",
    "auction_price",
    "target",
    "created_links",
    "status",
    "result",
    "started_at",
    "created_at",
    "secondary_total",  # issue 15 item 10
    "secondary_done",
}
T0 = datetime(2025, 5, 1, tzinfo=UTC)


def projects(client, user, jwt_headers, query=""):
    response = client.get(f"{BASE}/projects?{query}", headers=jwt_headers(user))
    assert response.status_code == 200, response.json
    return response.json


@pytest.fixture
def portfolio(app, user, other_user):
    """Four live requests of `user` (newest last), one deleted, one of another user (no
    credits taken: the listing is about the rows)."""
    made = [
        make_request(
            app,
            user,
            name="Campaign A",
            website="https://target.com",
            auction_price=100,
            target=50,
            links=["completed"] * 3 + ["failed", "queued"],
            created_at=T0,
            charge=False,
        ),
        make_request(
            app,
            user,
            service_type="podcast",
            name="Pod show",
            website="https://pod.example",
            status="stopped",
            auction_price=60,
            target=2,
            links=["completed"],
            created_at=T0 + timedelta(days=1),
            charge=False,
        ),
        make_request(
            app,
            user,
            service_type="social",
            name="Social push",
            status="pending",
            target=3,
            type_request="profile",
            created_at=T0 + timedelta(days=2),
            charge=False,
        ),
        make_request(
            app,
            user,
            name="Brand 100%",
            website="https://brand.example",
            status="completed",
            target=1,
            links=["completed"],
            created_at=T0 + timedelta(days=3),
            charge=False,
        ),
    ]
    make_request(app, user, name="Gone", deleted=True, links=["completed"])
    make_request(app, other_user, name="Theirs", links=["completed"])
    return made


def test_items_have_exactly_the_seed_fields(client, user, jwt_headers, portfolio):
    body = projects(client, user, jwt_headers)

    assert body["success"] is True
    assert (body["total"], body["page"], body["limit"]) == (4, 1, 20)
    assert [item["name"] for item in body["data"]] == [
        "Brand 100%",
        "Social push",
        "Pod show",
        "Campaign A",
    ]
    first = body["data"][-1]
    assert set(first) == PROJECT_FIELDS
    assert first == {
        "id": str(portfolio[0].id),
        "name": "Campaign A",
        "type": "entity",
        "type_request": "entity",
        "website": "https://target.com",
        "auction_price": 100,
        "target": 50,
        "created_links": 3,
        "status": "running",
        "result": "3 / 50",
        "started_at": first["started_at"],
        "created_at": "2025-05-01T00:00:00Z",
        "secondary_total": 0,
        "secondary_done": 0,
    }
    assert first["started_at"].endswith("Z")
    social = body["data"][1]
    assert (social["type"], social["type_request"], social["website"]) == (
        "social",
        "profile",
        None,
    )
    assert (social["created_links"], social["result"], social["started_at"]) == (0, "0 / 3", None)


@pytest.mark.parametrize(
    "query, names",
    [
        ("search=campaign", ["Campaign A"]),
        ("search=POD.EXAMPLE", ["Pod show"]),  # the website, case-insensitive
        ("search=100%25", ["Brand 100%"]),  # % is literal text
        ("status=stopped", ["Pod show"]),
        ("type=social", ["Social push"]),
        ("type=entity", ["Brand 100%", "Campaign A"]),
        ("type_request=post", ["Pod show"]),
        ("type=entity&status=completed", ["Brand 100%"]),
        ("type=indexing", []),
        ("search=&type_request=", ["Brand 100%", "Social push", "Pod show", "Campaign A"]),
    ],
)
def test_filters(client, user, jwt_headers, portfolio, query, names):
    body = projects(client, user, jwt_headers, query)
    assert [item["name"] for item in body["data"]] == names
    assert body["total"] == len(names)


def test_pages(client, user, jwt_headers, portfolio):
    first = projects(client, user, jwt_headers, "limit=3")
    second = projects(client, user, jwt_headers, "limit=3&page=2")
    assert (first["total"], len(first["data"]), len(second["data"])) == (4, 3, 1)
    assert second["data"][0]["name"] == "Campaign A"
    assert projects(client, user, jwt_headers, "page=9")["data"] == []


@pytest.mark.parametrize(
    "query",
    [
        "page=0",
        "limit=0",
        "limit=1001",
        "status=done",
        "type=bogus",
        "page=x",
        "search=" + "s" * 256,
    ],
)
def test_bad_query_is_422(client, user, jwt_headers, query):
    response = client.get(f"{BASE}/projects?{query}", headers=jwt_headers(user))
    assert response.status_code == 422
    assert response.json["error"] == "validation_error"


def test_needs_a_token(client):
    assert client.get(f"{BASE}/projects").status_code == 401


def test_statements_do_not_grow_with_page_size(app, client, user, jwt_headers, sql_statements):
    for n in range(60):
        make_request(app, user, name=f"R{n}", links=["completed", "queued"], charge=False)

    def page(limit):
        body = projects(client, user, jwt_headers, f"limit={limit}")
        assert len(body["data"]) == limit
        assert all(item["created_links"] == 1 for item in body["data"])

    counts = [len(sql_statements(lambda limit=limit: page(limit))) for limit in (5, 50)]
    assert counts[0] == counts[1]
