"""Pixels (seed 004): list, add, update, delete; the seed's 13 types; the plan's pixel count."""

import re

from sqlalchemy import select

from likepion.core.db import db
from likepion.shortener.models import Pixel, ShortUrl, short_url_pixels
from tests.helpers import assert_bad_paging_refused, assert_each_refused, check_pages, count_rows

PIXEL_TYPES = [
    "gtmpixel", "gapixel", "fbpixel", "adwordspixel", "linkedinpixel", "twitterpixel",
    "adrollpixel", "quorapixel", "pinterest", "bing", "snapchat", "reddit", "tiktok",
]  # fmt: skip
PIXEL_KEYS = {"id", "type", "name", "tag", "date"}
TIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")


def add_pixel(client, headers, type="gtmpixel", name="My GTM", tag="GTM-ABCDE"):
    body = {"type": type, "name": name, "tag": tag}
    response = client.post("/api/pixel/add", json=body, headers=headers)
    assert response.status_code == 200, response.json
    return response.json["id"]


def pixel_row(app, pixel_id):
    with app.app_context():
        row = db.session.get(Pixel, pixel_id)
        return None if row is None else (row.user_id, row.type, row.name, row.tag)


# --- add --------------------------------------------------------------------------------------
def test_add_pixel_answers_the_seed_shape(app, client, business_user, api_key_headers):
    response = client.post(
        "/api/pixel/add",
        json={"type": "gtmpixel", "name": "My GTM", "tag": "GTM-ABCDE"},
        headers=api_key_headers(business_user),
    )

    assert response.status_code == 200
    assert set(response.json) == {"error", "id"}
    assert response.json["error"] == 0
    pixel = response.json["id"]
    assert pixel_row(app, pixel) == (business_user.id, "gtmpixel", "My GTM", "GTM-ABCDE")


def test_every_seed_pixel_type_is_accepted(app, client, power_user, api_key_headers):
    ids = [add_pixel(client, api_key_headers(power_user), type=kind) for kind in PIXEL_TYPES]

    with app.app_context():
        stored = db.session.scalars(select(Pixel.type).order_by(Pixel.id)).all()
    assert stored == PIXEL_TYPES
    assert len(set(ids)) == 13


def test_the_free_plan_has_no_pixels(app, client, user, api_key_headers):
    response = client.post(
        "/api/pixel/add",
        json={"type": "fbpixel", "name": "FB", "tag": "123"},
        headers=api_key_headers(user),
    )

    assert response.status_code == 403
    assert response.json == {"error": 1, "message": "Pixels are not available on your plan."}
    assert count_rows(app, Pixel) == 0


def test_business_plan_allows_ten_pixels(app, client, business_user, api_key_headers):
    headers = api_key_headers(business_user)
    for n in range(10):
        add_pixel(client, headers, name=f"Pixel {n}")

    response = client.post(
        "/api/pixel/add", json={"type": "bing", "name": "Eleventh", "tag": "1"}, headers=headers
    )

    assert response.status_code == 403
    assert response.json == {
        "error": 1,
        "message": "Your plan allows 10 pixels; delete one or upgrade.",
    }
    assert count_rows(app, Pixel) == 10


def test_admins_are_not_plan_limited(app, client, admin, api_key_headers):
    pixel = add_pixel(client, api_key_headers(admin), type="tiktok", tag="TT1")

    assert pixel_row(app, pixel) == (admin.id, "tiktok", "My GTM", "TT1")


def test_add_pixel_bad_input_writes_nothing(app, client, business_user, api_key_headers):
    cases = [
        ({"type": "facebook", "name": "n", "tag": "t"}, "type"),
        ({"type": "GTMPIXEL", "name": "n", "tag": "t"}, "type"),
        ({"name": "n", "tag": "t"}, "type"),
        ({"type": "gapixel", "tag": "t"}, "name"),
        ({"type": "gapixel", "name": "", "tag": "t"}, "name"),
        ({"type": "gapixel", "name": "n"}, "tag"),
        ({"type": "gapixel", "name": "n", "tag": "<script>alert(1)</script>"}, "tag"),
        ({"type": "gapixel", "name": "n", "tag": "t" * 101}, "tag"),
    ]
    assert_each_refused(client, "POST", "/api/pixel/add", api_key_headers(business_user), cases)
    assert count_rows(app, Pixel) == 0


