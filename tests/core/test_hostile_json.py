"""Hostile JSON bodies (deep nesting, huge integers, lone surrogates) are a 400 with a message in
the endpoint's family envelope on every JSON endpoint, never a 500 (issue 11, item 6)."""

import re
import uuid

import pytest
from sqlalchemy import func, select

from likepion.backlink.models import Group
from likepion.core import validation
from likepion.credits.models import LedgerEntry
from likepion.shortener.models import ShortUrl
from tests.factories import make_server
from tests.helpers import jwt_for

DEEP = "[" * 5000 + "]" * 5000
DEEP_OBJECT = '{"a":' * 2000 + "1" + "}" * 2000
HOSTILE = {
    "deep array": (DEEP, "nests deeper than"),
    "deep object": (DEEP_OBJECT, "nests deeper than"),
    "moderately deep": ("[" * 100 + "]" * 100, "nests deeper than"),
    "huge integer": ('{"name": 1' + "0" * 5000 + "}", "integer"),
    "integer over 64 bits": ('{"name": 99999999999999999999}', "integer"),
    "lone surrogate": ('{"name": "\\ud800"}', "surrogate"),
    "lone low surrogate in a key": ('{"\\udc00": "x"}', "surrogate"),
    "UTF-8 encoded surrogate": (b'{"name": "\xed\xa0\x80"}', "Malformed JSON body."),
    "NaN": ('{"name": NaN}', "NaN"),
    "overflowing float": ('{"name": 1e999}', "too large"),
}


@pytest.fixture
def credentials(app, user):
    return {
        "jwt": jwt_for(app, user),
        "apiKey": {"Authorization": f"Bearer {user.api_key}"},
        "serverKey": make_server(app, "hostile-json").headers,
    }


def row_counts(app):
    with app.app_context():
        from likepion.core.db import db

        return tuple(
            db.session.scalar(select(func.count()).select_from(model))
            for model in (Group, ShortUrl, LedgerEntry)
        )


SUCCESS_FAMILY = [
    ("POST", "/api/v1/auth/login", None),
    ("POST", "/api/v1/auth/register", None),
    ("POST", "/api/v1/backlink/groups", "jwt"),
    ("POST", "/api/v1/backlink/entity", "jwt"),
    ("POST", "/api/v1/entity/links/report", "serverKey"),
    ("POST", "/api/v1/podcast/links/insert", "serverKey"),  # reads request.get_json itself
    ("POST", "/api/v1/entity/account", "serverKey"),
]
SHORTENER_FAMILY = [
    ("POST", "/api/url/add", "apiKey"),
    ("POST", "/api/campaign/add", "apiKey"),
    ("POST", "/api/qr/add", "apiKey"),
    ("PUT", "/api/account/update", "apiKey"),
]


@pytest.mark.parametrize("case", HOSTILE, ids=str)
@pytest.mark.parametrize(("method", "path", "auth"), SUCCESS_FAMILY)
def test_success_family_answers_400_with_its_envelope(
    app, client, credentials, method, path, auth, case
):
    body, problem = HOSTILE[case]
    before = row_counts(app)

    response = client.open(
        path,
        method=method,
        data=body,
        content_type="application/json",
        headers=credentials.get(auth, {}),
    )

    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert response.json["success"] is False and response.json["error"] == "bad_request"
    assert problem in response.json["message"]
    assert row_counts(app) == before


@pytest.mark.parametrize("content_type", ["application/json", "text/plain", None])
@pytest.mark.parametrize("case", HOSTILE, ids=str)
@pytest.mark.parametrize(("method", "path", "auth"), SHORTENER_FAMILY)
def test_shortener_family_answers_400_error_1(
    app, client, credentials, method, path, auth, case, content_type
):
    """Also for JSON sent without a JSON content type, which this family reads (issue 12)."""
    body, problem = HOSTILE[case]
    before = row_counts(app)

    response = client.open(
        path, method=method, data=body, content_type=content_type, headers=credentials[auth]
    )

    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert set(response.json) == {"error", "message"} and response.json["error"] == 1
    assert problem in response.json["message"]
    assert row_counts(app) == before


