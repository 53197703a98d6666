"""Groups: create, list (filters, counters), get, update, delete, export, import."""

import csv
import io
import json
import uuid

import pytest
from sqlalchemy import select

from likepion.backlink.models import Account, Group, Link, Request
from likepion.core.db import db
from tests.factories import make_account, make_group, make_request
from tests.helpers import count_rows

API = "/api/v1/backlink"
GROUP_FIELDS = {
    "id",
    "user_id",
    "name",
    "service_type",
    "status",
    "account_count",
    "account_active",
    "result",
    "created_at",
    "updated_at",
}


@pytest.fixture
def headers(user, jwt_headers):
    return jwt_headers(user)


def not_found_body(client, path, headers, method="get"):
    """The body a missing id answers, to compare someone else's id against."""
    response = getattr(client, method)(path.format(id=uuid.uuid4()), headers=headers, json={})
    assert response.status_code == 404
    return response.json


# --- POST /groups ------------------------------------------------------------------------------


def test_create_group_answers_the_group(app, client, user, headers):
    response = client.post(
        f"{API}/groups", json={"name": " My Group ", "service_type": "entity"}, headers=headers
    )

    assert response.status_code == 201
    data = response.json["data"]
    assert response.json["success"] is True
    assert set(data) == GROUP_FIELDS
    assert data["name"] == "My Group"
    assert data["user_id"] == str(user.uuid)
    assert (data["service_type"], data["status"]) == ("entity", "active")
    assert (data["account_count"], data["account_active"], data["result"]) == (0, 0, "0 / 0")
    assert data["created_at"].endswith("Z") and data["updated_at"].endswith("Z")
    with app.app_context():
        group = db.session.get(Group, uuid.UUID(data["id"]))
        assert (group.user_id, group.name, group.service_type) == (user.id, "My Group", "entity")


def test_create_group_with_accounts_answers_counters(app, client, user, headers, sites):
    accounts = [
        {"website": "https://www.About.me/alice", "username": "alice", "password": "pw1"},
        {"website": "about.me", "username": "ALICE"},  # duplicate in the batch
        {"website": "old.example", "username": "bob"},  # inactive site: unsupported
        {"website": "gravatar.com", "password": "no identity"},  # failed
        {"website": "gravatar.com", "email": "bob@example.com", "cookies": "sid=1"},
    ]
    response = client.post(
        f"{API}/groups",
        json={"name": "G", "service_type": "entity", "accounts": accounts},
        headers=headers,
    )

    assert response.status_code == 201
    data = response.json["data"]
    assert set(data) == {"group", "imported", "skipped", "failed", "errors"}
    assert (data["imported"], data["skipped"], data["failed"]) == (2, 2, 1)
    assert [(e["index"], e["reason"], e["field"]) for e in data["errors"]] == [
        (1, "duplicate", "username"),
        (2, "unsupported", "website"),
        (3, "invalid", "username"),
    ]
    assert data["errors"][2]["message"] == "A username or an email is required."
    assert set(data["group"]) == GROUP_FIELDS
    assert data["group"]["result"] == "2 / 2"
    group_id = uuid.UUID(data["group"]["id"])
    with app.app_context():
        rows = db.session.execute(
            select(Account.website, Account.username, Account.email, Account.password)
            .where(Account.group_id == group_id)
            .order_by(Account.website)
        ).all()
    assert [tuple(r) for r in rows] == [
        ("about.me", "alice", None, "pw1"),
        ("gravatar.com", None, "bob@example.com", None),
    ]


def test_create_group_with_unsupported_and_skip_false_is_422_and_writes_nothing(
    app, client, user, headers, sites
):
    response = client.post(
        f"{API}/groups",
        json={
            "name": "G",
            "service_type": "entity",
            "skip_unsupported": False,
            "accounts": [
                {"website": "about.me", "username": "a"},
                {"website": "nowhere.example", "username": "b"},
            ],
        },
        headers=headers,
    )

    assert response.status_code == 422
    assert response.json["details"] == {"unsupported": ["nowhere.example"]}
    assert "nowhere.example" in response.json["message"]
    assert count_rows(app, Group) == 0 and count_rows(app, Account) == 0


