"""A `$`-anchored pattern accepts one trailing newline; every input pattern is anchored with `\\Z`
or fullmatch'ed, so `"api\\n"` is no alias and `"direct\\n"` no link type (issue 11, item 13)."""

import pytest

from likepion.auth.models import User
from likepion.shortener.models import Pixel, ShortUrl
from tests.helpers import count_rows

URL = "https://example.com/page"


@pytest.mark.parametrize(
    "body",
    [
        {"url": URL, "custom": "api\n"},
        {"url": URL, "custom": "good-alias\n"},
        {"url": URL, "type": "direct\n"},
        {"url": URL, "type": "splash-1\n"},
    ],
    ids=["reserved alias", "alias", "type direct", "type splash-n"],
)
def test_link_fields_with_a_trailing_newline_are_400(
    app, client, power_user, api_key_headers, body
):
    response = client.post("/api/url/add", json=body, headers=api_key_headers(power_user))

    assert response.status_code == 400 and response.json["error"] == 1
    assert count_rows(app, ShortUrl) == 0


def test_the_same_alias_without_the_newline_is_taken(client, power_user, api_key_headers):
    body = {"url": URL, "custom": "good-alias", "type": "direct"}
    response = client.post("/api/url/add", json=body, headers=api_key_headers(power_user))
    assert response.status_code == 200 and response.json["shorturl"].endswith("/good-alias")


def test_pixel_tag_and_colours_with_a_trailing_newline_are_400(
    app, client, power_user, api_key_headers
):
    headers = api_key_headers(power_user)
    pixel = client.post(
        "/api/pixel/add", json={"type": "gtmpixel", "name": "P", "tag": "GTM-1\n"}, headers=headers
    )
    assert pixel.status_code == 400 and count_rows(app, Pixel) == 0
    for colour in ({"background": "rgb(255,255,255)\n"}, {"foreground": "#FF0000\n"}):
        body = {"type": "text", "data": "x", **colour}
        qr = client.post("/api/qr/add", json=body, headers=headers)
        assert qr.status_code == 400, colour


def test_username_with_a_trailing_newline_is_422(app, client):
    before = count_rows(app, User)
    response = client.post(
        "/api/v1/auth/register",
        json={"email": "nl@example.com", "username": "newline\n", "password": "long-password-1"},
    )
    assert response.status_code == 422 and set(response.json["details"]) == {"username"}
    assert count_rows(app, User) == before


def test_route_converters_do_not_match_a_trailing_newline(  # a guard: werkzeug's already hold
    client, power_user, api_key_headers
):
    assert client.get("/api/v1/entity%0A/links", headers={"X-API-Key": "x"}).status_code == 404
    assert client.get("/api/url/1%0A", headers=api_key_headers(power_user)).status_code == 404
