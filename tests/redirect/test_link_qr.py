"""`GET /<alias>/qr` (issue 15 item 4): every short link's QR code, encoding its short URL (on
its branded domain when it has one): PNG, or SVG with `?format=svg`, at most `?size=` pixels
wide; revalidation by ETag; renders share the per-IP QR limit with `/qr/<alias>`. A password
link's QR is served (it holds only the short URL, which asks for the password); an expired
link's is 410 like the link itself. Fetching it is not a click."""

import io
from datetime import timedelta
from xml.etree import ElementTree

import PIL.Image
import pytest

from likepion.core.time import utcnow
from likepion.redirect import routes
from tests.helpers import add_link, add_object
from tests.images import decoded, svg_to_png
from tests.redirect.conftest import WINDOWS_CHROME, clicks_of
from tests.redirect.test_public_limits import public_app, qr_fetch
from tests.redirect.test_qr_image import add_qr

DESTINATION = "https://example.com/landing"
BRANDED = "http://go.example.org"


def link_qr(client, alias, query="", ip="198.51.100.7", **kwargs):
    return client.get(
        f"/{alias}/qr{query}",
        headers={"User-Agent": WINDOWS_CHROME, **kwargs.pop("headers", {})},
        environ_base={"REMOTE_ADDR": ip},
        **kwargs,
    )


def svg_decoded(svg: bytes) -> str:
    return decoded(svg_to_png(svg)).text


@pytest.fixture
def headers(admin, api_key_headers):
    return api_key_headers(admin)


def test_png_holds_the_short_url_and_is_not_a_click(app, client, headers):
    link_id, alias = add_link(client, headers, DESTINATION)

    response = link_qr(client, alias)

    assert response.status_code == 200
    assert response.mimetype == "image/png"
    assert decoded(response.data).text == f"http://localhost/{alias}"
    width, height = PIL.Image.open(io.BytesIO(response.data)).size
    assert width == height and 250 <= width <= 300  # the default size: 300
    assert response.headers["Cache-Control"] == "no-cache"
    assert clicks_of(app, short_url_id=link_id) == []
    assert client.get(f"/{alias}").headers["Location"] == DESTINATION  # the link is unchanged


def test_svg_holds_the_short_url(client, headers):
    _, alias = add_link(client, headers, DESTINATION)

    response = link_qr(client, alias, "?format=svg&size=200")

    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert svg_decoded(response.data) == f"http://localhost/{alias}"
    assert 150 <= int(ElementTree.fromstring(response.data).get("width")) <= 200


@pytest.mark.parametrize(("size", "low"), [("100", 60), ("555", 500), ("1000", 900)])
def test_size_sets_the_widest_the_image_may_be(client, headers, size, low):
    _, alias = add_link(client, headers, DESTINATION)

    response = link_qr(client, alias, f"?size={size}")

    width, _ = PIL.Image.open(io.BytesIO(response.data)).size
    assert low <= width <= int(size)
    assert decoded(response.data).text == f"http://localhost/{alias}"


@pytest.mark.parametrize(
    "query", ["?size=99", "?size=1001", "?size=abc", "?size=", "?size=-5", "?size=1e3",
              "?size=300.0", "?size=%D9%A3%D9%A0%D9%A0", "?size=99999999999999999999"],
)  # fmt: skip
def test_bad_size_is_a_400(app, client, headers, query):
    _, alias = add_link(client, headers, DESTINATION)

    response = link_qr(client, alias, query)

    assert response.status_code == 400
    assert "size must be a whole number of pixels from 100 to 1000" in response.text
    assert app.server_errors == []


@pytest.mark.parametrize("path", ["/nothing/qr", "/a%00b/qr", "/" + "a" * 65 + "/qr"])
def test_unknown_alias_is_a_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "This short link does not exist." in response.text


def test_unknown_format_is_a_404(client, headers):
    _, alias = add_link(client, headers, DESTINATION)
    assert link_qr(client, alias, "?format=gif").status_code == 404


def test_etag_revalidates_and_differs_per_format_and_size(client, headers):
    _, alias = add_link(client, headers, DESTINATION)

    first = link_qr(client, alias)
    again = link_qr(client, alias, headers={"If-None-Match": first.headers["ETag"]})
    svg = link_qr(client, alias, "?format=svg")
    small = link_qr(client, alias, "?size=120")

    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == first.headers["ETag"]
    assert len({first.headers["ETag"], svg.headers["ETag"], small.headers["ETag"]}) == 3


def test_new_alias_changes_the_image_and_its_etag(client, headers):
    link_id, alias = add_link(client, headers, DESTINATION)
    first = link_qr(client, alias)

    client.put(f"/api/url/{link_id}/update", json={"custom": "renamed"}, headers=headers)
    renamed = link_qr(client, "renamed", headers={"If-None-Match": first.headers["ETag"]})

    assert renamed.status_code == 200
    assert decoded(renamed.data).text == "http://localhost/renamed"
    assert link_qr(client, alias).status_code == 404


def test_branded_link_holds_its_branded_short_url(client, power_user, api_key_headers):
    headers = api_key_headers(power_user)
    add_object(client, headers, "domain/add", domain=BRANDED)
    add_link(client, headers, DESTINATION, custom="promo", domain=BRANDED)

    branded = link_qr(client, "promo", base_url=BRANDED)
    main_host = link_qr(client, "promo")

    assert branded.status_code == 200
    assert decoded(branded.data).text == f"{BRANDED}/promo"
    assert main_host.status_code == 404  # not a link of the main host


def test_password_link_qr_is_served_and_leaks_nothing(client, headers):
    _, alias = add_link(client, headers, DESTINATION, password="open sesame")

    response = link_qr(client, alias)

    assert response.status_code == 200
    assert decoded(response.data).text == f"http://localhost/{alias}"


def test_expired_link_qr_is_gone(client, headers, monkeypatch):
    expiry = utcnow().replace(microsecond=0) + timedelta(hours=1)
    _, alias = add_link(client, headers, DESTINATION, expiry=expiry.strftime("%Y-%m-%d %H:%M:%S"))
    assert link_qr(client, alias).status_code == 200

    monkeypatch.setattr(routes, "utcnow", lambda: expiry + timedelta(seconds=1))

    assert link_qr(client, alias).status_code == 410


def test_renders_share_the_per_ip_qr_limit_and_revalidations_are_free():
    app, client, headers = public_app(QR_RATE_LIMIT="3 per minute")
    _, alias = add_link(client, headers, DESTINATION)
    _, qr_alias = add_qr(client, headers)

    renders = [link_qr(client, alias), qr_fetch(client, qr_alias), link_qr(client, alias)]
    etag = renders[0].headers["ETag"]
    revalidations = [link_qr(client, alias, headers={"If-None-Match": etag}) for _ in range(4)]
    blocked = link_qr(client, alias, "?format=svg")

    assert [r.status_code for r in renders] == [200] * 3
    assert [r.status_code for r in revalidations] == [304] * 4
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0
    assert qr_fetch(client, qr_alias).status_code == 429
    assert link_qr(client, alias, ip="198.51.100.8").status_code == 200
    assert client.get(f"/{alias}").status_code == 302  # the redirect is not limited
