"""Custom splash pages and CTA overlays (seed 004): list, add, delete; the plan's counts."""

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from likepion.core.db import db
from likepion.shortener.models import Overlay, ShortUrl, Splash
from tests.helpers import assert_bad_paging_refused, assert_each_refused, check_pages, count_rows

TIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")


def add_splash(client, headers, name="Product 1 Promo", **body):
    response = client.post("/api/splash/add", json={"name": name, **body}, headers=headers)
    assert response.status_code == 200, response.json
    return response.json["id"]


def add_overlay(client, headers, name="Product 1 Promo", type="message", **body):
    body = {"type": type, "name": name, **body}
    response = client.post("/api/overlay/add", json=body, headers=headers)
    assert response.status_code == 200, response.json
    return response.json["id"]


def splash_row(app, splash_id):
    with app.app_context():
        row = db.session.get(Splash, splash_id)
        if row is None:
            return None
        return (row.user_id, row.name, row.title, row.message, row.link, row.counter)


def overlay_row(app, overlay_id):
    with app.app_context():
        row = db.session.get(Overlay, overlay_id)
        if row is None:
            return None
        return (row.user_id, row.type, row.name, row.message, row.button_text, row.button_url)


# --- splash -----------------------------------------------------------------------------------
def test_add_splash(app, client, business_user, api_key_headers):
    response = client.post(
        "/api/splash/add",
        json={
            "name": "Product 1 Promo",
            "title": "Wait for it",
            "message": "Our spring sale",
            "link": "https://shop.example.com/sale",
            "counter": 10,
        },
        headers=api_key_headers(business_user),
    )

    assert response.status_code == 200
    assert set(response.json) == {"error", "id"}
    assert response.json["error"] == 0
    assert splash_row(app, response.json["id"]) == (
        business_user.id,
        "Product 1 Promo",
        "Wait for it",
        "Our spring sale",
        "https://shop.example.com/sale",
        10,
    )


def test_list_splash_pages_in_the_seed_envelope(client, business_user, admin, api_key_headers):
    headers = api_key_headers(business_user)
    ids = [add_splash(client, headers, name=f"Product {n} Promo") for n in (1, 2, 3)]
    add_splash(client, api_key_headers(admin), name="Not mine")

    items = check_pages(client, headers, "/api/splash", "splash", ids[::-1])

    assert all(set(item) == {"id", "name", "date"} for item in items)
    assert items[1]["name"] == "Product 2 Promo"
    assert TIME.match(items[1]["date"])


# --- overlays ---------------------------------------------------------------------------------
def test_add_overlay(app, client, business_user, api_key_headers):
    response = client.post(
        "/api/overlay/add",
        json={
            "type": "contact",
            "name": "Contact Page",
            "message": "Talk to us",
            "button_text": "Write",
            "button_url": "https://example.com/contact",
        },
        headers=api_key_headers(business_user),
    )

    assert response.status_code == 200
    assert set(response.json) == {"error", "id"}
    assert response.json["error"] == 0
    assert overlay_row(app, response.json["id"]) == (
        business_user.id,
        "contact",
        "Contact Page",
        "Talk to us",
        "Write",
        "https://example.com/contact",
    )


def test_list_overlays_pages_in_the_seed_envelope(client, business_user, admin, api_key_headers):
    headers = api_key_headers(business_user)
    ids = [
        add_overlay(client, headers, name="Product 1 Promo"),
        add_overlay(client, headers, name="Contact Page", type="contact"),
        add_overlay(client, headers, name="Product 3 Promo"),
    ]
    add_overlay(client, api_key_headers(admin), name="Not mine")

    items = check_pages(client, headers, "/api/overlay", "cta", ids[::-1])

    assert all(set(item) == {"id", "type", "name", "date"} for item in items)
    assert (items[1]["type"], items[1]["name"]) == ("contact", "Contact Page")
    assert TIME.match(items[1]["date"])


# --- both -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Kind:
    """Splash pages or overlays: what the shared tests below need to know of each."""

    path: str
    model: type
    add: Callable
    body: dict  # the smallest valid body but its name
    plan_count: int
    words: str  # as the messages name them
    link_column: str
    deleted: str
    bad_bodies: list = field(default_factory=list)  # (body, the field the message names)


