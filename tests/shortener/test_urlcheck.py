"""Destinations and logo hosts are read as a browser reads them (WHATWG URL parsing): every
spelling of a loopback, private or reserved address is refused, and the logo fetch connects to
the very address it checked."""

import io
import ipaddress
import socket

import PIL.Image
import pytest

from likepion import create_app
from likepion.shortener import urlcheck
from likepion.shortener.models import QrCode, ShortUrl
from tests.helpers import QuietHandler, assert_error, count_rows, load_row, loopback_server
from tests.images import image_bytes
from tests.shortener.test_qr import SEED_BODY, add_qr, new_qr

PUBLIC_URL = "https://short.example"
LOOPBACK = ipaddress.ip_address("127.0.0.1")

OWN_NETWORK_URLS = [
    "http://localhost/x",
    "http://LOCALHOST./x",
    "http://app.localhost/x",
    "https://ｌｏｃａｌｈｏｓｔ/x",  # full-width letters
    "http://2130706433/x",
    "http://127.1/x",
    "http://0x7f000001/x",
    "http://0x7f.1/x",
    "http://0177.0.0.1/x",
    "http://[::1]/x",
    "http://[::ffff:127.0.0.1]/x",
    "http://[::127.0.0.1]/x",  # IPv4-compatible
    "http://[64:ff9b::7f00:1]/x",  # NAT64 of 127.0.0.1
    "http://[2002:c0a8:101::]/x",  # 6to4 of 192.168.1.1
    "http://0.0.0.0/x",
    "http://%31%32%37.0.0.1/x",
    "http://１２７.０.０.１/x",  # full-width digits
    "http://127.0.0.1。/x",  # ideographic full stop
    "http://10.0.0.1:8080/x",
    "http://169.254.169.254/latest/meta-data",
    "http://[fe80::1]/x",
    "http://[fc00::1]/x",
    "http://224.0.0.1/x",
    "http://100.64.0.1/x",
]
PUBLIC_URLS = [
    "https://example.com/page",
    "http://8.8.8.8/x",
    "http://134744072/x",  # 8.8.8.8 as one number: odd, but public
    "https://[2606:4700::1111]/x",
    "http://[64:ff9b::808:808]/x",  # NAT64 of 8.8.8.8
    "https://bücher.example/x",
    "https://example.com:8443/a?b=c#d",
]


@pytest.fixture
def public_url(app):
    """The service answers on PUBLIC_URL, so `localhost` is not the request's own host here."""
    app.config["PUBLIC_URL"] = PUBLIC_URL


def add_link_on(client, headers, url):
    return client.post("/api/url/add", json={"url": url}, headers=headers, base_url=PUBLIC_URL)


@pytest.mark.parametrize("url", OWN_NETWORK_URLS)
def test_destination_in_our_own_network_is_refused(
    app, client, user, api_key_headers, public_url, url
):
    response = add_link_on(client, api_key_headers(user), url)

    assert_error(response, 400)
    assert "url" in response.json["message"]
    assert count_rows(app, ShortUrl) == 0


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_public_destination_is_accepted(app, client, user, api_key_headers, public_url, url):
    response = add_link_on(client, api_key_headers(user), url)

    assert response.status_code == 200, response.json
    assert load_row(app, ShortUrl, response.json["id"]).url == url


def test_public_host_is_refused_whatever_the_host_header(
    app, client, user, api_key_headers, public_url
):
    response = client.post(
        "/api/url/add",
        json={"url": "https://SHORT.example./promo"},
        headers=api_key_headers(user) | {"Host": "forged.example"},
    )

    assert_error(response, 400)
    assert count_rows(app, ShortUrl) == 0