@pytest.mark.parametrize(
    "body",
    [
        {"service_type": "entity"},
        {"name": "G"},
        {"name": "", "service_type": "entity"},
        {"name": "   ", "service_type": "entity"},
        {"name": "x" * 256, "service_type": "entity"},
        {"name": "G", "service_type": "video"},
        {"name": "G", "service_type": "entity", "accounts": "about.me"},
        {"name": "G", "service_type": "entity", "skip_unsupported": "perhaps"},
        {"name": "G", "service_type": "entity", "owner": 5},
        {"name": 5, "service_type": "entity"},
    ],
)
def test_create_group_bad_input_is_422_and_writes_nothing(app, client, user, headers, body):
    response = client.post(f"{API}/groups", json=body, headers=headers)

    assert response.status_code == 422
    assert response.json["success"] is False and response.json["error"] == "validation_error"
    assert count_rows(app, Group) == 0


def test_create_group_malformed_json_is_400(app, client, user, headers):
    response = client.post(
        f"{API}/groups", data="{nope", content_type="application/json", headers=headers
    )

    assert response.status_code == 400
    assert count_rows(app, Group) == 0


def test_groups_need_a_token(client):
    assert client.get(f"{API}/groups").status_code == 401
    assert (
        client.post(f"{API}/groups", json={"name": "G", "service_type": "entity"}).status_code
        == 401
    )


# --- GET /groups -------------------------------------------------------------------------------


@pytest.fixture
def three_groups(app, user, other_user, sites):
    """alpha (entity, 3 accounts, 2 active), beta (entity, inactive, none), gamma (podcast, 1)."""
    alpha = make_group(app, user, name="Alpha team", service_type="entity")
    beta = make_group(app, user, name="Beta", service_type="entity", status="inactive")
    gamma = make_group(app, user, name="Gamma team", service_type="podcast")
    make_account(app, alpha, website="about.me", username="a1")
    make_account(app, alpha, website="about.me", username="a2")
    make_account(app, alpha, website="gravatar.com", username="a3", active=False, status="banned")
    make_account(app, gamma, website="anchor.fm", username="g1")
    theirs = make_group(app, other_user, name="Alpha of Bob", service_type="entity")
    make_account(app, theirs, website="about.me", username="b1")
    return {"alpha": alpha, "beta": beta, "gamma": gamma, "theirs": theirs}


def names(response) -> list[str]:
    assert response.status_code == 200, response.json
    return [g["name"] for g in response.json["data"]]


def test_list_groups_shows_own_groups_newest_first_with_counters(
    client, user, headers, three_groups
):
    response = client.get(f"{API}/groups", headers=headers)

    body = response.json
    assert names(response) == ["Gamma team", "Beta", "Alpha team"]
    assert (body["success"], body["total"], body["page"], body["limit"]) == (True, 3, 1, 20)
    alpha = body["data"][2]
    assert set(alpha) == GROUP_FIELDS
    assert alpha["id"] == str(three_groups["alpha"])
    assert alpha["user_id"] == str(user.uuid)
    assert (alpha["account_count"], alpha["account_active"], alpha["result"]) == (3, 2, "2 / 3")
    assert body["data"][1]["result"] == "0 / 0"


def test_list_groups_pagination(client, headers, three_groups):
    response = client.get(f"{API}/groups?limit=2&page=2", headers=headers)

    assert names(response) == ["Alpha team"]
    assert (response.json["total"], response.json["page"], response.json["limit"]) == (3, 2, 2)


def test_list_groups_service_type_filter(client, headers, three_groups):
    assert names(client.get(f"{API}/groups?service_type=podcast", headers=headers)) == [
        "Gamma team"
    ]


def test_list_groups_status_filter(client, headers, three_groups):
    assert names(client.get(f"{API}/groups?status=inactive", headers=headers)) == ["Beta"]
    assert names(client.get(f"{API}/groups?status=active", headers=headers)) == [
        "Gamma team",
        "Alpha team",
    ]


def test_list_groups_search_filter(client, headers, three_groups):
    assert names(client.get(f"{API}/groups?search=TEAM", headers=headers)) == [
        "Gamma team",
        "Alpha team",
    ]
    assert names(client.get(f"{API}/groups?search=_", headers=headers)) == []


def test_list_groups_min_active_filter(client, headers, three_groups):
    assert names(client.get(f"{API}/groups?min_active=1", headers=headers)) == [
        "Gamma team",
        "Alpha team",
    ]
    assert names(client.get(f"{API}/groups?min_active=2", headers=headers)) == ["Alpha team"]
    assert names(client.get(f"{API}/groups?min_active=3", headers=headers)) == []
    assert len(names(client.get(f"{API}/groups?min_active=0", headers=headers))) == 3