def test_a_valid_surrogate_pair_and_big_but_64_bit_integers_still_load(app, client, credentials):
    response = client.post(
        "/api/v1/backlink/groups",
        data='{"name": "G \\ud83d\\ude00", "service_type": "entity", "x": 9223372036854775807}',
        content_type="application/json",
        headers=credentials["jwt"],
    )
    assert response.status_code == 422  # the unknown field, not the integer or the emoji
    assert set(response.json["details"]) == {"x"}
    response = client.post(
        "/api/v1/backlink/groups",
        data='{"name": "G \\ud83d\\ude00", "service_type": "entity"}',
        content_type="application/json",
        headers=credentials["jwt"],
    )
    assert response.status_code == 201 and response.json["data"]["name"] == "G \U0001f600"


def test_plain_malformed_json_keeps_its_message(client):
    response = client.post("/api/v1/auth/login", data="{nope", content_type="application/json")
    assert response.status_code == 400 and response.json["message"] == "Malformed JSON body."


def test_every_smorest_blueprint_reads_bodies_through_the_safe_loader():
    import flask_smorest

    assert isinstance(flask_smorest.Blueprint.ARGUMENTS_PARSER, validation.JsonBodyParser)


def _sweep_cases(app):
    """Every API rule and body-taking method, with placeholder path values."""
    placeholders = {"service_type": "entity", "uuid": str(uuid.uuid4()), "id": "1"}
    cases = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api"):
            continue
        for method in sorted(rule.methods & {"POST", "PUT", "PATCH", "DELETE"}):

            def fill(match, rule=rule):
                converter, name = match.group(1) or "", match.group(2)
                kind = converter.rstrip(":")
                return placeholders.get(kind) or placeholders.get(name) or "1"

            cases.append((method, re.sub(r"<(?:([^<>:]+):)?([^<>]+)>", fill, rule.rule)))
    return cases


def test_sweep_every_api_operation_with_every_hostile_body(app, client, credentials):
    """No API operation answers a hostile body with a 5xx, whatever it does with the body
    (the suite's app also fails any test that saw a 500); those that read it answer 400."""
    headers = credentials["jwt"] | credentials["serverKey"]
    shortener_headers = credentials["apiKey"] | credentials["serverKey"]
    cases = _sweep_cases(app)
    assert len(cases) > 40
    refused = 0
    for method, path in cases:
        is_shortener = not path.startswith("/api/v1/")
        for body, _problem in HOSTILE.values():
            response = client.open(
                path,
                method=method,
                data=body,
                content_type="application/json",
                headers=shortener_headers if is_shortener else headers,
            )
            assert response.status_code < 500, (method, path, response.get_data(as_text=True))
            refused += response.status_code == 400
    assert refused > len(cases)  # most operations read the body and refuse it


def test_links_insert_refuses_nul_in_a_body_sent_without_a_json_type(app, client, credentials):
    """The before-request NUL check reads JSON-typed bodies only; insert loads any body."""
    body = '{"request_id": "00000000-0000-0000-0000-000000000000", "link_post": "http://x\\u0000"}'
    response = client.post(
        "/api/v1/podcast/links/insert",
        data=body,
        content_type="text/plain",
        headers=credentials["serverKey"],
    )
    assert response.status_code == 422 and response.json["success"] is False
    assert response.json["details"] == {"json": ["NUL"]}


@pytest.mark.parametrize("field", ["channel", "campaign", "pixels"])
def test_form_bodies_cannot_carry_integers_past_the_loader_cap(app, client, credentials, field):
    """Form-encoded bodies (shortener family) skip the JSON loader: ids are range-checked."""
    before = row_counts(app)
    response = client.post(
        "/api/url/add",
        data={"url": "https://example.com/", field: "9" * 30},
        headers=credentials["apiKey"],
    )
    assert response.status_code == 400 and response.json["error"] == 1
    assert row_counts(app) == before
