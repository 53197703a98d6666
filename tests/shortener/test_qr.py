"""QR codes: `GET /api/qr`, `GET /api/qr/:id`, `POST /api/qr/add`, `PUT /api/qr/:id/update`,
`DELETE /api/qr/:id/delete` (seed 004, "QR codes"); every type's image decodes to its data."""

import base64
import io
import re
from xml.etree import ElementTree

import PIL.Image
import pytest
from PIL import ImageColor
from sqlalchemy import func, select

from likepion.core.db import db
from likepion.shortener import qrcodes, urlcheck
from likepion.shortener.models import Click, QrCode
from tests.clicks import add_scans
from tests.helpers import (
    PAGE_NUMBERS,
    QuietHandler,
    assert_error,
    assert_foreign_answers_like_missing,
    count_rows,
    load_row,
    loopback_server,
)
from tests.images import decoded, image_bytes, svg_to_png

QR_FIELDS = {"id", "link", "scans", "name", "date"}
PAGE_FIELDS = PAGE_NUMBERS | {"qrs"}
STATS_FIELDS = {
    "clicks", "uniqueClicks", "topCountries", "topReferrers", "topBrowsers", "topOs",
    "socialCount",
}  # fmt: skip
SEED_BODY = {
    "type": "link",
    "data": "https://google.com",
    "background": "rgb(255,255,255)",
    "foreground": "rgb(0,0,0)",
}
# (type, data as sent, the exact text the code must carry, parts of the input it must contain)
TYPES = [
    ("text", "Hello, QR world", "Hello, QR world", ["Hello, QR world"]),
    ("link", "https://example.com/page?x=1", "https://example.com/page?x=1", ["example.com/page"]),
    ("phone", "+15551234567", "tel:+15551234567", ["+15551234567"]),
    (
        "sms",
        {"phone": "+15551234567", "message": "See you at 5"},
        "SMSTO:+15551234567:See you at 5",
        ["+15551234567", "See you at 5"],
    ),
    (
        "email",
        {"email": "ada@example.com", "subject": "Hi", "body": "Lunch"},
        "mailto:ada@example.com?subject=Hi&body=Lunch",
        ["ada@example.com", "Hi", "Lunch"],
    ),
    (
        "wifi",
        {"ssid": "HomeNet", "password": "s3cret-pass", "encryption": "WPA"},
        "WIFI:T:WPA;S:HomeNet;P:s3cret-pass;;",
        ["HomeNet", "s3cret-pass"],
    ),
    (
        "vcard",
        {"firstname": "Ada", "lastname": "Lovelace", "email": "ada@example.com"},
        "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Lovelace;Ada\r\nFN:Ada Lovelace\r\n"
        "EMAIL:ada@example.com\r\nEND:VCARD\r\n",
        ["Ada Lovelace", "ada@example.com"],
    ),
]


def add_qr(client, headers, **body):
    return client.post("/api/qr/add", json=body, headers=headers)


def new_qr(client, headers, **body) -> int:
    body = {"type": "link", "data": "https://example.com/qr"} | body
    response = add_qr(client, headers, **body)
    assert response.status_code == 200, response.json
    return response.json["id"]


def rendered(app, qr_id, kind="png") -> tuple[bytes, str]:
    """The QR code's image and the text `payload` says it encodes."""
    with app.app_context():
        qr = db.session.get(QrCode, qr_id)
        return qrcodes.render(qr, kind), qrcodes.payload(qr)


def data_uri(raw: bytes, mime="image/png") -> str:
    return f"data:{mime};base64,{base64.b64encode(raw).decode()}"


