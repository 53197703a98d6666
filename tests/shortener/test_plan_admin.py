"""Plan management by admins (issue 15, item 1): `POST /api/plan/add`, `PUT /api/plan/:id/update`,
`DELETE /api/plan/:id/delete`. Starter (id 1, free) and Business (id 2) come from the seed."""

import copy

import pytest
from sqlalchemy import select

from likepion.auth.models import User
from likepion.core.db import db
from likepion.core.time import utcnow
from likepion.shortener.models import Plan
from likepion.shortener.plans import BUSINESS, NOTHING, STARTER
from tests.helpers import assert_error
from tests.shortener.conftest import put_on_plan

GEO_LINK = {
    "url": "https://example.com/page",
    "geotarget": [{"location": "Canada", "link": "https://example.ca"}],
}


def plan_rows(app) -> dict[int, tuple]:
    with app.app_context():
        return {
            p.id: (p.name, p.free, p.prices, p.limits)
            for p in db.session.scalars(select(Plan).order_by(Plan.id))
        }


# --- add ----------------------------------------------------------------------------------------
def test_add_plan_stores_what_is_given_and_nothing_else_is_on(app, client, admin, api_key_headers):
    body = {
        "name": "Pro",
        "prices": {"monthly": 19, "yearly": 190.5},
        "limits": {
            "links": 500,
            "geo": {"enabled": "1"},
            "device": {"enabled": True},
            "domain": {"enabled": 1, "count": 3},
            "splash": {"count": "07"},
        },
    }

    response = client.post("/api/plan/add", json=body, headers=api_key_headers(admin))

    assert response.status_code == 200, response.json
    limits = copy.deepcopy(NOTHING) | {
        "links": 500,
        "geo": {"enabled": "1"},
        "device": {"enabled": "1"},
        "domain": {"enabled": "1", "count": "3"},
        "splash": {"enabled": "0", "count": "7"},
    }
    prices = {"monthly": 19.0, "yearly": 190.5}
    assert response.json == {
        "error": 0,
        "id": 3,
        "data": {"id": 3, "name": "Pro", "free": False, "prices": prices, "limits": limits},
    }
    assert plan_rows(app)[3] == ("Pro", False, prices, limits)
    assert NOTHING["links"] == 0 and NOTHING["geo"] == {"enabled": "0"}
    listed = client.get("/api/plans", headers=api_key_headers(admin)).json["data"]
    assert listed[0] == response.json["data"]


def test_a_new_plans_features_reach_its_users(app, client, admin, user, api_key_headers):
    refused = client.post("/api/url/add", json=GEO_LINK, headers=api_key_headers(user))
    assert refused.status_code == 403
    body = {"name": "Geo", "limits": {"links": 5, "geo": {"enabled": "1"}}}
    plan_id = client.post("/api/plan/add", json=body, headers=api_key_headers(admin)).json["id"]
    client.put(f"/api/plan/{plan_id}/user/{user.id}", json={"type": "monthly"},
               headers=api_key_headers(admin))  # fmt: skip

    response = client.post("/api/url/add", json=GEO_LINK, headers=api_key_headers(user))

    assert response.status_code == 200, response.json


def test_add_plan_with_a_taken_name_is_409(app, client, admin, api_key_headers):
    before = plan_rows(app)

    response = client.post(
        "/api/plan/add", json={"name": "Business"}, headers=api_key_headers(admin)
    )

    assert_error(response, 409, "A plan named Business already exists.")
    assert plan_rows(app) == before


BAD_BODIES = [
    {},
    {"name": ""},
    {"name": " Pro"},
    {"name": "x" * 65},
    {"name": "Pro\n"},
    {"name": "Pro", "free": "maybe"},
    {"name": "Pro", "limits": {"geos": {"enabled": "1"}}},
    {"name": "Pro", "limits": {"geo": {"enabled": "2"}}},
    {"name": "Pro", "limits": {"geo": {"enabled": "1", "count": "3"}}},
    {"name": "Pro", "limits": {"geo": {}}},
    {"name": "Pro", "limits": {"geo": "1"}},
    {"name": "Pro", "limits": {"links": -1}},
    {"name": "Pro", "limits": {"links": "many"}},
    {"name": "Pro", "limits": {"links": 10**12}},
    {"name": "Pro", "limits": {"links": True}},
    {"name": "Pro", "limits": {"domain": {"count": -3}}},
    {"name": "Pro", "limits": {"domain": {"count": "1e3"}}},
    {"name": "Pro", "limits": []},
    {"name": "Pro", "prices": {"monthly": -1}},
    {"name": "Pro", "prices": {"weekly": 1}},
    {"name": "Pro", "prices": {"monthly": 1e400}},
    {"name": "Pro", "prices": {"monthly": "9" * 5000}},
    {"name": "Pro", "prices": [9.99]},
]


@pytest.mark.parametrize("body", BAD_BODIES)
def test_add_plan_refuses_bad_input_with_400(app, client, admin, api_key_headers, body):
    before = plan_rows(app)

    response = client.post("/api/plan/add", json=body, headers=api_key_headers(admin))

    assert_error(response, 400)
    assert plan_rows(app) == before


