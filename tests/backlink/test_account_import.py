"""`POST /groups/:id/accounts/import`: per-item checks, duplicates, overwrite, unsupported sites,
10,000 accounts in one call, and credentials encrypted at rest."""

import uuid

import pytest
from sqlalchemy import func, select, text

from likepion.backlink.models import Account
from likepion.core.db import db
from tests.factories import make_account, make_group, make_site

API = "/api/v1/backlink"
COUNTERS = {"imported", "overwritten", "duplicates", "unsupported", "failed"}


@pytest.fixture
def sites(sites, app):
    """The backlink catalogue and linktr.ee."""
    return sites | {"linktr.ee": make_site(app, service_type="entity", name="linktr.ee")}


@pytest.fixture
def headers(user, jwt_headers):
    return jwt_headers(user)


@pytest.fixture
def group(app, user, sites):
    return make_group(app, user, service_type="entity")


def import_into(client, group_id, headers, accounts, **options):
    return client.post(
        f"{API}/groups/{group_id}/accounts/import",
        json={"accounts": accounts, **options},
        headers=headers,
    )


def accounts_of(app, group_id) -> dict:
    with app.app_context():
        rows = db.session.scalars(select(Account).where(Account.group_id == group_id)).all()
        return {(a.website, a.identity): a for a in rows}


def test_import_counts_every_kind_of_item(app, client, user, headers, group):
    make_account(app, group, website="about.me", username="existing", password="old")
    accounts = [
        {"website": "about.me", "username": "new1", "password": "p1"},  # imported
        {"website": "https://www.gravatar.com/u/x", "email": "New2@Mail.com"},  # imported
        {"website": "ABOUT.ME", "username": "Existing", "password": "new"},  # duplicate (db)
        {"website": "about.me", "username": "NEW1"},  # duplicate (batch)
        {"website": "old.example", "username": "u"},  # unsupported: inactive site
        {"website": "anchor.fm", "username": "u"},  # unsupported: another type's site
        {"website": "no-such-site.example", "username": "u"},  # unsupported
        {"website": "about.me"},  # failed: no username or email
        {"username": "u"},  # failed: no website
        {"website": "about.me", "username": "u", "password": 123},  # failed: wrong type
        {"website": "about.me", "username": "u" * 256},  # failed: too long
        {"website": "about.me", "username": "u", "colour": "red"},  # failed: unknown field
        ["about.me", "u"],  # failed: not an object
        None,  # failed: not an object
    ]

    response = import_into(client, group, headers, accounts)

    assert response.status_code == 200
    assert response.json["success"] is True
    data = response.json["data"]
    assert {k: data[k] for k in COUNTERS} == {
        "imported": 2,
        "overwritten": 0,
        "duplicates": 2,
        "unsupported": 3,
        "failed": 7,
    }
    # Issue 15 item 9: which items were not imported, and why.
    assert data["errors"] == [
        {
            "index": 2,
            "reason": "duplicate",
            "field": "username",
            "message": "The group already has existing on about.me.",
        },
        {
            "index": 3,
            "reason": "duplicate",
            "field": "username",
            "message": "Item 0 of this import already has new1 on about.me.",
        },
        {
            "index": 4,
            "reason": "unsupported",
            "field": "website",
            "message": "old.example is not an active entity site.",
        },
        {
            "index": 5,
            "reason": "unsupported",
            "field": "website",
            "message": "anchor.fm is not an active entity site.",
        },
        {
            "index": 6,
            "reason": "unsupported",
            "field": "website",
            "message": "no-such-site.example is not an active entity site.",
        },
        {
            "index": 7,
            "reason": "invalid",
            "field": "username",
            "message": "A username or an email is required.",
        },
        {"index": 8, "reason": "invalid", "field": "website", "message": "A website is required."},
        {"index": 9, "reason": "invalid", "field": "password", "message": "Must be a string."},
        {
            "index": 10,
            "reason": "invalid",
            "field": "username",
            "message": "Longer than 255 characters.",
        },
        {"index": 11, "reason": "invalid", "field": "colour", "message": "Unknown field: colour."},
        {
            "index": 12,
            "reason": "invalid",
            "field": "_schema",
            "message": "An account must be an object.",
        },
        {
            "index": 13,
            "reason": "invalid",
            "field": "_schema",
            "message": "An account must be an object.",
        },
    ]
    assert sum(e["reason"] == "invalid" for e in data["errors"]) == data["failed"]
    stored = accounts_of(app, group)
    assert set(stored) == {
        ("about.me", "existing"),
        ("about.me", "new1"),
        ("gravatar.com", "new2@mail.com"),
    }
    assert stored[("about.me", "existing")].password == "old"
    new2 = stored[("gravatar.com", "new2@mail.com")]
    assert (new2.email, new2.username, new2.user_id, new2.service_type) == (
        "New2@Mail.com",
        None,
        user.id,
        "entity",
    )
    assert (new2.active, new2.status, new2.is_indexed) == (True, "active", False)
    assert new2.site_id is not None


