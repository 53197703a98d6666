"""`GET /<alias>` picks the destination: app deep links, then country, device and language
targets, else the link's URL (docs/redirect.md)."""

import iptocc
import pytest

from tests.helpers import add_link
from tests.redirect.conftest import (
    ANDROID_PHONE,
    IPAD,
    IPHONE,
    WINDOWS_CHROME,
    assert_html,
    clicks_of,
)

MAIN = "https://example.com/main"
CANADA = "https://example.ca/"
GERMANY = "https://example.de/"
US_ADDRESS, CANADA_ADDRESS, GERMANY_ADDRESS = "8.8.8.8", "24.48.0.1", "5.9.0.1"
APPLE = "https://apps.apple.com/app/id123456"
GOOGLE = "https://play.google.com/store/apps/details?id=com.example"


@pytest.fixture
def headers(power_user, api_key_headers):
    return api_key_headers(power_user)


def visit(client, alias, *, ip="127.0.0.1", agent=WINDOWS_CHROME, **more_headers):
    return client.get(
        f"/{alias}",
        environ_base={"REMOTE_ADDR": ip},
        headers={"User-Agent": agent, **more_headers},
    )


def lands_on(client, alias, **how) -> str:
    response = visit(client, alias, **how)
    assert response.status_code == 302
    return response.headers["Location"]


def test_the_addresses_used_here_are_where_the_tests_say():
    assert iptocc.country_code(US_ADDRESS) == "US"
    assert iptocc.country_code(CANADA_ADDRESS) == "CA"
    assert iptocc.country_code(GERMANY_ADDRESS) == "DE"


# --- geo --------------------------------------------------------------------------------------
def test_geo_target_sends_each_country_to_its_url(app, client, headers):
    link_id, alias = add_link(
        client,
        headers,
        MAIN,
        geotarget=[{"location": "Canada", "link": CANADA}, {"location": "DE", "link": GERMANY}],
    )

    assert lands_on(client, alias, ip=CANADA_ADDRESS) == CANADA
    assert lands_on(client, alias, ip=GERMANY_ADDRESS) == GERMANY
    assert lands_on(client, alias, ip=US_ADDRESS) == MAIN  # no target for the US
    assert lands_on(client, alias, ip="127.0.0.1") == MAIN  # no country at all
    countries = [click.country for click in clicks_of(app, short_url_id=link_id)]
    assert countries == ["CA", "DE", "US", None]


def test_geo_target_chooses_the_frame_and_splash_destination(app, client, headers):
    targets = [{"location": "Canada", "link": CANADA}]
    _, framed = add_link(client, headers, MAIN, type="frame", geotarget=targets)
    _, splash = add_link(client, headers, MAIN, type="splash", geotarget=targets)

    assert_html(visit(client, framed, ip=CANADA_ADDRESS), 200, f'<iframe src="{CANADA}"')
    page = assert_html(visit(client, splash, ip=CANADA_ADDRESS), 200, f'href="{CANADA}"')
    assert MAIN not in page


# --- devices ----------------------------------------------------------------------------------
def url(name: str) -> str:
    return f"https://example.com/{name}"


@pytest.mark.parametrize(
    ("devices", "landings"),
    [
        pytest.param(
            ["iPhone", "ipad", "Android"],
            [(IPHONE, url("iphone")), (IPAD, url("ipad")), (ANDROID_PHONE, url("android")),
             (WINDOWS_CHROME, MAIN)],
            id="by_specific_device",
        ),
        pytest.param(
            ["desktop", "mobile", "tablet"],
            [(WINDOWS_CHROME, url("desktop")), (IPHONE, url("mobile")),
             (ANDROID_PHONE, url("mobile")), (IPAD, url("tablet"))],
            id="by_form_factor",
        ),
        pytest.param(
            ["mobile", "iphone"],
            [(IPHONE, url("iphone")), (ANDROID_PHONE, url("mobile")), (WINDOWS_CHROME, MAIN)],
            id="a_specific_device_beats_its_form_factor",
        ),
    ],
)  # fmt: skip
def test_device_target(app, client, headers, devices, landings):
    """Each device target sends to https://example.com/<the device in lower case>."""
    targets = [{"device": device, "link": url(device.lower())} for device in devices]
    _, alias = add_link(client, headers, MAIN, devicetarget=targets)

    for agent, destination in landings:
        assert lands_on(client, alias, agent=agent) == destination, agent