# --- update -------------------------------------------------------------------------------------
def test_update_plan_merges_limits_and_replaces_the_rest(app, client, admin, api_key_headers):
    body = {
        "name": "Business+",
        "prices": {"monthly": 12},
        "limits": {"links": 500, "geo": {"enabled": "1"}, "domain": {"count": "4"}},
    }

    response = client.put("/api/plan/2/update", json=body, headers=api_key_headers(admin))

    assert response.status_code == 200, response.json
    limits = BUSINESS["limits"] | {
        "links": 500,
        "geo": {"enabled": "1"},
        "domain": {"enabled": "1", "count": "4"},
    }
    assert response.json == {
        "error": 0,
        "message": "Plan has been updated successfully.",
        "data": {"id": 2, "name": "Business+", "free": False, "prices": {"monthly": 12.0},
                 "limits": limits},
    }  # fmt: skip
    assert plan_rows(app)[2] == ("Business+", False, {"monthly": 12.0}, limits)
    assert plan_rows(app)[1] == ("Starter", True, None, STARTER["limits"])


def test_enabling_geo_on_the_free_plan_lets_its_users_target(
    app, client, admin, user, api_key_headers
):
    assert (
        client.post("/api/url/add", json=GEO_LINK, headers=api_key_headers(user)).status_code == 403
    )

    client.put(
        "/api/plan/1/update", json={"limits": {"geo": {"enabled": "1"}}},
        headers=api_key_headers(admin),
    )  # fmt: skip

    response = client.post("/api/url/add", json=GEO_LINK, headers=api_key_headers(user))
    assert response.status_code == 200, response.json


def test_update_with_an_empty_body_changes_nothing(app, client, admin, api_key_headers):
    before = plan_rows(app)

    response = client.put("/api/plan/2/update", json={}, headers=api_key_headers(admin))

    assert response.status_code == 200
    assert plan_rows(app) == before


@pytest.mark.parametrize("body", [b for b in BAD_BODIES if b not in ({},)] + [{"prices": "x"}])
def test_update_plan_refuses_bad_input_with_400(app, client, admin, api_key_headers, body):
    before = plan_rows(app)

    response = client.put("/api/plan/2/update", json=body, headers=api_key_headers(admin))

    assert_error(response, 400)
    assert plan_rows(app) == before


def test_update_to_a_taken_name_is_409(app, client, admin, api_key_headers):
    before = plan_rows(app)

    response = client.put(
        "/api/plan/2/update", json={"name": "Starter"}, headers=api_key_headers(admin)
    )

    assert_error(response, 409, "A plan named Starter already exists.")
    assert plan_rows(app) == before


def test_the_only_free_plan_stays_free(app, client, admin, api_key_headers):
    headers = api_key_headers(admin)

    response = client.put("/api/plan/1/update", json={"free": False}, headers=headers)

    assert_error(response, 409, "only free plan")
    assert plan_rows(app)[1][1] is True
    client.put("/api/plan/2/update", json={"free": True}, headers=headers)
    assert (
        client.put("/api/plan/1/update", json={"free": False}, headers=headers).status_code == 200
    )
    assert [row[1] for row in plan_rows(app).values()] == [False, True]


def test_update_a_missing_plan_is_404(app, client, admin, api_key_headers):
    response = client.put(
        "/api/plan/999/update", json={"name": "X"}, headers=api_key_headers(admin)
    )

    assert_error(response, 404, "Plan not found")


# --- delete -------------------------------------------------------------------------------------
def test_delete_an_unused_plan(app, client, admin, api_key_headers):
    response = client.delete("/api/plan/2/delete", headers=api_key_headers(admin))

    assert response.status_code == 200
    assert response.json == {"error": 0, "message": "Plan has been deleted successfully."}
    assert list(plan_rows(app)) == [1]


def test_delete_a_plan_in_use_is_refused(app, client, admin, user, api_key_headers):
    put_on_plan(app, user, "Business")
    before = plan_rows(app)

    response = client.delete("/api/plan/2/delete", headers=api_key_headers(admin))

    assert_error(response, 409, "1 user(s) are on this plan")
    assert plan_rows(app) == before
    with app.app_context():
        assert db.session.get(User, user.id).plan_id == 2


def test_delete_the_only_free_plan_is_refused_even_unused(app, client, admin, api_key_headers):
    with app.app_context():  # nobody on Starter, so only its being the free plan stops it
        for row in db.session.scalars(select(User)):
            row.plan_id = 2
        db.session.commit()
    before = plan_rows(app)

    response = client.delete("/api/plan/1/delete", headers=api_key_headers(admin))

    assert_error(response, 409, "only free plan")
    assert plan_rows(app) == before


def test_a_deleted_users_plan_does_not_keep_it(app, client, admin, user, api_key_headers):
    put_on_plan(app, user, "Business")
    with app.app_context():
        db.session.get(User, user.id).deleted_at = utcnow()
        db.session.commit()

    response = client.delete("/api/plan/2/delete", headers=api_key_headers(admin))

    assert response.status_code == 200, response.json
    with app.app_context():
        assert db.session.get(User, user.id).plan_id is None
    assert list(plan_rows(app)) == [1]


def test_delete_a_missing_plan_is_404(app, client, admin, api_key_headers):
    assert_error(client.delete("/api/plan/999/delete", headers=api_key_headers(admin)), 404)


# --- admins only --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "/api/plan/add", {"name": "Pro"}),
        ("put", "/api/plan/2/update", {"name": "Pro"}),
        ("delete", "/api/plan/2/delete", None),
    ],
)
def test_plan_management_is_for_admins_only(app, client, user, api_key_headers, method, path, body):
    before = plan_rows(app)

    as_user = getattr(client, method)(path, json=body, headers=api_key_headers(user))
    anonymous = getattr(client, method)(path, json=body)

    assert_error(as_user, 403, "Only administrators")
    assert_error(anonymous, 401)
    assert plan_rows(app) == before
