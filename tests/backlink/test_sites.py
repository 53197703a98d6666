"""`GET /sites/count` and `GET /sites`: the sites catalogue."""

import pytest

from tests.factories import make_site

API = "/api/v1/backlink"


@pytest.fixture
def catalogue(app, sites):
    """The backlink catalogue and a secondary podcast site."""
    spotify = make_site(app, service_type="podcast", name="spotify.com", role="secondary")
    return sites | {"spotify.com": spotify}


def test_count_counts_active_sites_of_the_type(client, user, jwt_headers, catalogue):
    response = client.get(f"{API}/sites/count?type=entity", headers=jwt_headers(user))

    assert response.status_code == 200
    assert response.json == {"success": True, "data": {"type": "entity", "count": 2}}
    podcast = client.get(f"{API}/sites/count?type=podcast", headers=jwt_headers(user))
    assert podcast.json["data"] == {"type": "podcast", "count": 2}
    social = client.get(f"{API}/sites/count?type=social", headers=jwt_headers(user))
    assert social.json["data"] == {"type": "social", "count": 0}


@pytest.mark.parametrize("query", ["", "?type=", "?type=video", "?type=ENTITY"])
def test_count_needs_one_of_the_six_types(client, user, jwt_headers, query):
    response = client.get(f"{API}/sites/count{query}", headers=jwt_headers(user))

    assert response.status_code == 422
    assert response.json["success"] is False
    assert response.json["error"] == "validation_error"
    assert "type" in response.json["details"]


def test_sites_need_a_token(client):
    assert client.get(f"{API}/sites/count?type=entity").status_code == 401
    assert client.get(f"{API}/sites").status_code == 401


def test_list_by_type_has_the_site_fields(client, user, jwt_headers, catalogue):
    response = client.get(f"{API}/sites?type=podcast", headers=jwt_headers(user))

    assert response.status_code == 200
    body = response.json
    assert body["success"] is True
    assert (body["total"], body["page"], body["limit"]) == (2, 1, 20)
    assert body["data"] == [
        {
            "id": str(catalogue["anchor.fm"]),
            "service_type": "podcast",
            "name": "anchor.fm",
            "role": "primary",
            "active": True,
            "created_at": body["data"][0]["created_at"],
        },
        {
            "id": str(catalogue["spotify.com"]),
            "service_type": "podcast",
            "name": "spotify.com",
            "role": "secondary",
            "active": True,
            "created_at": body["data"][1]["created_at"],
        },
    ]
    assert body["data"][0]["created_at"].endswith("Z")


def test_list_without_type_is_the_whole_catalogue(client, user, jwt_headers, catalogue):
    body = client.get(f"{API}/sites?limit=2&page=2", headers=jwt_headers(user)).json

    assert body["total"] == 5 and body["page"] == 2 and body["limit"] == 2
    assert [s["name"] for s in body["data"]] == ["old.example", "anchor.fm"]


def test_list_active_filter(client, user, jwt_headers, catalogue):
    inactive = client.get(f"{API}/sites?type=entity&active=false", headers=jwt_headers(user))
    active = client.get(f"{API}/sites?type=entity&active=true", headers=jwt_headers(user))

    assert [s["name"] for s in inactive.json["data"]] == ["old.example"]
    assert [s["name"] for s in active.json["data"]] == ["about.me", "gravatar.com"]


def test_list_search_filter(client, user, jwt_headers, catalogue):
    body = client.get(f"{API}/sites?search=GRAV", headers=jwt_headers(user)).json

    assert [s["name"] for s in body["data"]] == ["gravatar.com"]
    none = client.get(f"{API}/sites?search=%25", headers=jwt_headers(user)).json
    assert none["total"] == 0  # "%" is a literal, not a wildcard


@pytest.mark.parametrize(
    "query", ["type=blog", "active=maybe", "page=0", "limit=0", "limit=1001", "search=" + "x" * 256]
)
def test_list_bad_query_is_422(client, user, jwt_headers, query):
    response = client.get(f"{API}/sites?{query}", headers=jwt_headers(user))

    assert response.status_code == 422
    assert response.json["error"] == "validation_error"
