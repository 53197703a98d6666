"""Behind trusted proxies (TRUSTED_PROXY_HOPS, werkzeug ProxyFix): the client's address, scheme
and host come from X-Forwarded-*; without trusted hops a forged X-Forwarded-For changes nothing.
Geo targets, click countries, unique visitors and per-IP limits all use that address."""

import pytest

from tests.conftest import build_app
from tests.factories import make_user
from tests.helpers import add_link, add_object
from tests.redirect.conftest import WINDOWS_CHROME, clicks_of

CANADA_ADDRESS, OTHER_CANADA_ADDRESS, PROXY = "24.114.0.1", "24.48.0.1", "10.0.0.2"
MAIN, CANADA = "https://example.com/main", "https://example.ca/"
BRANDED = "http://go.example.org"


def proxied_app(hops: int, **config):
    app = build_app("sqlite://", TRUSTED_PROXY_HOPS=hops, **config)
    admin = make_user(app, is_admin=True)
    return app, app.test_client(), {"Authorization": f"Bearer {admin.api_key}"}


def visit(client, alias, forwarded_for, **headers):
    """A visit arriving from the proxy PROXY, which says it forwards `forwarded_for`."""
    return client.get(
        f"/{alias}",
        environ_base={"REMOTE_ADDR": PROXY},
        headers={"User-Agent": WINDOWS_CHROME, "X-Forwarded-For": forwarded_for, **headers},
    )


def geo_link(client, headers) -> tuple[int, str]:
    return add_link(client, headers, MAIN, geotarget=[{"location": "Canada", "link": CANADA}])


def test_default_is_no_trusted_hop():
    assert build_app("sqlite://").config["TRUSTED_PROXY_HOPS"] == 0


def test_with_one_trusted_hop_the_forwarded_client_is_the_visitor():
    app, client, headers = proxied_app(1)
    link_id, alias = geo_link(client, headers)

    first = visit(client, alias, CANADA_ADDRESS)
    second = visit(client, alias, f"6.6.6.6, {OTHER_CANADA_ADDRESS}")  # only the last hop counts

    assert (first.status_code, first.headers["Location"]) == (302, CANADA)
    assert second.headers["Location"] == CANADA
    clicks = clicks_of(app, short_url_id=link_id)
    assert [click.country for click in clicks] == ["CA", "CA"]
    assert clicks[0].visitor != clicks[1].visitor  # two addresses: two unique visitors


def test_without_trusted_hops_a_forged_forwarded_for_changes_nothing():
    app, client, headers = proxied_app(0)
    link_id, alias = geo_link(client, headers)

    first = visit(client, alias, CANADA_ADDRESS)
    second = visit(client, alias, OTHER_CANADA_ADDRESS)

    assert (first.headers["Location"], second.headers["Location"]) == (MAIN, MAIN)
    clicks = clicks_of(app, short_url_id=link_id)
    assert [click.country for click in clicks] == [None, None]  # 10.0.0.2: no country
    assert clicks[0].visitor == clicks[1].visitor


def test_forwarded_proto_and_host_make_the_short_urls_and_pick_the_branded_domain():
    app, client, headers = proxied_app(1)
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "short.example.net"}
    made = client.post("/api/url/add", json={"url": MAIN}, headers=headers | forwarded)
    assert made.json["shorturl"].startswith("https://short.example.net/")

    add_object(client, headers, "domain/add", domain=BRANDED)
    add_link(client, headers, CANADA, custom="promo", domain=BRANDED)
    branded = visit(client, "promo", CANADA_ADDRESS, **{"X-Forwarded-Host": "go.example.org"})
    assert (branded.status_code, branded.headers["Location"]) == (302, CANADA)


def test_forwarded_host_is_ignored_without_trusted_hops():
    app, client, headers = proxied_app(0)
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "short.example.net"}
    made = client.post("/api/url/add", json={"url": MAIN}, headers=headers | forwarded)
    assert made.json["shorturl"].startswith("http://localhost/")


@pytest.mark.parametrize("hops, separate", [(1, True), (0, False)])
def test_per_ip_limits_count_the_forwarded_client_only_behind_trusted_hops(hops, separate):
    app, client, _ = proxied_app(hops, AUTH_RATE_LIMIT="2 per minute")

    def login(forwarded_for):
        return client.post(
            "/api/v1/auth/login",
            json={"login": "nobody", "password": "x"},
            environ_base={"REMOTE_ADDR": PROXY},
            headers={"X-Forwarded-For": forwarded_for},
        ).status_code

    first_client = [login(CANADA_ADDRESS) for _ in range(3)]
    other_client = login(OTHER_CANADA_ADDRESS)

    assert first_client[:2] != [429, 429] and first_client[2] == 429
    assert (other_client != 429) is separate