def test_overwrite_updates_the_fields_the_item_gives(app, client, headers, group):
    make_account(
        app, group, website="about.me", username="alice", password="old", note="keep", twofa="t"
    )

    response = import_into(
        client,
        group,
        headers,
        [
            {"website": "about.me", "username": "Alice", "password": "new", "twofa": ""},
            {"website": "gravatar.com", "username": "bob", "password": "b1"},
            {"website": "gravatar.com", "username": "BOB", "password": "b2"},  # later one wins
        ],
        overwrite=True,
    )

    assert response.json["data"] == {
        "imported": 1,
        "overwritten": 2,
        "duplicates": 0,
        "unsupported": 0,
        "failed": 0,
        "errors": [],
    }
    stored = accounts_of(app, group)
    alice = stored[("about.me", "alice")]
    assert (alice.username, alice.password, alice.twofa, alice.note) == ("Alice", "new", "", "keep")
    bob = stored[("gravatar.com", "bob")]
    assert (bob.username, bob.password) == ("BOB", "b2")
    assert len(stored) == 2


def test_without_overwrite_existing_accounts_are_untouched(app, client, headers, group):
    make_account(app, group, website="about.me", username="alice", password="old")

    response = import_into(
        client, group, headers, [{"website": "about.me", "username": "alice", "password": "x"}]
    )

    assert response.json["data"]["duplicates"] == 1
    assert accounts_of(app, group)[("about.me", "alice")].password == "old"


def test_the_same_identity_in_another_group_is_not_a_duplicate(app, client, user, headers, group):
    other = make_group(app, user, service_type="entity")
    make_account(app, other, website="about.me", username="alice")

    response = import_into(client, group, headers, [{"website": "about.me", "username": "alice"}])

    assert response.json["data"]["imported"] == 1


def test_unsupported_with_skip_false_is_422_naming_them_and_writes_nothing(
    app, client, headers, group
):
    response = import_into(
        client,
        group,
        headers,
        [
            {"website": "about.me", "username": "fine"},
            {"website": "old.example", "username": "x"},
            {"website": "www.nowhere.example", "username": "y"},
        ],
        skip_unsupported=False,
    )

    assert response.status_code == 422
    assert response.json["error"] == "validation_error"
    assert response.json["details"] == {"unsupported": ["nowhere.example", "old.example"]}
    assert accounts_of(app, group) == {}


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"accounts": []},
        {"accounts": {"website": "about.me", "username": "a"}},
        {"accounts": [{"website": "about.me", "username": "a"}], "overwrite": "maybe"},
        {"accounts": [{"website": "about.me", "username": "a"}], "group_id": "x"},
    ],
)
def test_import_bad_input_is_422_and_writes_nothing(app, client, headers, group, body):
    response = client.post(f"{API}/groups/{group}/accounts/import", json=body, headers=headers)

    assert response.status_code == 422
    assert accounts_of(app, group) == {}


def test_import_into_someone_elses_group_is_404_like_a_missing_one(
    app, client, headers, other_user, sites
):
    theirs = make_group(app, other_user, service_type="entity")
    body = {"accounts": [{"website": "about.me", "username": "a"}]}
    missing = client.post(
        f"{API}/groups/{uuid.uuid4()}/accounts/import", json=body, headers=headers
    )

    response = client.post(f"{API}/groups/{theirs}/accounts/import", json=body, headers=headers)

    assert missing.status_code == 404
    assert response.status_code == 404 and response.json == missing.json
    assert accounts_of(app, theirs) == {}
    not_uuid = client.post(f"{API}/groups/1/accounts/import", json=body, headers=headers)
    assert not_uuid.status_code == 404


