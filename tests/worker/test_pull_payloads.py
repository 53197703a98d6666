"""Request-level JSON (config, data, folder_urls): capped in size and depth, and sent once per
request in a pull, not once per task (issue 11, item 3)."""

import json
import uuid

import pytest
from sqlalchemy import func, select

from likepion.auth.models import User
from likepion.backlink.models import Request
from likepion.core.db import db
from tests.helpers import jwt_for
from tests.worker.conftest import start_request

API = "/api/v1/backlink/entity"


def nested(levels: int) -> dict:
    value: dict = {}
    for _ in range(levels - 1):
        value = {"k": value}
    return value


def state(app):
    with app.app_context():
        return (
            db.session.scalar(select(func.count()).select_from(Request)),
            db.session.scalar(select(User.credits).where(User.username == "alice")),
            [(r.config, r.data, r.folder_urls) for r in db.session.scalars(select(Request))],
        )


def test_a_pull_of_many_tasks_carries_the_big_config_once(app, client, user, server, entity_sites):
    marker = "x" * 60_000  # just under the 64 KB cap
    request_id = start_request(
        client,
        jwt_for(app, user),
        target=20,
        auction_price=1,
        config={"blob": marker},
        data={"d": 1},
        folder_urls={"f": "https://a.example/"},
    )

    response = client.get(
        "/api/v1/entity/links", query_string={"limit": 20}, headers=server.headers
    )

    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert body.count(marker) == 1
    assert len(body) < 2 * len(marker)
    tasks = response.json["data"]
    assert len(tasks) == 20 and {task["request_id"] for task in tasks} == {request_id}
    assert all("config" not in task for task in tasks)
    assert response.json["requests"] == {
        request_id: {
            "config": {"blob": marker},
            "data": {"d": 1},
            "folder_urls": {"f": "https://a.example/"},
        }
    }


def test_a_pull_without_primary_tasks_has_an_empty_requests_map(client, server):
    response = client.get("/api/v1/entity/links", headers=server.headers)
    assert response.status_code == 200
    assert response.json == {"success": True, "data": [], "requests": {}}


OVERSIZE = {"blob": "x" * (64 * 1024)}
HOSTILE = [
    ("config", OVERSIZE, "bytes"),
    ("data", OVERSIZE, "bytes"),
    ("folder_urls", OVERSIZE, "bytes"),
    ("config", nested(21), "levels"),
    ("data", nested(21), "levels"),
    ("folder_urls", nested(21), "levels"),
]


@pytest.mark.parametrize(("field", "value", "problem"), HOSTILE)
def test_oversize_or_deep_json_fields_are_422_on_create(app, client, user, field, value, problem):
    before = state(app)
    body = {"name": "C", "auction_price": 10, "target": 2, field: value}

    response = client.post(API, json=body, headers=jwt_for(app, user))

    assert response.status_code == 422
    assert response.json["error"] == "validation_error"
    assert list(response.json["details"]) == [field]
    assert field in response.json["details"][field][0]
    assert problem in response.json["details"][field][0]
    assert state(app) == before


@pytest.mark.parametrize(("field", "value", "problem"), HOSTILE)
def test_oversize_or_deep_json_fields_are_422_on_update(app, client, user, field, value, problem):
    headers = jwt_for(app, user)
    created = client.post(
        API, json={"name": "C", "auction_price": 10, "target": 2, field: {"a": 1}}, headers=headers
    )
    assert created.status_code == 201
    before = state(app)

    request_id = created.json["data"]["id"]
    response = client.put(f"{API}/{request_id}", json={field: value}, headers=headers)

    assert response.status_code == 422
    assert list(response.json["details"]) == [field] and problem in str(response.json["details"])
    assert state(app) == before


def test_the_caps_are_configuration_keys(app, client, user):
    headers = jwt_for(app, user)
    at_limit = {"name": "C", "auction_price": 1, "target": 1, "config": nested(20)}
    assert client.post(API, json=at_limit, headers=headers).status_code == 201
    exact = {"name": "C", "auction_price": 1, "target": 1, "data": {"k": "x" * 65_528}}
    assert len(json.dumps(exact["data"], separators=(",", ":"))) == 64 * 1024
    assert client.post(API, json=exact, headers=headers).status_code == 201

    app.config.update(JSON_FIELD_MAX_BYTES=100, JSON_FIELD_MAX_DEPTH=3)
    try:
        small = {"name": "C", "auction_price": 1, "target": 1}
        too_big = client.post(API, json=small | {"data": {"k": "x" * 100}}, headers=headers)
        too_deep = client.post(API, json=small | {"config": nested(4)}, headers=headers)
        fits = client.post(API, json=small | {"config": nested(3)}, headers=headers)
    finally:
        app.config.update(JSON_FIELD_MAX_BYTES=64 * 1024, JSON_FIELD_MAX_DEPTH=20)
    assert (too_big.status_code, too_deep.status_code, fits.status_code) == (422, 422, 201)
    assert "at most 100 bytes" in too_big.json["details"]["data"][0]
    with app.app_context():
        stored = db.session.get(Request, uuid.UUID(fits.json["data"]["id"]))
        assert stored.config == nested(3)