@pytest.mark.parametrize(
    "query",
    [
        "service_type=video",
        "status=deleted",
        "min_active=-1",
        "min_active=x",
        "page=0",
        "limit=1001",
        "search=" + "s" * 256,
    ],
)
def test_list_groups_bad_query_is_422(client, headers, query):
    response = client.get(f"{API}/groups?{query}", headers=headers)

    assert response.status_code == 422
    assert response.json["error"] == "validation_error"


def test_list_groups_statement_count_does_not_grow_with_page_size(
    app, client, user, headers, sites, sql_statements
):
    for n in range(60):
        group_id = make_group(app, user, name=f"G{n}")
        make_account(app, group_id, website="about.me", username=f"u{n}")

    def page(limit):
        response = client.get(f"{API}/groups?limit={limit}", headers=headers)
        assert len(response.json["data"]) == limit

    assert len(sql_statements(lambda: page(5))) == len(sql_statements(lambda: page(50)))


# --- GET/PUT/DELETE /groups/:id ------------------------------------------------------------------


def test_get_group(client, user, headers, three_groups):
    response = client.get(f"{API}/groups/{three_groups['alpha']}", headers=headers)

    assert response.status_code == 200
    data = response.json["data"]
    assert set(data) == GROUP_FIELDS
    assert (data["name"], data["result"], data["user_id"]) == (
        "Alpha team",
        "2 / 3",
        str(user.uuid),
    )


def test_get_someone_elses_group_is_404_like_a_missing_one(client, headers, three_groups):
    missing = not_found_body(client, API + "/groups/{id}", headers)

    response = client.get(f"{API}/groups/{three_groups['theirs']}", headers=headers)

    assert response.status_code == 404
    assert response.json == missing
    assert missing == {
        "success": False,
        "error": "not_found",
        "message": "Group not found",
        "details": {},
    }


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_non_uuid_group_id_is_404(client, headers, method):
    response = getattr(client, method)(f"{API}/groups/12345", headers=headers, json={})

    assert response.status_code == 404
    assert response.json["error"] == "not_found"


def test_update_group_name_and_status(app, client, headers, three_groups):
    response = client.put(
        f"{API}/groups/{three_groups['alpha']}",
        json={"name": "Renamed", "status": "inactive"},
        headers=headers,
    )

    assert response.status_code == 200
    assert (response.json["data"]["name"], response.json["data"]["status"]) == (
        "Renamed",
        "inactive",
    )
    assert response.json["data"]["result"] == "2 / 3"
    with app.app_context():
        group = db.session.get(Group, three_groups["alpha"])
        assert (group.name, group.status) == ("Renamed", "inactive")


@pytest.mark.parametrize(
    "body",
    [
        {"status": "deleted"},
        {"name": ""},
        {"name": None},
        {"service_type": "podcast"},
        {"name": "x" * 256},
    ],
)
def test_update_group_bad_input_is_422_and_changes_nothing(
    app, client, headers, three_groups, body
):
    response = client.put(f"{API}/groups/{three_groups['alpha']}", json=body, headers=headers)

    assert response.status_code == 422
    with app.app_context():
        group = db.session.get(Group, three_groups["alpha"])
        assert (group.name, group.status, group.service_type) == ("Alpha team", "active", "entity")


def test_update_someone_elses_group_is_404_and_changes_nothing(app, client, headers, three_groups):
    missing = not_found_body(client, API + "/groups/{id}", headers, "put")

    response = client.put(
        f"{API}/groups/{three_groups['theirs']}", json={"name": "Mine now"}, headers=headers
    )

    assert response.status_code == 404 and response.json == missing
    with app.app_context():
        assert db.session.get(Group, three_groups["theirs"]).name == "Alpha of Bob"


POST = "https://about.me/post/1"