def test_production_refuses_to_start_without_public_url(monkeypatch, tmp_path):
    for key, value in {
        "SECRET_KEY": "s" * 32,
        "JWT_SECRET_KEY": "j" * 32,
        "CREDENTIALS_KEY": "ZGV2LWNyZWRlbnRpYWxzLWtleS0zMi1ieXRlcy0wMDA=",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.db'}",
        "RATELIMIT_STORAGE_URI": "memory://",
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("PUBLIC_URL", raising=False)

    with pytest.raises(RuntimeError, match="PUBLIC_URL"):
        create_app("production")

    monkeypatch.setenv("PUBLIC_URL", PUBLIC_URL)
    assert create_app("production").config["PUBLIC_URL"] == PUBLIC_URL


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("8.8.8.8", True),
        ("2606:4700::1111", True),
        ("64:ff9b::808:808", True),
        ("2002:808:808::", True),
        ("127.0.0.1", False),
        ("0.0.0.0", False),
        ("::", False),
        ("::1", False),
        ("::ffff:10.0.0.1", False),
        ("::10.0.0.1", False),
        ("64:ff9b::a00:1", False),
        ("64:ff9b:1::808:808", False),  # NAT64 local-use prefix
        ("2002:a00:1::", False),
        ("2002:7f00:1::", False),
        ("ff02::1", False),
        ("240.0.0.1", False),
    ],
)
def test_embedded_ipv4_decides_whether_an_ipv6_address_is_public(address, public):
    assert urlcheck.is_public_address(ipaddress.ip_address(address)) is public


@pytest.mark.parametrize(
    "logo",
    ["http://[64:ff9b::a00:1]/logo.png", "http://2130706433/logo.png", "http://[::ffff:7f00:1]/l"],
)
def test_logo_on_a_private_address_in_any_spelling_is_refused(
    app, client, user, api_key_headers, logo
):
    response = add_qr(client, api_key_headers(user), **SEED_BODY, logo=logo)

    assert_error(response, 400)
    assert "public" in response.json["message"]
    assert count_rows(app, QrCode) == 0


@pytest.fixture
def named_logo_server(monkeypatch):
    """A PNG server on 127.0.0.1 known as `logo.test`: one resolver answer, counted; name
    lookups anywhere else fail, so a second resolution would break the fetch."""
    seen, lookups = [], []
    logo = image_bytes((0, 0, 255), size=(40, 40))

    class Handler(QuietHandler):
        def do_GET(self):
            seen.append((self.path, self.headers["Host"]))
            self.send_response(200)
            self.send_header("Content-Length", str(len(logo)))
            self.end_headers()
            self.wfile.write(logo)

    with loopback_server(Handler) as server:
        real_getaddrinfo = socket.getaddrinfo

        def numeric_only(host, *args, **kwargs):
            if urlcheck.ip_literal(str(host)) is None:
                raise socket.gaierror(f"unexpected lookup of {host}")
            return real_getaddrinfo(host, *args, **kwargs)

        def resolve(host, port):
            lookups.append((host, port))
            return list(answers)

        answers = [LOOPBACK]
        monkeypatch.setattr(socket, "getaddrinfo", numeric_only)
        monkeypatch.setattr(urlcheck, "resolve", resolve)
        monkeypatch.setattr(urlcheck, "is_public_address", lambda address: address == LOOPBACK)
        server.url = f"http://logo.test:{server.server_port}/logo.png"
        server.seen, server.lookups, server.answers = seen, lookups, answers
        yield server


def test_logo_fetch_connects_to_the_one_address_it_checked(
    app, client, user, api_key_headers, named_logo_server
):
    server = named_logo_server

    qr_id = new_qr(client, api_key_headers(user), logo=server.url)

    assert server.lookups == [("logo.test", server.server_port)]
    assert server.seen == [("/logo.png", f"logo.test:{server.server_port}")]
    stored = PIL.Image.open(io.BytesIO(load_row(app, QrCode, qr_id).logo)).convert("RGB")
    assert stored.getpixel((20, 20)) == (0, 0, 255)


def test_logo_host_with_any_private_address_is_refused(
    app, client, user, api_key_headers, named_logo_server
):
    server = named_logo_server
    server.answers.append(ipaddress.ip_address("10.0.0.1"))  # a second, private answer

    response = add_qr(client, api_key_headers(user), **SEED_BODY, logo=server.url)

    assert_error(response, 400)
    assert "public" in response.json["message"]
    assert server.lookups == [("logo.test", server.server_port)]
    assert server.seen == []
    assert count_rows(app, QrCode) == 0