@pytest.fixture
def logo_server(monkeypatch):
    """A local HTTP server: `/logo.png` is a 40x40 blue PNG, `/moved` redirects to it. Its
    host counts as public for the test, so the fetch path runs without the internet."""
    logo = image_bytes((0, 0, 255), size=(40, 40))
    requested = []

    class Handler(QuietHandler):
        def do_GET(self):
            requested.append(self.path)
            if self.path == "/moved":
                self.send_response(302)
                self.send_header("Location", "/logo.png")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(logo)))
            self.end_headers()
            self.wfile.write(logo)

    with loopback_server(Handler) as server:
        monkeypatch.setattr(urlcheck, "is_public_address", lambda address: True)
        monkeypatch.setenv("no_proxy", "*")
        server.base = f"http://127.0.0.1:{server.server_port}"
        server.requested = requested
        yield server


# --- list -------------------------------------------------------------------------------------
def test_list_qr_has_the_seed_shape(app, client, user, api_key_headers):
    headers = api_key_headers(user)
    first = new_qr(client, headers, name="Google Canada", data="https://google.ca")
    second = new_qr(client, headers, name="Google", data="https://google.com")
    add_scans(app, first, *[("CA", None, "Chrome", "Windows 10", f"v{i}") for i in range(5)])

    response = client.get("/api/qr?limit=2&page=1", headers=headers)

    assert response.status_code == 200
    body = response.json
    assert set(body) == {"error", "data"} and body["error"] == "0"
    assert set(body["data"]) == PAGE_FIELDS
    assert {k: v for k, v in body["data"].items() if k != "qrs"} == {
        "result": 2, "perpage": 2, "currentpage": 1, "nextpage": 1, "maxpage": 1,
    }  # fmt: skip
    items = body["data"]["qrs"]
    assert [item["id"] for item in items] == [second, first]
    assert all(set(item) == QR_FIELDS for item in items)
    assert [(i["name"], i["scans"]) for i in items] == [("Google", 0), ("Google Canada", 5)]
    alias = load_row(app, QrCode, first).alias
    assert items[1]["link"] == f"http://localhost/qr/{alias}"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", items[1]["date"])


def test_list_qr_pages_and_shows_only_own_codes(client, user, other_user, api_key_headers):
    mine = [new_qr(client, api_key_headers(user)) for _ in range(3)]
    new_qr(client, api_key_headers(other_user))

    response = client.get("/api/qr?limit=2&page=2", headers=api_key_headers(user))

    assert response.status_code == 200
    data = response.json["data"]
    assert (data["result"], data["currentpage"], data["nextpage"], data["maxpage"]) == (3, 2, 2, 2)
    assert [item["id"] for item in data["qrs"]] == [mine[0]]


def test_list_qr_bad_paging_is_400(client, user, api_key_headers):
    for query in ("limit=0", "page=0", "limit=1001", "limit=abc"):
        assert_error(client.get(f"/api/qr?{query}", headers=api_key_headers(user)), 400)


# --- get --------------------------------------------------------------------------------------
def test_get_qr_has_details_and_scan_stats(app, client, user, api_key_headers):
    headers = api_key_headers(user)
    qr_id = new_qr(client, headers, name="Google Canada")
    add_scans(
        app,
        qr_id,
        ("CA", None, "Chrome", "Windows 10", "a"),
        ("CA", "facebook.com", "Chrome", "Windows 10", "a"),
        ("US", "t.co", "Firefox", "Linux", "b"),
    )

    response = client.get(f"/api/qr/{qr_id}", headers=headers)

    assert response.status_code == 200
    body = response.json
    assert set(body) == {"error", "details", "data"} and body["error"] == 0
    assert set(body["details"]) == QR_FIELDS
    assert (body["details"]["id"], body["details"]["name"]) == (qr_id, "Google Canada")
    assert body["details"]["scans"] == 3
    assert body["details"]["link"] == f"http://localhost/qr/{load_row(app, QrCode, qr_id).alias}"
    stats = body["data"]
    assert set(stats) == STATS_FIELDS
    assert (stats["clicks"], stats["uniqueClicks"]) == (3, 2)
    assert stats["topCountries"] == {"Canada": "2", "United States": "1"}
    assert stats["topBrowsers"] == {"Chrome": "2", "Firefox": "1"}
    assert stats["topOs"] == {"Windows 10": "2", "Linux": "1"}
    assert stats["topReferrers"] == {
        "Direct, email and other": "1", "facebook.com": "1", "t.co": "1",
    }  # fmt: skip
    assert stats["socialCount"] == {"facebook": 1, "twitter": 1, "instagram": 0}


