"""A destination without a scheme is taken as https (issue 15 item 6, as Bitly does):
`example.com/page` becomes `https://example.com/page` on url/add, url update, targets, splash
links and overlay buttons (bulk: tests/shortener/test_bulk.py); any other scheme, `//host` and
the loopback/private checks stay as strict as before, on the completed URL."""

import pytest

from likepion.core.db import db
from likepion.shortener import urlcheck
from likepion.shortener.models import Overlay, ShortUrl, Splash
from tests.helpers import assert_error, count_rows, load_row, post_link
from tests.shortener.test_urls import new_link

PUBLIC_URL = "https://short.example"


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("example.com/page", "https://example.com/page"),
        ("example.com", "https://example.com"),
        ("Example.com/a?b=c#d", "https://Example.com/a?b=c#d"),
        ("example.com:8443/a", "https://example.com:8443/a"),
        ("www.example.co.uk", "https://www.example.co.uk"),
        ("bücher.example/x", "https://bücher.example/x"),
        ("8.8.8.8/dns", "https://8.8.8.8/dns"),
        ("http://example.com/page", "http://example.com/page"),  # a scheme: kept as sent
    ],
)
def test_url_without_scheme_is_stored_as_https(app, client, user, api_key_headers, given, stored):
    response = post_link(client, api_key_headers(user), url=given)

    assert response.status_code == 200, response.json
    assert load_row(app, ShortUrl, response.json["id"]).url == stored


@pytest.mark.parametrize(
    ("given", "words"),
    [
        ("javascript:alert(1)", "Only http and https"),
        ("JavaScript:alert(1)", "Only http and https"),
        ("ftp://example.com/x", "Only http and https"),
        ("mailto:someone@example.com", "Only http and https"),
        ("data:text/html,x", "Only http and https"),
        ("tel:+15550100", "Only http and https"),
        ("//example.com/x", "Only http and https"),
        ("/example.com/x", "Only http and https"),
        (".example.com", "Only http and https"),
        ("localhost:8080/x", "Only http and https"),  # a scheme named localhost
        ("localhost/admin", "loopback"),
        ("app.localhost/x", "loopback"),
        ("127.0.0.1/x", "loopback"),
        ("10.0.0.1:8080/x", "loopback"),
        ("169.254.169.254/latest/meta-data", "loopback"),
        ("2130706433/x", "loopback"),
        ("short.example/promo", "this service"),
        ("example .com", "spaces"),
    ],
)
def test_other_schemes_and_private_hosts_stay_refused(
    app, client, user, api_key_headers, given, words
):
    app.config["PUBLIC_URL"] = PUBLIC_URL
    response = post_link(client, api_key_headers(user), url=given)

    assert_error(response, 400)
    assert words in response.json["message"], response.json["message"]
    assert count_rows(app, ShortUrl) == 0


def test_update_completes_the_new_url(app, client, user, api_key_headers):
    headers = api_key_headers(user)
    link_id = new_link(client, headers)

    response = client.put(f"/api/url/{link_id}/update", json={"url": "example.org/new"},
                          headers=headers)  # fmt: skip
    refused = client.put(f"/api/url/{link_id}/update", json={"url": "localhost/x"},
                         headers=headers)  # fmt: skip

    assert response.status_code == 200, response.json
    assert_error(refused, 400)
    assert load_row(app, ShortUrl, link_id).url == "https://example.org/new"


def test_targets_are_completed_too(app, client, power_user, api_key_headers):
    body = {
        "url": "example.com",
        "geotarget": [{"location": "France", "link": "example.fr/accueil"}],
        "devicetarget": [{"device": "iPhone", "link": "apps.example.com/ios"}],
        "languagetarget": [{"language": "de", "link": "example.de"}],
    }
    link_id = new_link(client, api_key_headers(power_user), **body)

    link = load_row(app, ShortUrl, link_id)
    assert link.url == "https://example.com"
    assert link.geo_targets == {"FR": "https://example.fr/accueil"}
    assert link.device_targets == {"iphone": "https://apps.example.com/ios"}
    assert link.language_targets == {"de": "https://example.de"}
    refused = post_link(client, api_key_headers(power_user), url="example.com",
                       geotarget=[{"location": "France", "link": "10.1.2.3/x"}])  # fmt: skip
    assert_error(refused, 400)


def test_splash_link_and_overlay_button_are_completed(app, client, power_user, api_key_headers):
    headers = api_key_headers(power_user)

    splash = client.post("/api/splash/add", json={"name": "Wait", "link": "example.com/ad"},
                         headers=headers)  # fmt: skip
    overlay = client.post(
        "/api/overlay/add",
        json={"type": "message", "name": "Hi", "button_url": "example.com/buy"},
        headers=headers,
    )

    assert splash.status_code == 200 and overlay.status_code == 200
    with app.app_context():
        assert db.session.get(Splash, splash.json["id"]).link == "https://example.com/ad"
        assert db.session.get(Overlay, overlay.json["id"]).button_url == "https://example.com/buy"


@pytest.mark.parametrize(
    ("given", "completed"),
    [
        ("example.com/page", "https://example.com/page"),
        ("a.b:1", "https://a.b:1"),
        ("a.b:1/x", "https://a.b:1/x"),
        ("javascript:alert(1)", "javascript:alert(1)"),
        ("mailto:a@b.c", "mailto:a@b.c"),
        ("//example.com", "//example.com"),
        ("HTTPS://example.com", "HTTPS://example.com"),
        ("a.b:1x", "a.b:1x"),  # not a port: a scheme named a.b
        ("", ""),
        ("[::1]/x", "[::1]/x"),
    ],
)
def test_with_scheme_adds_https_only_without_any_scheme(given, completed):
    assert urlcheck.with_scheme(given) == completed
