"""`GET /qr/<alias>`: the QR image (PNG, or SVG with `?format=svg`) in its colours, decoding to
its data; revalidation by ETag; every fetch by a person is a scan (docs/redirect.md)."""

import io
import re
from xml.etree import ElementTree

import PIL.Image
import pytest

from tests.images import SVG, decoded, svg_to_png
from tests.redirect.conftest import GOOGLEBOT, WINDOWS_CHROME, assert_html, clicks_of

LINK = "https://example.com/qr-landing"


@pytest.fixture
def headers(user, api_key_headers):
    return api_key_headers(user)


def add_qr(client, headers, **body) -> tuple[int, str]:
    """A QR code made through `POST /api/qr/add`: (id, alias of its image URL)."""
    body = {"type": "link", "data": LINK} | body
    response = client.post("/api/qr/add", json=body, headers=headers)
    assert response.status_code == 200, response.json
    return response.json["id"], response.json["link"].rsplit("/", 1)[1]


def fetch(client, alias, query="", **headers):
    return client.get(f"/qr/{alias}{query}", headers={"User-Agent": WINDOWS_CHROME, **headers})


def scans_in_api(client, headers, qr_id) -> tuple[int, int]:
    """The scan count in `GET /api/qr` and in `GET /api/qr/:id`."""
    listed = client.get("/api/qr", headers=headers).json["data"]["qrs"]
    [item] = [item for item in listed if item["id"] == qr_id]
    one = client.get(f"/api/qr/{qr_id}", headers=headers).json
    assert one["details"]["scans"] == one["data"]["clicks"]
    return item["scans"], one["details"]["scans"]


# --- the image --------------------------------------------------------------------------------
def test_png_decodes_to_the_qr_data(app, client, headers):
    _, alias = add_qr(client, headers)

    response = fetch(client, alias)

    assert response.status_code == 200
    assert response.mimetype == "image/png"
    assert decoded(response.data).text == LINK


def test_png_of_a_structured_type_decodes_to_its_payload(app, client, headers):
    _, alias = add_qr(
        client,
        headers,
        type="wifi",
        data={"ssid": "HomeNet", "password": "s3cret-pass", "encryption": "WPA"},
    )

    assert decoded(fetch(client, alias).data).text == "WIFI:T:WPA;S:HomeNet;P:s3cret-pass;;"


def test_png_is_drawn_in_the_qr_colours(app, client, headers):
    _, alias = add_qr(client, headers, background="rgb(250,240,200)", foreground="rgb(20,40,120)")

    image = PIL.Image.open(io.BytesIO(fetch(client, alias).data)).convert("RGB")

    colours = {colour for _, colour in image.getcolors()}
    assert colours == {(250, 240, 200), (20, 40, 120)}
    assert image.getpixel((0, 0)) == (250, 240, 200)  # the quiet zone is background
    assert image.getpixel((45, 45)) == (20, 40, 120)  # the top-left finder is foreground
    assert decoded(fetch(client, alias).data).text == LINK


def test_svg_is_drawn_in_the_qr_colours_and_decodes(app, client, headers):
    _, alias = add_qr(client, headers, background="rgb(250,240,200)", foreground="rgb(20,40,120)")

    response = fetch(client, alias, "?format=svg")

    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    root = ElementTree.fromstring(response.data)
    assert root.tag == f"{SVG}svg"
    background, strokes = root.iter(f"{SVG}path")
    assert background.get("fill") == "#faf0c8"
    assert strokes.get("stroke") == "#142878"
    assert decoded(svg_to_png(response.data)).text == LINK


def test_unknown_qr_or_format_is_a_404_page(app, client, headers):
    _, alias = add_qr(client, headers)

    for path in ("/qr/nothere", f"/qr/{alias}?format=gif", f"/qr/{alias}?format=", "/qr/a%00b"):
        assert_html(client.get(path), 404, "This QR code does not exist.")
    assert clicks_of(app) == []


def test_a_deleted_qr_is_a_404_page(app, client, headers):
    qr_id, alias = add_qr(client, headers)
    assert fetch(client, alias).status_code == 200

    assert client.delete(f"/api/qr/{qr_id}/delete", headers=headers).status_code == 200

    assert_html(fetch(client, alias), 404, "This QR code does not exist.")


# --- ETag -------------------------------------------------------------------------------------
def test_etag_revalidation_answers_304(app, client, headers):
    _, alias = add_qr(client, headers)
    first = fetch(client, alias)
    assert first.headers["Cache-Control"] == "no-cache"
    etag = first.headers["ETag"]
    assert re.fullmatch(r'"[0-9a-f]{32}"', etag)

    again = fetch(client, alias, **{"If-None-Match": etag})

    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag


def test_png_and_svg_have_different_etags(app, client, headers):
    _, alias = add_qr(client, headers)
    png_etag = fetch(client, alias).headers["ETag"]
    svg_etag = fetch(client, alias, "?format=svg").headers["ETag"]

    assert png_etag != svg_etag
    assert fetch(client, alias, "?format=svg", **{"If-None-Match": png_etag}).status_code == 200


def test_an_update_changes_the_etag_and_the_image(app, client, headers):
    qr_id, alias = add_qr(client, headers)
    old = fetch(client, alias)

    response = client.put(
        f"/api/qr/{qr_id}/update", json={"data": "https://example.com/new"}, headers=headers
    )
    assert response.status_code == 200

    new = fetch(client, alias, **{"If-None-Match": old.headers["ETag"]})
    assert new.status_code == 200
    assert new.headers["ETag"] != old.headers["ETag"]
    assert decoded(new.data).text == "https://example.com/new"


# --- scans ------------------------------------------------------------------------------------
def test_each_fetch_by_a_person_counts_as_a_scan(app, client, headers):
    qr_id, alias = add_qr(client, headers)
    assert scans_in_api(client, headers, qr_id) == (0, 0)

    etag = fetch(client, alias).headers["ETag"]
    fetch(client, alias, "?format=svg")
    assert fetch(client, alias, **{"If-None-Match": etag}).status_code == 304
    assert client.get(f"/qr/{alias}", headers={"User-Agent": GOOGLEBOT}).status_code == 200
    assert client.head(f"/qr/{alias}", headers={"User-Agent": WINDOWS_CHROME}).status_code == 200

    assert scans_in_api(client, headers, qr_id) == (3, 3)
    rows = clicks_of(app, qr_code_id=qr_id)
    assert len(rows) == 3
    assert all(row.short_url_id is None and row.browser == "Chrome" for row in rows)


def test_scans_count_only_on_their_own_qr(app, client, headers):
    scanned, alias = add_qr(client, headers)
    quiet, _ = add_qr(client, headers, data="https://example.com/quiet")

    fetch(client, alias)

    assert scans_in_api(client, headers, scanned) == (1, 1)
    assert scans_in_api(client, headers, quiet) == (0, 0)