# --- add --------------------------------------------------------------------------------------
def test_add_qr_with_the_seed_body(app, client, user, api_key_headers):
    response = add_qr(client, api_key_headers(user), **SEED_BODY)

    assert response.status_code == 200
    body = response.json
    assert set(body) == {"error", "id", "link"} and body["error"] == 0
    qr = load_row(app, QrCode, body["id"])
    assert body["link"] == f"http://localhost/qr/{qr.alias}"
    assert (qr.user_id, qr.type, qr.data) == (user.id, "link", {"value": "https://google.com"})
    assert (qr.background, qr.foreground, qr.logo) == ("rgb(255,255,255)", "rgb(0,0,0)", None)
    assert qr.name == "https://google.com"


@pytest.mark.parametrize(("qr_type", "data", "text", "parts"), TYPES, ids=[t[0] for t in TYPES])
def test_each_type_decodes_to_its_data(app, client, user, api_key_headers, qr_type, data, text,
                                       parts):  # fmt: skip
    qr_id = new_qr(client, api_key_headers(user), type=qr_type, data=data)

    png, payload = rendered(app, qr_id)

    assert payload == text
    result = decoded(png)
    assert result.text == payload
    assert all(part in result.text for part in parts)


@pytest.mark.parametrize(
    ("qr_type", "data", "stored"),
    [
        ("phone", "+15550001111", {"phone": "+15550001111"}),
        ("sms", "+15550001111", {"phone": "+15550001111"}),
        ("email", "ada@example.com", {"email": "ada@example.com"}),
        ("wifi", "CafeNet", {"ssid": "CafeNet"}),
        ("vcard", "Ada", {"firstname": "Ada"}),
    ],
)
def test_string_data_is_the_types_main_field(app, client, user, api_key_headers, qr_type, data,
                                             stored):  # fmt: skip
    qr_id = new_qr(client, api_key_headers(user), type=qr_type, data=data)

    assert load_row(app, QrCode, qr_id).data == stored
    png, payload = rendered(app, qr_id)
    assert data in decoded(png).text == payload


def test_png_is_drawn_in_the_chosen_colours(app, client, user, api_key_headers):
    qr_id = new_qr(
        client, api_key_headers(user), background="rgb(250,240,200)", foreground="rgb(20,40,120)"
    )

    png, payload = rendered(app, qr_id)

    image = PIL.Image.open(io.BytesIO(png)).convert("RGB")
    assert image.getpixel((0, 0)) == (250, 240, 200)
    assert image.getpixel((image.width - 1, image.height - 1)) == (250, 240, 200)
    assert image.getpixel((45, 45)) == (20, 40, 120)  # the finder pattern, past a 4-module border
    assert decoded(png).text == payload == "https://example.com/qr"


def test_svg_is_drawn_in_the_chosen_colours_and_decodes(app, client, user, api_key_headers):
    qr_id = new_qr(
        client,
        api_key_headers(user),
        type="wifi",
        data={"ssid": "HomeNet", "password": "s3cret-pass"},
        background="rgb(250,240,200)",
        foreground="rgb(20,40,120)",
    )

    svg, payload = rendered(app, qr_id, "svg")

    paths = list(ElementTree.fromstring(svg).iter("{http://www.w3.org/2000/svg}path"))
    assert ImageColor.getrgb(paths[0].get("fill")) == (250, 240, 200)
    assert ImageColor.getrgb(paths[1].get("stroke")) == (20, 40, 120)
    text = decoded(svg_to_png(svg)).text
    assert text == payload and "HomeNet" in text


