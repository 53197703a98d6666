"""The `i8-ae` package from PyPI, unchanged but for its base URL, against the live service: it
POSTs JSON to `/api/url/add` with `Authorization: Bearer <key>` and reads `shorturl`, `error`
and `message` (its source: i8_ae/i8.py)."""

import importlib

import pytest
import requests
from i8_ae import APIError, AuthError, i8
from sqlalchemy import select

from likepion.core.db import db
from likepion.shortener.models import ShortUrl


@pytest.fixture
def client_for(live, monkeypatch):
    # The package's module `i8_ae.i8` (its class of the same name shadows it as an attribute).
    monkeypatch.setattr(importlib.import_module("i8_ae.i8"), "BASE_URL", live.base)
    return lambda key: i8(key, timeout=10)


def stored_link(app, alias) -> ShortUrl:
    with app.app_context():
        link = db.session.scalar(select(ShortUrl).where(ShortUrl.alias == alias))
        db.session.expunge(link)
        return link


def test_short_makes_a_link_that_redirects(live, client_for):
    short = client_for(live.user.api_key).short("https://example.com/from-i8")

    [call] = live.exchanges
    assert (call.method, call.path) == ("POST", "/api/url/add")
    assert call.authorization == f"Bearer {live.user.api_key}"
    assert call.content_type == "application/json"
    assert call.json() == {"url": "https://example.com/from-i8"}
    assert call.status == 200
    answer = call.answer_json()
    assert answer["error"] == 0 and answer["shorturl"] == short
    alias = short.removeprefix(f"{live.base}/")
    link = stored_link(live.app, alias)
    assert (link.id, link.user_id, link.url) == (
        answer["id"],
        live.user.id,
        "https://example.com/from-i8",
    )
    visit = requests.get(short, allow_redirects=False, timeout=10)
    assert (visit.status_code, visit.headers["Location"]) == (302, "https://example.com/from-i8")


def test_short_forwards_password_and_every_documented_field(live, client_for):
    short = client_for(live.user.api_key).short(
        "https://example.com/post",
        "s3cret",
        custom="my-post",
        description="Sent by the WordPress provider",
        metaimage="https://example.com/cover.png",
        status="private",
        expiry="2099-01-01 00:00:00",
        plugin="i8-ae",  # a field this API does not know is ignored
    )

    [call] = live.exchanges
    assert call.json() == {
        "url": "https://example.com/post",
        "custom": "my-post",
        "description": "Sent by the WordPress provider",
        "metaimage": "https://example.com/cover.png",
        "status": "private",
        "expiry": "2099-01-01 00:00:00",
        "plugin": "i8-ae",
        "password": "s3cret",
    }
    assert call.status == 200
    assert short == f"{live.base}/my-post" == call.answer_json()["shorturl"]
    link = stored_link(live.app, "my-post")
    assert (link.description, link.meta_image, link.status) == (
        "Sent by the WordPress provider",
        "https://example.com/cover.png",
        "private",
    )
    assert link.password_hash and link.expiry.year == 2099


def test_a_key_given_with_its_bearer_prefix_works(live, client_for):
    short = client_for(f"Bearer {live.user.api_key}").short("https://example.com/prefixed")

    [call] = live.exchanges
    assert call.authorization == f"Bearer {live.user.api_key}"
    assert call.status == 200 and short == call.answer_json()["shorturl"]


def test_a_wrong_key_raises_its_auth_error(live, client_for):
    with pytest.raises(AuthError) as raised:
        client_for("not-a-key").short("https://example.com/")

    [call] = live.exchanges
    assert call.authorization == "Bearer not-a-key"
    assert call.status == raised.value.status == 401
    assert call.answer_json()["error"] == 1
    assert "API key" in str(raised.value)


def test_a_refused_url_raises_its_api_error_with_the_message(live, client_for):
    with pytest.raises(APIError) as raised:
        client_for(live.user.api_key).short("javascript:alert(1)")

    [call] = live.exchanges
    assert call.status == raised.value.status == 400
    answer = call.answer_json()
    assert raised.value.error == answer["error"] == 1
    assert str(raised.value) == answer["message"]
    assert "http" in answer["message"]
    with live.app.app_context():
        assert db.session.scalar(select(ShortUrl.id)) is None