def test_a_visitor_without_a_user_agent_gets_the_main_url(app, client, headers):
    _, alias = add_link(
        client, headers, MAIN, devicetarget=[{"device": "mobile", "link": "https://m.example.com/"}]
    )

    response = client.get(f"/{alias}")  # the test client sends no User-Agent of a browser

    assert response.headers["Location"] == MAIN


# --- language ---------------------------------------------------------------------------------
def test_language_target_follows_accept_language(app, client, headers):
    _, alias = add_link(
        client,
        headers,
        MAIN,
        languagetarget=[
            {"language": "French", "link": "https://example.com/fr"},
            {"language": "es", "link": "https://example.com/es"},
        ],
    )

    french = {"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.8"}
    spanish_first = {"Accept-Language": "de;q=0.9,es;q=0.8,fr;q=0.1"}
    assert lands_on(client, alias, **french) == "https://example.com/fr"
    assert lands_on(client, alias, **spanish_first) == "https://example.com/es"
    assert lands_on(client, alias, **{"Accept-Language": "de-DE,en;q=0.5"}) == MAIN
    assert lands_on(client, alias) == MAIN  # no Accept-Language


# --- deep links -------------------------------------------------------------------------------
def test_deeplink_auto_sends_phones_to_their_app_store(app, client, headers):
    _, alias = add_link(
        client, headers, MAIN, deeplink={"auto": True, "apple": APPLE, "google": GOOGLE}
    )

    assert lands_on(client, alias, agent=IPHONE) == APPLE
    assert lands_on(client, alias, agent=IPAD) == APPLE
    assert lands_on(client, alias, agent=ANDROID_PHONE) == GOOGLE
    assert lands_on(client, alias, agent=WINDOWS_CHROME) == MAIN


def test_deeplink_without_auto_is_not_followed(app, client, headers):
    _, alias = add_link(
        client, headers, MAIN, deeplink={"auto": False, "apple": APPLE, "google": GOOGLE}
    )

    assert lands_on(client, alias, agent=IPHONE) == MAIN
    assert lands_on(client, alias, agent=ANDROID_PHONE) == MAIN


def test_deeplink_for_one_store_only_leaves_the_other_on_the_main_url(app, client, headers):
    _, alias = add_link(client, headers, MAIN, deeplink={"auto": True, "apple": APPLE})

    assert lands_on(client, alias, agent=IPHONE) == APPLE
    assert lands_on(client, alias, agent=ANDROID_PHONE) == MAIN


# --- order and fallback -----------------------------------------------------------------------
def test_targets_apply_in_order_deeplink_country_device_language(app, client, headers):
    _, alias = add_link(
        client,
        headers,
        MAIN,
        deeplink={"auto": True, "apple": APPLE},
        geotarget=[{"location": "Canada", "link": CANADA}],
        devicetarget=[{"device": "android", "link": "https://example.com/android"}],
        languagetarget=[{"language": "fr", "link": "https://example.com/fr"}],
    )
    french = {"Accept-Language": "fr"}

    assert lands_on(client, alias, ip=CANADA_ADDRESS, agent=IPHONE, **french) == APPLE
    assert lands_on(client, alias, ip=CANADA_ADDRESS, agent=ANDROID_PHONE, **french) == CANADA
    assert lands_on(client, alias, ip=US_ADDRESS, agent=ANDROID_PHONE, **french) == (
        "https://example.com/android"
    )
    assert lands_on(client, alias, ip=US_ADDRESS, agent=WINDOWS_CHROME, **french) == (
        "https://example.com/fr"
    )
    assert lands_on(client, alias, ip=US_ADDRESS, agent=WINDOWS_CHROME) == MAIN


def test_targets_removed_by_an_update_stop_applying(app, client, headers):
    link_id, alias = add_link(
        client, headers, MAIN, geotarget=[{"location": "Canada", "link": CANADA}]
    )
    assert lands_on(client, alias, ip=CANADA_ADDRESS) == CANADA

    response = client.put(f"/api/url/{link_id}/update", json={"geotarget": []}, headers=headers)
    assert response.status_code == 200

    assert lands_on(client, alias, ip=CANADA_ADDRESS) == MAIN


def test_a_targeted_visit_counts_on_the_link(app, client, headers):
    link_id, alias = add_link(
        client, headers, MAIN, geotarget=[{"location": "Canada", "link": CANADA}]
    )

    lands_on(client, alias, ip=CANADA_ADDRESS)
    lands_on(client, alias, ip=US_ADDRESS)

    assert len(clicks_of(app, short_url_id=link_id)) == 2