def test_delete_group_deletes_its_accounts_and_keeps_request_links(
    app, client, user, headers, three_groups
):
    alpha = three_groups["alpha"]
    with app.app_context():
        account_id = db.session.scalar(select(Account.id).where(Account.group_id == alpha).limit(1))
    made = make_request(
        app,
        user,
        status="pending",
        group_id=alpha,
        name="Campaign",
        target=1,
        links=[{"status": "completed", "account_id": account_id, "link_post": POST}],
    )
    request_id, link_id = made.id, made.link_ids[0]

    response = client.delete(f"{API}/groups/{alpha}", headers=headers)

    assert response.status_code == 200
    assert response.json == {"success": True, "data": {"deleted": 1}}
    assert count_rows(app, Group, Group.id == alpha) == 0
    assert count_rows(app, Account, Account.group_id == alpha) == 0
    assert count_rows(app, Account) == 2  # gamma's and the other user's
    with app.app_context():
        assert db.session.get(Request, request_id).group_id is None
        link = db.session.get(Link, link_id)
        assert (link.account_id, link.link_post) == (None, POST)
    assert client.get(f"{API}/groups/{alpha}", headers=headers).status_code == 404


def test_delete_someone_elses_group_is_404_and_deletes_nothing(app, client, headers, three_groups):
    missing = not_found_body(client, API + "/groups/{id}", headers, "delete")

    response = client.delete(f"{API}/groups/{three_groups['theirs']}", headers=headers)

    assert response.status_code == 404 and response.json == missing
    assert count_rows(app, Group) == 4 and count_rows(app, Account) == 5


# --- GET /groups/:id/export ------------------------------------------------------------------


@pytest.fixture
def export_group(app, user, sites):
    group_id = make_group(app, user, name="Export me")
    make_account(
        app,
        group_id,
        website="about.me",
        username="alice",
        email="a@example.com",
        password="pw|1",
        app_password="app",
        pass_mail="pm",
        twofa="2fa",
        cookies="sid=1",
        note="first",
    )
    make_account(app, group_id, website="gravatar.com", email="b@example.com")
    return group_id


def test_export_group_json_is_a_download_with_decrypted_accounts(client, headers, export_group):
    response = client.get(f"{API}/groups/{export_group}/export", headers=headers)

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="group-{export_group}.json"'
    )
    body = json.loads(response.data)
    assert set(body) == {"group", "accounts"}
    assert set(body["group"]) == GROUP_FIELDS and body["group"]["result"] == "2 / 2"
    alice = next(a for a in body["accounts"] if a["username"] == "alice")
    assert (alice["password"], alice["app_password"], alice["pass_mail"]) == ("pw|1", "app", "pm")
    assert (alice["twofa"], alice["cookies"], alice["note"]) == ("2fa", "sid=1", "first")


def test_export_group_csv(client, headers, export_group):
    response = client.get(f"{API}/groups/{export_group}/export?format=csv", headers=headers)

    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].endswith(f'group-{export_group}.csv"')
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 2
    alice = next(r for r in rows if r["username"] == "alice")
    assert (alice["website"], alice["password"], alice["cookies"]) == ("about.me", "pw|1", "sid=1")


def test_export_group_txt_is_one_pipe_line_per_account(client, headers, export_group):
    response = client.get(f"{API}/groups/{export_group}/export?format=txt", headers=headers)

    assert response.status_code == 200 and response.mimetype == "text/plain"
    lines = sorted(response.get_data(as_text=True).splitlines())
    assert lines == [
        "about.me|alice|a@example.com|pw|1|app|pm|2fa|sid=1|first",
        "gravatar.com||b@example.com||||||",
    ]


def test_export_group_bad_format_is_422(client, headers, export_group):
    response = client.get(f"{API}/groups/{export_group}/export?format=xml", headers=headers)

    assert response.status_code == 422


def test_export_someone_elses_group_is_404(app, client, other_user, headers, sites):
    theirs = make_group(app, other_user)
    missing = not_found_body(client, API + "/groups/{id}/export", headers)

    response = client.get(f"{API}/groups/{theirs}/export", headers=headers)

    assert response.status_code == 404 and response.json == missing


def test_exported_json_imports_back_into_a_new_group(client, headers, export_group):
    exported = json.loads(client.get(f"{API}/groups/{export_group}/export", headers=headers).data)

    response = client.post(
        f"{API}/groups/import",
        json={"service_type": "entity", "name": "Copy", "accounts": exported["accounts"]},
        headers=headers,
    )

    assert response.status_code == 201
    assert response.json["data"]["imported"] == 2 and response.json["data"]["failed"] == 0


# --- POST /groups/import -----------------------------------------------------------------------


