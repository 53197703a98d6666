"""Custom splash pages and CTA overlays (seed 004): list, add, delete; the plan's counts."""

import re

from sqlalchemy import func, select

from likepion.core.db import db
from likepion.shortener.models import Overlay, ShortUrl, Splash

NUMBERS = {"result", "perpage", "currentpage", "nextpage", "maxpage"}
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


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


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


def check_pages(client, headers, path, key, newest_first):
    """Three items, limit 2: the seed's envelope numbers on both pages; the page-1 items."""
    page1 = client.get(f"{path}?limit=2&page=1", headers=headers)
    page2 = client.get(f"{path}?limit=2&page=2", headers=headers)
    assert page1.status_code == page2.status_code == 200
    assert page1.json["error"] == page2.json["error"] == "0"
    data = page1.json["data"]
    assert set(data) == NUMBERS | {key}
    numbers = {name: data[name] for name in NUMBERS}
    assert numbers == {"result": 3, "perpage": 2, "currentpage": 1, "nextpage": 2, "maxpage": 2}
    assert [item["id"] for item in data[key]] == newest_first[:2]
    last = page2.json["data"]
    assert (last["currentpage"], last["nextpage"], last["maxpage"]) == (2, 2, 2)
    assert [item["id"] for item in last[key]] == newest_first[2:]
    return data[key]


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


def test_the_free_plan_has_no_splash_pages(app, client, user, api_key_headers):
    response = client.post("/api/splash/add", json={"name": "Nope"}, headers=api_key_headers(user))

    assert response.status_code == 403
    assert response.json == {
        "error": 1,
        "message": "Custom splash pages are not available on your plan.",
    }
    assert count(app, Splash) == 0


def test_business_plan_allows_five_splash_pages(app, client, business_user, api_key_headers):
    headers = api_key_headers(business_user)
    for n in range(5):
        add_splash(client, headers, name=f"Splash {n}")

    response = client.post("/api/splash/add", json={"name": "Sixth"}, headers=headers)

    assert response.status_code == 403
    assert response.json == {
        "error": 1,
        "message": "Your plan allows 5 custom splash pages; delete one or upgrade.",
    }
    assert count(app, Splash) == 5


def test_add_splash_bad_input_writes_nothing(app, client, business_user, api_key_headers):
    cases = [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": "ok", "counter": 0}, "counter"),
        ({"name": "ok", "counter": 61}, "counter"),
        ({"name": "ok", "counter": "soon"}, "counter"),
        ({"name": "ok", "link": "javascript:alert(1)"}, "link"),
        ({"name": "ok", "link": "http://localhost/abc"}, "link"),
        ({"name": "ok", "title": "t" * 256}, "title"),
    ]
    for body, field in cases:
        response = client.post("/api/splash/add", json=body, headers=api_key_headers(business_user))
        assert response.status_code == 400, body
        assert response.json["error"] == 1
        assert field in response.json["message"], body
    assert count(app, Splash) == 0


def test_delete_splash_keeps_links_that_showed_it(app, client, business_user, api_key_headers):
    headers = api_key_headers(business_user)
    splash = add_splash(client, headers)
    link = client.post(
        "/api/url/add",
        json={"url": "https://example.com", "type": f"splash-{splash}"},
        headers=headers,
    ).json["id"]

    response = client.delete(f"/api/splash/{splash}/delete", headers=headers)

    assert response.status_code == 200
    assert response.json == {"error": 0, "message": "Splash page has been deleted successfully."}
    assert splash_row(app, splash) is None
    with app.app_context():
        assert db.session.get(ShortUrl, link).splash_id is None


def test_delete_missing_splash_is_404_and_deletes_nothing(
    app, client, business_user, api_key_headers
):
    headers = api_key_headers(business_user)
    splash = add_splash(client, headers)

    for path in (f"/api/splash/{splash + 1}/delete", "/api/splash/abc/delete"):
        response = client.delete(path, headers=headers)
        assert response.status_code == 404, path
        assert response.json["error"] == 1
    assert count(app, Splash) == 1


def test_splash_list_refuses_bad_paging(client, business_user, api_key_headers):
    for query, field in (("page=0", "page"), ("limit=100000", "limit")):
        response = client.get(f"/api/splash?{query}", headers=api_key_headers(business_user))
        assert response.status_code == 400, query
        assert response.json["error"] == 1
        assert field in response.json["message"]


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


def test_the_free_plan_has_no_overlays(app, client, user, api_key_headers):
    response = client.post(
        "/api/overlay/add", json={"type": "message", "name": "Nope"}, headers=api_key_headers(user)
    )

    assert response.status_code == 403
    assert response.json == {"error": 1, "message": "CTA overlays are not available on your plan."}
    assert count(app, Overlay) == 0


def test_business_plan_allows_ten_overlays(app, client, business_user, api_key_headers):
    headers = api_key_headers(business_user)
    for n in range(10):
        add_overlay(client, headers, name=f"Overlay {n}")

    response = client.post(
        "/api/overlay/add", json={"type": "message", "name": "Eleventh"}, headers=headers
    )

    assert response.status_code == 403
    assert response.json == {
        "error": 1,
        "message": "Your plan allows 10 CTA overlays; delete one or upgrade.",
    }
    assert count(app, Overlay) == 10


def test_add_overlay_bad_input_writes_nothing(app, client, business_user, api_key_headers):
    cases = [
        ({"name": "ok"}, "type"),
        ({"type": "popup", "name": "ok"}, "type"),
        ({"type": "message"}, "name"),
        ({"type": "message", "name": ""}, "name"),
        ({"type": "message", "name": "ok", "button_url": "data:text/html,hi"}, "button_url"),
        ({"type": "message", "name": "ok", "button_text": "b" * 101}, "button_text"),
    ]
    for body, field in cases:
        response = client.post(
            "/api/overlay/add", json=body, headers=api_key_headers(business_user)
        )
        assert response.status_code == 400, body
        assert response.json["error"] == 1
        assert field in response.json["message"], body
    assert count(app, Overlay) == 0


def test_delete_overlay_keeps_links_that_showed_it(app, client, business_user, api_key_headers):
    headers = api_key_headers(business_user)
    overlay = add_overlay(client, headers)
    link = client.post(
        "/api/url/add",
        json={"url": "https://example.com", "type": f"overlay-{overlay}"},
        headers=headers,
    ).json["id"]

    response = client.delete(f"/api/overlay/{overlay}/delete", headers=headers)

    assert response.status_code == 200
    assert response.json == {"error": 0, "message": "Overlay has been deleted successfully."}
    assert overlay_row(app, overlay) is None
    with app.app_context():
        assert db.session.get(ShortUrl, link).overlay_id is None


def test_delete_missing_overlay_is_404_and_deletes_nothing(
    app, client, business_user, api_key_headers
):
    headers = api_key_headers(business_user)
    overlay = add_overlay(client, headers)

    for path in (f"/api/overlay/{overlay + 1}/delete", "/api/overlay/abc/delete"):
        response = client.delete(path, headers=headers)
        assert response.status_code == 404, path
        assert response.json["error"] == 1
    assert count(app, Overlay) == 1


def test_overlay_list_refuses_bad_paging(client, business_user, api_key_headers):
    for query, field in (("page=0", "page"), ("limit=100000", "limit")):
        response = client.get(f"/api/overlay?{query}", headers=api_key_headers(business_user))
        assert response.status_code == 400, query
        assert response.json["error"] == 1
        assert field in response.json["message"]