# --- logos ------------------------------------------------------------------------------------
def test_logo_from_a_data_uri_still_decodes_at_level_h(app, client, user, api_key_headers):
    logo = data_uri(image_bytes((200, 0, 0)))
    qr_id = new_qr(client, api_key_headers(user), type="vcard", data={"firstname": "Ada"},
                   logo=logo)  # fmt: skip

    png, payload = rendered(app, qr_id)

    stored = PIL.Image.open(io.BytesIO(load_row(app, QrCode, qr_id).logo))
    assert (stored.format, stored.size) == ("PNG", (64, 64))
    image = PIL.Image.open(io.BytesIO(png)).convert("RGB")
    assert image.getpixel((image.width // 2, image.height // 2)) == (200, 0, 0)
    result = decoded(png)
    assert result.text == payload and "Ada" in result.text
    assert result.ec_level == "H"


def test_logo_is_embedded_in_the_svg(app, client, user, api_key_headers):
    qr_id = new_qr(client, api_key_headers(user), logo=data_uri(image_bytes((200, 0, 0))))

    svg, _ = rendered(app, qr_id, "svg")

    logo = base64.b64encode(load_row(app, QrCode, qr_id).logo).decode()
    assert f'href="data:image/png;base64,{logo}"'.encode() in svg


def test_jpeg_logo_is_shrunk_and_stored_as_png(app, client, user, api_key_headers):
    jpeg = image_bytes((0, 128, 0), size=(400, 300), fmt="JPEG")

    qr_id = new_qr(client, api_key_headers(user), logo=data_uri(jpeg, "image/jpeg"))

    stored = PIL.Image.open(io.BytesIO(load_row(app, QrCode, qr_id).logo))
    assert (stored.format, stored.size) == ("PNG", (256, 192))


def test_logo_url_on_a_loopback_host_is_refused(app, client, user, api_key_headers):
    body = SEED_BODY | {"logo": "http://127.0.0.1:9/logo.png"}

    response = add_qr(client, api_key_headers(user), **body)

    assert_error(response, 400)
    assert "public" in response.json["message"]
    assert count_rows(app, QrCode) == 0


def test_logo_url_is_fetched_from_a_public_host(app, client, user, api_key_headers, logo_server):
    qr_id = new_qr(client, api_key_headers(user), logo=f"{logo_server.base}/logo.png")

    assert logo_server.requested == ["/logo.png"]
    stored = PIL.Image.open(io.BytesIO(load_row(app, QrCode, qr_id).logo)).convert("RGB")
    assert stored.size == (40, 40) and stored.getpixel((20, 20)) == (0, 0, 255)
    png, payload = rendered(app, qr_id)
    assert decoded(png).text == payload


def test_logo_url_that_redirects_is_refused(app, client, user, api_key_headers, logo_server):
    body = SEED_BODY | {"logo": f"{logo_server.base}/moved"}

    response = add_qr(client, api_key_headers(user), **body)

    assert_error(response, 400)
    assert "could not be downloaded" in response.json["message"]
    assert logo_server.requested == ["/moved"]
    assert count_rows(app, QrCode) == 0


def test_bad_logos_are_refused(app, client, user, api_key_headers):
    gif = image_bytes((0, 0, 0), fmt="GIF")
    for logo in (
        data_uri(b"not an image"),
        data_uri(gif),
        data_uri(gif, "image/gif"),
        "data:image/png;base64,@@@",
        "ftp://example.com/logo.png",
        "logo.png",
    ):
        response = add_qr(client, api_key_headers(user), **SEED_BODY, logo=logo)
        assert_error(response, 400)
        assert "logo" in response.json["message"], logo
    assert count_rows(app, QrCode) == 0


def test_logo_with_too_many_pixels_is_refused_before_decoding(app, client, user, api_key_headers):
    huge = image_bytes((255, 255, 255), size=(3000, 3000))  # 9 megapixels in ~30 KB

    response = add_qr(client, api_key_headers(user), **SEED_BODY, logo=data_uri(huge))

    assert_error(response, 400)
    assert "megapixels" in response.json["message"]
    assert count_rows(app, QrCode) == 0


def test_add_qr_bad_input_writes_nothing(app, client, user, api_key_headers):
    cases = [
        {"type": "barcode", "data": "x"},
        {"data": "x"},
        {"type": "text"},
        {"type": "text", "data": ""},
        {"type": "text", "data": "x" * 2001},
        SEED_BODY | {"background": "red"},
        SEED_BODY | {"foreground": "rgb(300,0,0)"},
        SEED_BODY | {"background": "rgb(1,2)"},
        {"type": "link", "data": "javascript:x"},
        {"type": "link", "data": "data:text/html,hi"},
        {"type": "text", "data": {"value": "x"}},
        {"type": "wifi", "data": ["HomeNet"]},
        {"type": "wifi", "data": 42},
        {"type": "wifi", "data": {"password": "no ssid"}},
        {"type": "wifi", "data": {"ssid": "HomeNet", "encryption": "WPA3000"}},
        {"type": "sms", "data": {"phone": 5551234}},
        {"type": "vcard", "data": {"nickname": "Ada"}},
        {"type": "vcard", "data": {"email": "ada@example.com"}},
        SEED_BODY | {"name": "n" * 101},
    ]
    for body in cases:
        response = client.post("/api/qr/add", json=body, headers=api_key_headers(user))
        assert_error(response, 400)
    assert count_rows(app, QrCode) == 0


def test_qr_endpoints_need_an_api_key(app, client, user, api_key_headers):
    qr_id = new_qr(client, api_key_headers(user))
    for method, path in [
        ("get", "/api/qr"),
        ("get", f"/api/qr/{qr_id}"),
        ("post", "/api/qr/add"),
        ("put", f"/api/qr/{qr_id}/update"),
        ("delete", f"/api/qr/{qr_id}/delete"),
    ]:
        response = getattr(client, method)(path, json=SEED_BODY, headers={"Authorization": "x"})
        assert_error(response, 401)
    assert count_rows(app, QrCode) == 1


# --- update -----------------------------------------------------------------------------------
def test_update_qr_with_the_seed_body(app, client, user, api_key_headers):
    headers = api_key_headers(user)
    qr_id = new_qr(client, headers, type="text", data="old text", name="Mine")

    response = client.put(
        f"/api/qr/{qr_id}/update",
        json=SEED_BODY | {"background": "rgb(0,0,80)", "foreground": "rgb(255,255,0)"},
        headers=headers,
    )

    assert response.status_code == 200
    assert response.json == {"error": 0, "message": "QR has been updated successfully."}
    qr = load_row(app, QrCode, qr_id)
    assert (qr.type, qr.data, qr.name) == ("link", {"value": "https://google.com"}, "Mine")
    assert (qr.background, qr.foreground) == ("rgb(0,0,80)", "rgb(255,255,0)")
    png, payload = rendered(app, qr_id)
    assert decoded(png).text == payload == "https://google.com"
    assert PIL.Image.open(io.BytesIO(png)).convert("RGB").getpixel((0, 0)) == (0, 0, 80)


def test_update_qr_keeps_its_type_and_can_drop_the_logo(app, client, user, api_key_headers):
    headers = api_key_headers(user)
    logo = data_uri(image_bytes((200, 0, 0)))
    qr_id = new_qr(client, headers, type="wifi", data={"ssid": "Old"}, logo=logo)

    response = client.put(
        f"/api/qr/{qr_id}/update", json={"data": {"ssid": "New"}, "logo": None}, headers=headers
    )

    assert response.status_code == 200
    qr = load_row(app, QrCode, qr_id)
    assert (qr.type, qr.data, qr.logo) == ("wifi", {"ssid": "New"}, None)
    png, payload = rendered(app, qr_id)
    assert decoded(png).text == payload and "New" in payload


def test_update_qr_bad_input_changes_nothing(app, client, user, api_key_headers):
    headers = api_key_headers(user)
    qr_id = new_qr(client, headers, type="wifi", data={"ssid": "HomeNet"})
    before = load_row(app, QrCode, qr_id)
    cases = [
        {},
        {"data": {"password": "no ssid"}},
        {"data": ["HomeNet"]},
        {"type": "link", "data": "javascript:x"},
        {"type": "unknown", "data": "x"},
        {"data": "HomeNet", "background": "red"},
        {"data": "HomeNet", "foreground": "rgb(300,0,0)"},
        {"data": "Other", "logo": "http://127.0.0.1:9/logo.png"},
    ]
    for body in cases:
        assert_error(client.put(f"/api/qr/{qr_id}/update", json=body, headers=headers), 400)
    after = load_row(app, QrCode, qr_id)
    assert (after.type, after.data, after.background, after.logo, after.updated_at) == (
        before.type, before.data, before.background, before.logo, before.updated_at,
    )  # fmt: skip


# --- delete -----------------------------------------------------------------------------------
def test_delete_qr_removes_it_and_its_scans(app, client, user, api_key_headers):
    headers = api_key_headers(user)
    qr_id = new_qr(client, headers)
    kept = new_qr(client, headers)
    add_scans(app, qr_id, ("CA", None, "Chrome", "Linux", "a"))

    response = client.delete(f"/api/qr/{qr_id}/delete", headers=headers)

    assert response.status_code == 200
    assert response.json == {"error": 0, "message": "QR Code has been deleted successfully."}
    assert load_row(app, QrCode, qr_id) is None and load_row(app, QrCode, kept) is not None
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Click)) == 0
    assert_error(client.delete(f"/api/qr/{qr_id}/delete", headers=headers), 404)