# --- list -------------------------------------------------------------------------------------
def test_list_pixels_pages_in_the_seed_envelope(client, business_user, admin, api_key_headers):
    headers = api_key_headers(business_user)
    first = add_pixel(client, headers, name="GTM Pixel", tag="GA-123456789")
    second = add_pixel(client, headers, type="twitterpixel", name="Twitter Pixel", tag="1234567")
    third = add_pixel(client, headers, type="reddit", name="Reddit", tag="t2_abc")
    add_pixel(client, api_key_headers(admin), name="Not mine")

    items = check_pages(client, headers, "/api/pixels", "pixels", [third, second, first])
    item = items[1]
    assert set(item) == PIXEL_KEYS
    assert item == {
        "id": second,
        "type": "twitterpixel",
        "name": "Twitter Pixel",
        "tag": "1234567",
        "date": item["date"],
    }
    assert TIME.match(item["date"])


def test_list_pixels_refuses_bad_paging(client, business_user, api_key_headers):
    assert_bad_paging_refused(client, api_key_headers(business_user), "/api/pixels")


# --- update -----------------------------------------------------------------------------------
def test_update_pixel(app, client, business_user, api_key_headers):
    headers = api_key_headers(business_user)
    pixel = add_pixel(client, headers, type="fbpixel", name="Old", tag="111")

    response = client.put(
        f"/api/pixel/{pixel}/update", json={"name": "My GTM", "tag": "GTM-ABCDE"}, headers=headers
    )

    assert response.status_code == 200
    assert response.json == {"error": 0, "message": "Pixel has been updated successfully."}
    assert pixel_row(app, pixel) == (business_user.id, "fbpixel", "My GTM", "GTM-ABCDE")


def test_update_pixel_without_name_keeps_the_name(app, client, business_user, api_key_headers):
    headers = api_key_headers(business_user)
    pixel = add_pixel(client, headers, name="Keep", tag="111")

    response = client.put(f"/api/pixel/{pixel}/update", json={"tag": "222"}, headers=headers)

    assert response.status_code == 200
    assert pixel_row(app, pixel) == (business_user.id, "gtmpixel", "Keep", "222")


def test_update_pixel_bad_input_changes_nothing(app, client, business_user, api_key_headers):
    headers = api_key_headers(business_user)
    pixel = add_pixel(client, headers, name="Keep", tag="111")
    cases = [
        ({"name": "No tag"}, "tag"),
        ({"tag": "has space"}, "tag"),
        ({"tag": "222", "name": ""}, "name"),
    ]
    assert_each_refused(client, "PUT", f"/api/pixel/{pixel}/update", headers, cases)
    missing = client.put(f"/api/pixel/{pixel + 1}/update", json={"tag": "222"}, headers=headers)
    assert missing.status_code == 404
    assert missing.json == {"error": 1, "message": "Pixel not found"}
    assert pixel_row(app, pixel) == (business_user.id, "gtmpixel", "Keep", "111")


# --- delete -----------------------------------------------------------------------------------
def test_delete_pixel_detaches_it_from_links(app, client, business_user, api_key_headers):
    headers = api_key_headers(business_user)
    pixel = add_pixel(client, headers)
    kept = add_pixel(client, headers, name="Kept")
    link = client.post(
        "/api/url/add",
        json={"url": "https://example.com", "pixels": [pixel, kept]},
        headers=headers,
    ).json["id"]

    response = client.delete(f"/api/pixel/{pixel}/delete", headers=headers)

    assert response.status_code == 200
    assert response.json == {"error": 0, "message": "Pixel has been deleted successfully."}
    assert pixel_row(app, pixel) is None
    with app.app_context():
        assert db.session.get(ShortUrl, link) is not None
        rows = db.session.execute(select(short_url_pixels)).all()
    assert rows == [(link, kept)]


def test_delete_missing_pixel_is_404_and_deletes_nothing(
    app, client, business_user, api_key_headers
):
    headers = api_key_headers(business_user)
    pixel = add_pixel(client, headers)

    for path in (f"/api/pixel/{pixel + 1}/delete", "/api/pixel/none/delete"):
        response = client.delete(path, headers=headers)
        assert response.status_code == 404, path
        assert response.json["error"] == 1
    assert count_rows(app, Pixel) == 1
