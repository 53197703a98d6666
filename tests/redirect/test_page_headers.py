"""Every HTML page sends Content-Security-Policy (inline blocks allowed by hash, nothing
'unsafe-inline' for scripts), X-Content-Type-Options: nosniff and Referrer-Policy; redirects and
API answers are left as they were (issue 11, item 15)."""

import base64
import hashlib
import re

import pytest

from tests.helpers import add_link, add_object

DESTINATION = "https://example.com/landing"


def directives(response) -> dict[str, list[str]]:
    policy = response.headers["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in policy.split(";") if part.strip())
    }


def inline_hashes(page: str, tag: str) -> set[str]:
    blocks = re.findall(rf"<{tag}>(.*?)</{tag}>", page, re.S)
    return {
        "'sha256-" + base64.b64encode(hashlib.sha256(block.encode()).digest()).decode() + "'"
        for block in blocks
    }


def assert_secured(response) -> dict[str, list[str]]:
    assert response.mimetype == "text/html"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    policy = directives(response)
    page = response.get_data(as_text=True)
    assert inline_hashes(page, "script") <= set(policy["script-src"])
    assert "'unsafe-inline'" not in policy["script-src"]
    assert policy["frame-ancestors"] == ["'none'"] and policy["base-uri"] == ["'none'"]
    return policy


@pytest.fixture
def pages(client, power_user, api_key_headers):
    headers = api_key_headers(power_user)
    splash = add_object(client, headers, "splash/add", name="S", title="Wait", counter=3)
    overlay = add_object(client, headers, "overlay/add", type="message", name="O", message="Hi")
    pixel = add_object(client, headers, "pixel/add", type="gtmpixel", name="P", tag="GTM-1")
    links = {
        "password": add_link(client, headers, DESTINATION, password="pw-1234")[1],
        "splash": add_link(client, headers, DESTINATION, type=f"splash-{splash}")[1],
        "frame": add_link(client, headers, DESTINATION, type="frame")[1],
        "overlay": add_link(
            client, headers, DESTINATION, type=f"overlay-{overlay}", pixels=[pixel]
        )[1],
        "direct": add_link(client, headers, DESTINATION)[1],
    }
    return links


@pytest.mark.parametrize("kind", ["password", "splash", "frame", "overlay"])
def test_link_pages_send_the_security_headers(client, pages, kind):
    response = client.get(f"/{pages[kind]}")

    assert response.status_code == 200
    policy = assert_secured(response)
    page = response.get_data(as_text=True)
    assert policy["default-src"] == ["'none'"]
    assert inline_hashes(page, "style") == set(policy["style-src"])
    assert policy["frame-src"] == ["http:", "https:"]  # the frame and overlay pages frame it
    assert "onclick" not in page  # inline handlers would need 'unsafe-hashes'


def test_the_splash_countdown_and_the_overlay_close_script_are_allowed_by_hash(client, pages):
    for kind in ("splash", "overlay"):
        response = client.get(f"/{pages[kind]}")
        page = response.get_data(as_text=True)
        hashes = inline_hashes(page, "script")
        assert len(hashes) == 1 and hashes <= set(directives(response)["script-src"])


def test_pixel_scripts_load_from_their_vendor(client, pages):
    response = client.get(f"/{pages['overlay']}")
    assert "googletagmanager.com/gtm.js?id=GTM-1" in response.get_data(as_text=True)
    assert "https://www.googletagmanager.com" in directives(response)["script-src"]


def test_error_pages_and_the_docs_page_send_them_too(client):
    missing = client.get("/no-such-alias")
    assert missing.status_code == 404
    assert directives(missing)["default-src"] == ["'none'"] and assert_secured(missing)

    docs = client.get("/docs/")
    assert docs.status_code == 200
    policy = assert_secured(docs)
    assert policy["connect-src"] == ["'self'"] and "'self'" in policy["script-src"]


def test_redirects_and_api_answers_are_unchanged(client, pages, power_user, api_key_headers):
    redirect = client.get(f"/{pages['direct']}")
    assert redirect.status_code == 302 and "Content-Security-Policy" not in redirect.headers
    api = client.get("/api/urls", headers=api_key_headers(power_user))
    assert api.mimetype == "application/json"
    assert "Content-Security-Policy" not in api.headers