# --- tenancy ----------------------------------------------------------------------------------
def test_someone_elses_qr_answers_like_a_missing_one(app, client, user, other_user,
                                                     api_key_headers):  # fmt: skip
    theirs = new_qr(client, api_key_headers(other_user), data="https://example.com/bob")
    headers = api_key_headers(user)
    requests = [
        ("get", "/api/qr/{}", None),
        ("put", "/api/qr/{}/update", {"data": "https://evil.example.com"}),
        ("delete", "/api/qr/{}/delete", None),
    ]
    assert_foreign_answers_like_missing(client, headers, theirs, requests)
    qr = load_row(app, QrCode, theirs)
    assert qr.data == {"value": "https://example.com/bob"} and qr.user_id == other_user.id


# --- capacity (issue 11, item 6) ----------------------------------------------------------------
FULL_VCARD = {
    key: "Ä" * 500
    for key in ("firstname", "lastname", "email", "phone", "cell", "website", "organization")
}


def test_data_no_qr_version_can_hold_is_400_on_create(app, client, user, api_key_headers):
    headers = api_key_headers(user)
    logo = data_uri(image_bytes((200, 0, 0)))
    cases = [
        {"type": "vcard", "data": FULL_VCARD},
        {"type": "text", "data": "~" * 1900, "logo": logo},  # fits at level M, not at H
    ]
    for body in cases:
        response = add_qr(client, headers, **body)
        assert_error(response, 400)
        assert "Too much data for a QR code" in response.json["message"]
    assert count_rows(app, QrCode) == 0
    assert add_qr(client, headers, type="text", data="~" * 1900).status_code == 200


def test_update_that_overflows_the_qr_is_400_and_the_code_still_renders(
    app, client, user, api_key_headers
):
    headers = api_key_headers(user)
    qr_id = new_qr(client, headers, type="text", data="~" * 1900)
    before = load_row(app, QrCode, qr_id)
    logo = data_uri(image_bytes((200, 0, 0)))

    for body in ({"data": "~" * 1900, "logo": logo}, {"type": "vcard", "data": FULL_VCARD}):
        assert_error(client.put(f"/api/qr/{qr_id}/update", json=body, headers=headers), 400)

    after = load_row(app, QrCode, qr_id)
    assert (after.type, after.data, after.logo) == (before.type, before.data, before.logo)
    alias = after.alias
    assert client.get(f"/qr/{alias}").status_code == 200