def test_import_group_creates_the_group_and_counts(app, client, user, headers, sites):
    accounts = [
        {"website": "about.me", "username": "a", "password": "one"},
        {"website": "about.me", "username": "A", "password": "two"},  # same identity
        {"website": "gravatar.com", "email": "x@example.com"},
        {"website": "old.example", "username": "c"},
        {"website": "", "username": "d"},
        "not an object",
    ]
    response = client.post(
        f"{API}/groups/import",
        json={"service_type": "entity", "name": "Imported", "accounts": accounts},
        headers=headers,
    )

    assert response.status_code == 201
    data = response.json["data"]
    assert set(data) == {
        "group",
        "imported",
        "overwritten",
        "duplicates",
        "unsupported",
        "failed",
        "errors",
    }
    assert data["errors"] == [
        {
            "index": 1,
            "reason": "duplicate",
            "field": "username",
            "message": "Item 0 of this import already has a on about.me.",
        },
        {
            "index": 3,
            "reason": "unsupported",
            "field": "website",
            "message": "old.example is not an active entity site.",
        },
        {"index": 4, "reason": "invalid", "field": "website", "message": "A website is required."},
        {
            "index": 5,
            "reason": "invalid",
            "field": "_schema",
            "message": "An account must be an object.",
        },
    ]
    assert set(data["group"]) == {"id", "name"} and data["group"]["name"] == "Imported"
    assert (data["imported"], data["overwritten"], data["duplicates"]) == (2, 0, 1)
    assert (data["unsupported"], data["failed"]) == (1, 2)
    with app.app_context():
        group = db.session.get(Group, uuid.UUID(data["group"]["id"]))
        assert (group.user_id, group.service_type) == (user.id, "entity")
        password = db.session.scalar(
            select(Account.password).where(Account.group_id == group.id, Account.identity == "a")
        )
    assert password == "one"


def test_import_group_overwrite_lets_the_later_item_win(app, client, headers, sites):
    response = client.post(
        f"{API}/groups/import",
        json={
            "service_type": "entity",
            "name": "Imported",
            "overwrite": True,
            "accounts": [
                {"website": "about.me", "username": "a", "password": "one", "note": "keep"},
                {"website": "about.me", "username": "a", "password": "two"},
            ],
        },
        headers=headers,
    )

    data = response.json["data"]
    assert (data["imported"], data["overwritten"], data["duplicates"]) == (1, 1, 0)
    with app.app_context():
        account = db.session.scalars(select(Account)).one()
        assert (account.password, account.note) == ("two", "keep")


def test_import_group_unsupported_with_skip_false_is_422_and_writes_nothing(
    app, client, headers, sites
):
    response = client.post(
        f"{API}/groups/import",
        json={
            "service_type": "entity",
            "name": "Imported",
            "skip_unsupported": False,
            "accounts": [
                {"website": "about.me", "username": "a"},
                {"website": "anchor.fm", "username": "b"},
                {"website": "old.example", "username": "c"},
            ],
        },
        headers=headers,
    )

    assert response.status_code == 422
    assert response.json["details"] == {"unsupported": ["anchor.fm", "old.example"]}
    assert count_rows(app, Group) == 0 and count_rows(app, Account) == 0


@pytest.mark.parametrize(
    "body",
    [
        {"name": "I", "accounts": [{"website": "about.me", "username": "a"}]},
        {"service_type": "entity", "accounts": [{"website": "about.me", "username": "a"}]},
        {"service_type": "entity", "name": "I"},
        {"service_type": "entity", "name": "I", "accounts": []},
        {"service_type": "entity", "name": "I", "accounts": {"website": "about.me"}},
        {"service_type": "nope", "name": "I", "accounts": [{"website": "about.me"}]},
        {"service_type": "entity", "name": "I", "accounts": [{}], "overwrite": "sometimes"},
    ],
)
def test_import_group_bad_input_is_422_and_writes_nothing(app, client, headers, sites, body):
    response = client.post(f"{API}/groups/import", json=body, headers=headers)

    assert response.status_code == 422
    assert count_rows(app, Group) == 0 and count_rows(app, Account) == 0


def test_import_group_over_the_item_cap_is_422(app, client, headers, sites):
    accounts = [{"website": "about.me", "username": f"u{n}"} for n in range(20_001)]

    response = client.post(
        f"{API}/groups/import",
        json={"service_type": "entity", "name": "Too many", "accounts": accounts},
        headers=headers,
    )

    assert response.status_code == 422
    assert "accounts" in response.json["details"]
    assert count_rows(app, Group) == 0
