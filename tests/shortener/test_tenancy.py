"""Every shortener endpoint that takes an object id answers another user's id exactly like a
missing one (404, same body), and changes nothing."""

import pytest
from sqlalchemy import select

from likepion.core.db import db
from tests.shortener.conftest import EVERY_FEATURE, put_on_plan

MISSING = 999_999
TABLES = [
    "domains", "campaigns", "splashes", "overlays", "pixels", "short_urls", "short_url_pixels",
    "qr_codes", "channels", "channel_items", "clicks",
]  # fmt: skip
NEW_LINK = {"url": "https://example.org/mine"}
# Fields of a link that point at other objects: each must be the caller's own.
REFERENCES = [
    {"campaign": "{campaign}"},
    {"channel": "{channel}"},
    {"pixels": ["{pixel}"]},
    {"type": "splash-{splash}"},
    {"type": "overlay-{overlay}"},
    {"domain": "{domain_url}"},
]

# (method, path template, JSON body); {name} is the owner's object, {my_name} the intruder's.
ENDPOINTS = [
    ("get", "/api/url/{link}", None),
    ("put", "/api/url/{link}/update", NEW_LINK),
    ("delete", "/api/url/{link}/delete", None),
    *[("post", "/api/url/add", NEW_LINK | ref) for ref in REFERENCES],
    *[("put", "/api/url/{my_link}/update", ref) for ref in REFERENCES],
    ("post", "/api/campaign/{campaign}/assign/{my_link}", None),
    ("post", "/api/campaign/{my_campaign}/assign/{link}", None),
    ("put", "/api/campaign/{campaign}/update", {"name": "Mine now", "slug": "mine"}),
    ("delete", "/api/campaign/{campaign}/delete", None),
    ("get", "/api/qr/{qr}", None),
    ("put", "/api/qr/{qr}/update", {"data": "mine now"}),
    ("delete", "/api/qr/{qr}/delete", None),
    ("get", "/api/channel/{channel}", None),
    ("post", "/api/channel/{channel}/assign/links/{my_link}", None),
    ("post", "/api/channel/{channel}/assign/qr/{my_qr}", None),
    ("post", "/api/channel/{channel}/assign/bio/{my_link}", None),
    ("post", "/api/channel/{my_channel}/assign/links/{link}", None),
    ("post", "/api/channel/{my_channel}/assign/qr/{qr}", None),
    ("put", "/api/channel/{channel}/update", {"name": "Mine now"}),
    ("delete", "/api/channel/{channel}/delete", None),
    ("put", "/api/pixel/{pixel}/update", {"name": "Mine now", "tag": "MINE"}),
    ("delete", "/api/pixel/{pixel}/delete", None),
    ("put", "/api/domain/{domain}/update", {"redirectroot": "https://example.org"}),
    ("delete", "/api/domain/{domain}/delete", None),
    ("delete", "/api/splash/{splash}/delete", None),
    ("delete", "/api/overlay/{overlay}/delete", None),
]
LISTS = {
    "/api/urls": ("urls", "link"),
    "/api/campaigns": ("campaigns", "campaign"),
    "/api/qr": ("qrs", "qr"),
    "/api/channels": ("channels", "channel"),
    "/api/pixels": ("pixels", "pixel"),
    "/api/domains": ("domains", "domain"),
    "/api/splash": ("splash", "splash"),
    "/api/overlay": ("cta", "overlay"),
}


def fill(value, ids):
    """`value` with every "{name}" replaced by ids[name] (a whole "{name}" keeps its type)."""
    if isinstance(value, dict):
        return {key: fill(item, ids) for key, item in value.items()}
    if isinstance(value, list):
        return [fill(item, ids) for item in value]
    if isinstance(value, str):
        if value.startswith("{") and value.endswith("}") and value[1:-1] in ids:
            return ids[value[1:-1]]
        return value.format(**ids)
    return value


def created(response) -> int:
    assert response.status_code == 200, response.json
    return response.json["id"]


def make_objects(client, headers, prefix: str) -> dict:
    """One of every kind of object, created through the API; their ids."""
    domain_url = f"https://{prefix}.example.com"
    bodies = {
        "campaign": ("/api/campaign/add", {"name": "C", "slug": prefix}),
        "channel": ("/api/channel/add", {"name": "Ch"}),
        "pixel": ("/api/pixel/add", {"type": "bing", "name": "P", "tag": "T"}),
        "domain": ("/api/domain/add", {"domain": domain_url}),
        "splash": ("/api/splash/add", {"name": "S"}),
        "overlay": ("/api/overlay/add", {"type": "message", "name": "O"}),
        "qr": ("/api/qr/add", {"type": "text", "data": "hi"}),
    }
    ids = {
        name: created(client.post(path, json=body, headers=headers))
        for name, (path, body) in bodies.items()
    }
    link = {
        "url": "https://example.com/theirs",
        "campaign": ids["campaign"],
        "channel": ids["channel"],
        "pixels": [ids["pixel"]],
        "type": f"splash-{ids['splash']}",
    }
    ids["link"] = created(client.post("/api/url/add", json=link, headers=headers))
    assign = f"/api/channel/{ids['channel']}/assign/qr/{ids['qr']}"
    assert client.post(assign, headers=headers).status_code == 200
    return ids | {"domain_url": domain_url}


def snapshot(app) -> dict:
    """Every row of every shortener table."""
    with app.app_context():
        return {name: db.session.execute(select(db.metadata.tables[name])).all() for name in TABLES}


@pytest.fixture
def owner(app, other_user):
    put_on_plan(app, other_user, "Everything", EVERY_FEATURE)
    return other_user


@pytest.fixture
def intruder(app, user):
    """On a plan with every feature, so no plan limit answers before ownership is checked."""
    put_on_plan(app, user, "Everything", EVERY_FEATURE)
    return user


@pytest.fixture
def objects(client, owner, intruder, api_key_headers):
    theirs = make_objects(client, api_key_headers(owner), "theirs")
    mine = make_objects(client, api_key_headers(intruder), "mine")
    return theirs, mine


def test_every_id_endpoint_answers_another_users_id_like_a_missing_one(
    app, client, intruder, objects, api_key_headers
):
    theirs, mine = objects
    own = {f"my_{name}": value for name, value in mine.items()}
    missing = {name: MISSING for name in theirs} | {"domain_url": "https://missing.example.com"}
    before = snapshot(app)

    for method, template, body in ENDPOINTS:
        answers = [
            getattr(client, method)(
                template.format(**ids), json=fill(body, ids), headers=api_key_headers(intruder)
            )
            for ids in (theirs | own, missing | own)
        ]
        assert [a.status_code for a in answers] == [404, 404], (method, template, body)
        assert answers[0].json == answers[1].json, (method, template, body)
        assert answers[0].json["error"] == 1
        assert answers[0].json["message"].endswith("not found"), answers[0].json

    assert snapshot(app) == before


def test_lists_show_only_the_callers_objects(client, intruder, objects, api_key_headers):
    theirs, mine = objects

    for path, (key, name) in LISTS.items():
        response = client.get(path, headers=api_key_headers(intruder))
        assert response.status_code == 200, path
        assert [item["id"] for item in response.json["data"][key]] == [mine[name]], path
    items = client.get(f"/api/channel/{mine['channel']}", headers=api_key_headers(intruder))
    assert [(i["type"], i["id"]) for i in items.json["data"]["items"]] == [
        ("qr", mine["qr"]),
        ("links", mine["link"]),
    ]