def ten_thousand_items() -> list:
    """9,000 good, 500 duplicates, 300 unsupported, 200 failed, shuffled deterministically."""
    sites = ["about.me", "gravatar.com", "linktr.ee"]
    good = [
        {
            "website": sites[n % 3],
            "username": f"user{n:05d}",
            "email": f"user{n:05d}@mail.example",
            "password": f"secret password #{n}",
            "app_password": f"app-{n}",
            "cookies": f"session: cookie #{n}",
            "note": "bulk",
        }
        for n in range(9000)
    ]
    # 250 against accounts already in the group, 250 repeating items earlier in the batch.
    duplicates = [
        {"website": "about.me", "username": f"OLD{n:03d}", "password": "ignored"}
        for n in range(250)
    ] + [dict(good[n * 3], password="ignored") for n in range(250)]
    unsupported = [
        {"website": ["old.example", "anchor.fm", "elsewhere.example"][n % 3], "username": f"u{n}"}
        for n in range(300)
    ]
    failed = [
        [
            {"website": "about.me"},
            {"username": f"nowhere{n}"},
            {"website": "about.me", "username": 7},
            {"website": "about.me", "email": "e" * 255},
            "about.me|user|pass",
        ][n % 5]
        for n in range(200)
    ]
    items = good + duplicates + unsupported + failed
    # Interleave without randomness: the batch duplicates must come after their originals.
    return items[:4500] + items[9000:] + items[4500:9000]


def test_import_of_ten_thousand_accounts_in_one_call(app, client, user, headers, group):
    for n in range(250):
        make_account(app, group, website="about.me", username=f"old{n:03d}", password="kept #")
    items = ten_thousand_items()
    assert len(items) == 10_000

    response = import_into(client, group, headers, items)

    assert response.status_code == 200
    assert response.json["data"] == {
        "imported": 9000,
        "overwritten": 0,
        "duplicates": 500,
        "unsupported": 300,
        "failed": 200,
        "errors": response.json["data"]["errors"],
    }
    reasons = [e["reason"] for e in response.json["data"]["errors"]]
    assert (reasons.count("duplicate"), reasons.count("unsupported")) == (500, 300)
    assert reasons.count("invalid") == 200
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count()).select_from(Account).where(Account.group_id == group)
            )
            == 9250
        )
        sample = db.session.scalar(
            select(Account).where(Account.group_id == group, Account.identity == "user04321")
        )
        assert (sample.website, sample.password, sample.cookies) == (
            "gravatar.com",
            "secret password #4321",
            "session: cookie #4321",
        )
        old_passwords = db.session.scalars(
            select(Account.password).where(Account.identity.startswith("old"))
        ).all()
        assert len(old_passwords) == 250 and set(old_passwords) == {"kept #"}
        raw = db.session.execute(text("SELECT password, cookies FROM accounts")).all()
    assert len(raw) == 9250
    # Plaintexts hold " " and "#", which never occur in a (base64url) Fernet token.
    for password, cookies in raw:
        assert password.startswith("gAAAAA") and " " not in password and "#" not in password
        assert cookies is None or (cookies.startswith("gAAAAA") and " " not in cookies)
    listed = client.get(f"{API}/groups/{group}", headers=headers).json["data"]
    assert (listed["account_count"], listed["account_active"]) == (9250, 9250)


def test_import_of_ten_thousand_with_overwrite(app, client, headers, group):
    first = [{"website": "about.me", "username": f"u{n}", "password": "a"} for n in range(10_000)]
    assert import_into(client, group, headers, first).json["data"]["imported"] == 10_000

    again = [{"website": "about.me", "username": f"U{n}", "password": "b"} for n in range(10_000)]
    response = import_into(client, group, headers, again, overwrite=True)

    assert response.json["data"] == {
        "imported": 0,
        "overwritten": 10_000,
        "duplicates": 0,
        "unsupported": 0,
        "failed": 0,
        "errors": [],
    }
    with app.app_context():
        passwords = db.session.scalars(
            select(Account.password).where(Account.group_id == group)
        ).all()
    assert len(passwords) == 10_000 and set(passwords) == {"b"}