SPLASH = Kind(
    "splash",
    Splash,
    add_splash,
    {},
    5,
    "custom splash pages",
    "splash_id",
    "Splash page has been deleted successfully.",
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": "ok", "counter": 0}, "counter"),
        ({"name": "ok", "counter": 61}, "counter"),
        ({"name": "ok", "counter": "soon"}, "counter"),
        ({"name": "ok", "link": "javascript:alert(1)"}, "link"),
        ({"name": "ok", "link": "http://localhost/abc"}, "link"),
        ({"name": "ok", "title": "t" * 256}, "title"),
    ],
)
OVERLAY = Kind(
    "overlay",
    Overlay,
    add_overlay,
    {"type": "message"},
    10,
    "CTA overlays",
    "overlay_id",
    "Overlay has been deleted successfully.",
    [
        ({"name": "ok"}, "type"),
        ({"type": "popup", "name": "ok"}, "type"),
        ({"type": "message"}, "name"),
        ({"type": "message", "name": ""}, "name"),
        ({"type": "message", "name": "ok", "button_url": "data:text/html,hi"}, "button_url"),
        ({"type": "message", "name": "ok", "button_text": "b" * 101}, "button_text"),
    ],
)
KINDS = pytest.mark.parametrize("kind", [SPLASH, OVERLAY], ids=lambda kind: kind.path)


@KINDS
def test_the_free_plan_has_none(app, client, user, api_key_headers, kind):
    response = client.post(
        f"/api/{kind.path}/add", json={**kind.body, "name": "Nope"}, headers=api_key_headers(user)
    )

    assert response.status_code == 403
    assert response.json == {
        "error": 1,
        "message": f"{kind.words[0].upper()}{kind.words[1:]} are not available on your plan.",
    }
    assert count_rows(app, kind.model) == 0


@KINDS
def test_business_plan_allows_its_count(app, client, business_user, api_key_headers, kind):
    headers = api_key_headers(business_user)
    for n in range(kind.plan_count):
        kind.add(client, headers, name=f"Item {n}")

    response = client.post(
        f"/api/{kind.path}/add", json={**kind.body, "name": "One more"}, headers=headers
    )

    assert response.status_code == 403
    assert response.json == {
        "error": 1,
        "message": f"Your plan allows {kind.plan_count} {kind.words}; delete one or upgrade.",
    }
    assert count_rows(app, kind.model) == kind.plan_count


@KINDS
def test_add_bad_input_writes_nothing(app, client, business_user, api_key_headers, kind):
    headers = api_key_headers(business_user)
    assert_each_refused(client, "POST", f"/api/{kind.path}/add", headers, kind.bad_bodies)
    assert count_rows(app, kind.model) == 0


@KINDS
def test_delete_keeps_links_that_showed_it(app, client, business_user, api_key_headers, kind):
    headers = api_key_headers(business_user)
    item = kind.add(client, headers)
    link = client.post(
        "/api/url/add",
        json={"url": "https://example.com", "type": f"{kind.path}-{item}"},
        headers=headers,
    ).json["id"]

    response = client.delete(f"/api/{kind.path}/{item}/delete", headers=headers)

    assert response.status_code == 200
    assert response.json == {"error": 0, "message": kind.deleted}
    with app.app_context():
        assert db.session.get(kind.model, item) is None
        assert getattr(db.session.get(ShortUrl, link), kind.link_column) is None


@KINDS
def test_delete_missing_is_404_and_deletes_nothing(
    app, client, business_user, api_key_headers, kind
):
    headers = api_key_headers(business_user)
    item = kind.add(client, headers)

    for path in (f"/api/{kind.path}/{item + 1}/delete", f"/api/{kind.path}/abc/delete"):
        response = client.delete(path, headers=headers)
        assert response.status_code == 404, path
        assert response.json["error"] == 1
    assert count_rows(app, kind.model) == 1


@KINDS
def test_list_refuses_bad_paging(client, business_user, api_key_headers, kind):
    assert_bad_paging_refused(client, api_key_headers(business_user), f"/api/{kind.path}")
