"""Plan limits on short links (docs/api-shortener.md): links count and the `alias`, `geo`, `device`
and `parameters` flags; admins are unlimited; an expired paid plan falls back to the free plan."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from likepion.auth.models import User
from likepion.core.db import db
from likepion.core.time import utcnow
from likepion.shortener.models import ShortUrl
from tests.helpers import post_link
from tests.shortener.conftest import put_on_plan

# A body per gated feature, the plan flag it needs and the words its refusal names.
GATED = {
    "alias": ({"custom": "my-alias"}, "Custom aliases"),
    "geo": ({"geotarget": [{"location": "CA", "link": "https://example.ca"}]}, "Geo targeting"),
    "device": (
        {"devicetarget": [{"device": "iphone", "link": "https://example.com/ios"}]},
        "Device and language targeting",
    ),
    "language": (
        {"languagetarget": [{"language": "fr", "link": "https://example.fr"}]},
        "Device and language targeting",
    ),
    "parameters": ({"deeplink": {"apple": "https://apps.apple.com/x"}}, "Deep links"),
}


def add_links(client, headers, n) -> list[int]:
    ids = []
    for _ in range(n):
        response = post_link(client, headers)
        assert response.status_code == 200, response.json
        ids.append(response.json["id"])
    return ids


def link_count(app, user) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count()).select_from(ShortUrl).where(ShortUrl.user_id == user.id)
        )


def set_plan_expiry(app, user, expires) -> None:
    with app.app_context():
        db.session.get(User, user.id).plan_expires = expires
        db.session.commit()


def assert_plan_limit(response, words):
    assert response.status_code == 403, response.json
    assert set(response.json) == {"error", "message"}
    assert response.json["error"] == 1
    assert words in response.json["message"]


def test_starter_allows_ten_links(app, client, user, api_key_headers):
    headers = api_key_headers(user)
    add_links(client, headers, 10)

    response = post_link(client, headers)

    assert_plan_limit(response, "allows 10")
    assert link_count(app, user) == 10


def test_deleting_a_link_frees_a_place(app, client, user, api_key_headers):
    headers = api_key_headers(user)
    first, *_ = add_links(client, headers, 10)

    assert client.delete(f"/api/url/{first}/delete", headers=headers).status_code == 200

    assert post_link(client, headers).status_code == 200
    assert link_count(app, user) == 10


def test_links_of_other_users_do_not_count(app, client, user, other_user, api_key_headers):
    add_links(client, api_key_headers(other_user), 10)

    assert post_link(client, api_key_headers(user)).status_code == 200
    assert link_count(app, user) == 1


@pytest.mark.parametrize("feature", GATED)
def test_starter_cannot_use_gated_features(app, client, user, api_key_headers, feature):
    body, words = GATED[feature]

    response = post_link(client, api_key_headers(user), **body)

    assert_plan_limit(response, words)
    assert link_count(app, user) == 0


@pytest.mark.parametrize("feature", ["geo", "device", "language", "parameters"])
def test_business_has_aliases_but_no_targeting_or_deep_links(app, client, business_user,
                                                             api_key_headers, feature):  # fmt: skip
    headers = api_key_headers(business_user)
    body, words = GATED[feature]

    assert post_link(client, headers, custom="business-alias").status_code == 200
    assert_plan_limit(post_link(client, headers, **body), words)
    assert link_count(app, business_user) == 1


@pytest.mark.parametrize("feature", GATED)
def test_plan_with_the_flag_allows_the_feature(app, client, power_user, api_key_headers,
                                               feature):  # fmt: skip
    body, _ = GATED[feature]

    response = post_link(client, api_key_headers(power_user), **body)

    assert response.status_code == 200, response.json
    assert link_count(app, power_user) == 1


def test_empty_targets_need_no_flag(app, client, user, api_key_headers):
    response = post_link(
        client,
        api_key_headers(user),
        geotarget=[],
        devicetarget=[],
        languagetarget=[],
        deeplink=None,
    )

    assert response.status_code == 200, response.json
    assert link_count(app, user) == 1


def test_admin_is_not_limited(app, client, admin, api_key_headers):
    headers = api_key_headers(admin)
    add_links(client, headers, 10)
    body = {}
    for feature_body, _ in GATED.values():
        body |= feature_body
    body["custom"] = "admin-alias"

    response = post_link(client, headers, **body)

    assert response.status_code == 200, response.json
    assert link_count(app, admin) == 11
    with app.app_context():
        link = db.session.get(ShortUrl, response.json["id"])
        assert link.alias == "admin-alias"
        assert link.geo_targets == {"CA": "https://example.ca"}
        assert link.language_targets == {"fr": "https://example.fr"}


def test_expired_paid_plan_falls_back_to_free(app, client, business_user, api_key_headers):
    set_plan_expiry(app, business_user, utcnow() - timedelta(days=1))
    headers = api_key_headers(business_user)

    assert_plan_limit(post_link(client, headers, custom="paid-alias"), "Custom aliases")
    add_links(client, headers, 10)
    assert_plan_limit(post_link(client, headers), "allows 10")
    assert link_count(app, business_user) == 10


def test_paid_plan_before_its_expiry_applies(app, client, business_user, api_key_headers):
    set_plan_expiry(app, business_user, utcnow() + timedelta(days=1))
    headers = api_key_headers(business_user)

    assert post_link(client, headers, custom="paid-alias").status_code == 200
    add_links(client, headers, 10)
    assert link_count(app, business_user) == 11


def test_plan_limit_in_the_plan_row_is_what_counts(app, client, user, api_key_headers):
    put_on_plan(app, user, "Tiny", {"links": 2, "alias": {"enabled": "1"}})
    headers = api_key_headers(user)

    assert post_link(client, headers, custom="tiny-one").status_code == 200
    add_links(client, headers, 1)
    assert_plan_limit(post_link(client, headers), "allows 2")
    assert link_count(app, user) == 2


def test_update_checks_the_same_flags(app, client, user, api_key_headers):
    headers = api_key_headers(user)
    [link_id] = add_links(client, headers, 1)
    with app.app_context():
        alias = db.session.get(ShortUrl, link_id).alias

    for body, words in GATED.values():
        response = client.put(f"/api/url/{link_id}/update", json=body, headers=headers)
        assert_plan_limit(response, words)
    keep_alias = client.put(f"/api/url/{link_id}/update", json={"custom": alias}, headers=headers)

    assert keep_alias.status_code == 200, keep_alias.json
    with app.app_context():
        link = db.session.get(ShortUrl, link_id)
        assert link.alias == alias
        assert (link.geo_targets, link.device_targets, link.language_targets) == (None,) * 3
        assert link.deeplink is None


def test_update_is_not_limited_by_the_links_count(app, client, user, api_key_headers):
    headers = api_key_headers(user)
    link_id = add_links(client, headers, 10)[-1]

    response = client.put(
        f"/api/url/{link_id}/update", json={"url": "https://example.com/new"}, headers=headers
    )

    assert response.status_code == 200, response.json
    assert link_count(app, user) == 10
