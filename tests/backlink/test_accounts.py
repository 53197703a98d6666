"""Accounts of a group: create, list, update, delete, bulk delete, export, checks."""

import csv
import io
import json
import uuid

import pytest
from sqlalchemy import text

from likepion.backlink.models import Account, Site
from likepion.core.db import db
from tests.factories import make_account, make_group
from tests.helpers import count_rows

API = "/api/v1/backlink"
ACCOUNT_FIELDS = {
    "id",
    "group_id",
    "service_type",
    "website",
    "username",
    "email",
    "password",
    "app_password",
    "pass_mail",
    "twofa",
    "active",
    "status",
    "is_indexed",
    "note",
    "created_at",
    "cookies",
}


@pytest.fixture
def headers(user, jwt_headers):
    return jwt_headers(user)


@pytest.fixture
def group(app, user, sites):
    return make_group(app, user, name="Mine", service_type="entity")


@pytest.fixture
def their_group(app, other_user, sites):
    return make_group(app, other_user, name="Theirs", service_type="entity")


@pytest.fixture
def their_account(app, their_group):
    return make_account(app, their_group, website="about.me", username="bob", password="bobpw")


def missing_body(client, path, headers, method="get", json_body=None):
    response = getattr(client, method)(
        path.format(id=uuid.uuid4()), headers=headers, json=json_body or {}
    )
    assert response.status_code == 404
    return response.json


# --- POST /groups/:id/accounts ------------------------------------------------------------------


def test_create_account_normalises_and_encrypts(app, client, user, headers, group, sites):
    response = client.post(
        f"{API}/groups/{group}/accounts",
        json={
            "website": "HTTPS://WWW.About.Me/alice?x=1",
            "username": " Alice ",
            "email": "alice@example.com",
            "password": "pass123",
            "app_password": "app",
            "pass_mail": "mailpw",
            "twofa": "JBSWY3DP",
            "cookies": "sid=abc",
            "note": "main",
        },
        headers=headers,
    )

    assert response.status_code == 201
    data = response.json["data"]
    assert set(data) == ACCOUNT_FIELDS
    assert data["group_id"] == str(group) and data["service_type"] == "entity"
    assert (data["website"], data["username"], data["email"]) == (
        "about.me",
        "Alice",
        "alice@example.com",
    )
    assert (data["password"], data["app_password"], data["pass_mail"]) == (
        "pass123",
        "app",
        "mailpw",
    )
    assert (data["twofa"], data["cookies"], data["note"]) == ("JBSWY3DP", "sid=abc", "main")
    assert (data["active"], data["status"], data["is_indexed"]) == (True, "active", False)
    assert data["created_at"].endswith("Z")
    with app.app_context():
        account = db.session.get(Account, uuid.UUID(data["id"]))
        assert (account.user_id, account.site_id, account.identity) == (
            user.id,
            sites["about.me"],
            "alice",
        )
        raw = db.session.execute(
            text(
                "SELECT password, app_password, pass_mail, twofa, cookies FROM accounts"
                " WHERE website = 'about.me'"
            )
        ).one()
    for stored, plain in zip(raw, ["pass123", "app", "mailpw", "JBSWY3DP", "sid=abc"], strict=True):
        assert stored and plain not in stored


def test_create_account_with_email_only(client, headers, group):
    response = client.post(
        f"{API}/groups/{group}/accounts",
        json={"website": "gravatar.com", "email": "Only@Example.com"},
        headers=headers,
    )

    assert response.status_code == 201
    data = response.json["data"]
    assert (data["username"], data["email"], data["password"]) == ("", "Only@Example.com", "")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"username": "a"}, "website"),
        ({"website": "", "username": "a"}, "website"),
        ({"website": "about.me"}, "username"),
        ({"website": "about.me", "username": " ", "email": ""}, "username"),
        ({"website": "about.me", "username": 5}, "username"),
        ({"website": "about.me", "username": "x" * 256}, "username"),
        ({"website": "about.me", "username": "a", "cookies": "c" * 65_537}, "cookies"),
        ({"website": "about.me", "username": "a", "status": "active"}, "status"),
        ({"website": "nowhere.example", "username": "a"}, "website"),
        ({"website": "old.example", "username": "a"}, "website"),
        ({"website": "anchor.fm", "username": "a"}, "website"),
    ],
)
def test_create_account_bad_input_is_422_and_writes_nothing(
    app, client, headers, group, body, field
):
    response = client.post(f"{API}/groups/{group}/accounts", json=body, headers=headers)

    assert response.status_code == 422
    assert response.json["error"] == "validation_error"
    assert field in response.json["details"]
    assert count_rows(app, Account) == 0


def test_create_duplicate_account_is_409(app, client, headers, group):
    make_account(app, group, website="about.me", username="alice")

    response = client.post(
        f"{API}/groups/{group}/accounts",
        json={"website": "www.about.me", "username": "ALICE"},
        headers=headers,
    )

    assert response.status_code == 409
    assert response.json["error"] == "conflict"
    assert count_rows(app, Account) == 1


def test_create_account_in_someone_elses_group_is_404(app, client, headers, their_group):
    body = {"website": "about.me", "username": "a"}
    missing = missing_body(client, API + "/groups/{id}/accounts", headers, "post", body)

    response = client.post(f"{API}/groups/{their_group}/accounts", json=body, headers=headers)

    assert response.status_code == 404 and response.json == missing
    assert missing["message"] == "Group not found"
    assert count_rows(app, Account) == 0


def test_accounts_need_a_token(client, group):
    assert client.get(f"{API}/groups/{group}/accounts").status_code == 401
    assert client.post(f"{API}/accounts/bulk-delete", json={"ids": []}).status_code == 401


# --- GET /groups/:id/accounts -----------------------------------------------------------------


@pytest.fixture
def pool(app, group):
    return {
        "alice": make_account(app, group, website="about.me", username="alice", password="a1"),
        "bob": make_account(
            app, group, website="about.me", username="bob", status="banned", active=False
        ),
        "carol": make_account(app, group, website="gravatar.com", email="carol@mail.example"),
    }


def usernames(response) -> list[str]:
    assert response.status_code == 200, response.json
    return sorted(a["username"] or a["email"] for a in response.json["data"])


def test_list_accounts_has_the_seed_fields(client, headers, group, pool):
    response = client.get(f"{API}/groups/{group}/accounts", headers=headers)

    body = response.json
    assert (body["success"], body["total"], body["page"], body["limit"]) == (True, 3, 1, 20)
    assert usernames(response) == ["alice", "bob", "carol@mail.example"]
    alice = next(a for a in body["data"] if a["username"] == "alice")
    assert set(alice) == ACCOUNT_FIELDS
    assert alice["id"] == str(pool["alice"]) and alice["password"] == "a1"


def test_list_accounts_pagination(client, headers, group, pool):
    first = client.get(f"{API}/groups/{group}/accounts?limit=2", headers=headers).json
    second = client.get(f"{API}/groups/{group}/accounts?limit=2&page=2", headers=headers).json

    assert (len(first["data"]), len(second["data"]), second["total"]) == (2, 1, 3)
    seen = {a["id"] for a in first["data"] + second["data"]}
    assert seen == {str(i) for i in pool.values()}


def test_list_accounts_status_filter(client, headers, group, pool):
    banned = client.get(f"{API}/groups/{group}/accounts?status=banned", headers=headers)
    active = client.get(f"{API}/groups/{group}/accounts?status=active", headers=headers)

    assert usernames(banned) == ["bob"]
    assert usernames(active) == ["alice", "carol@mail.example"]


def test_list_accounts_search_filter(client, headers, group, pool):
    by_site = client.get(f"{API}/groups/{group}/accounts?search=GRAVATAR", headers=headers)
    by_name = client.get(f"{API}/groups/{group}/accounts?search=ali", headers=headers)
    by_email = client.get(f"{API}/groups/{group}/accounts?search=mail.example", headers=headers)

    assert usernames(by_site) == ["carol@mail.example"]
    assert usernames(by_name) == ["alice"]
    assert usernames(by_email) == ["carol@mail.example"]


@pytest.mark.parametrize("query", ["status=deleted", "page=0", "limit=1001", "limit=x"])
def test_list_accounts_bad_query_is_422(client, headers, group, query):
    response = client.get(f"{API}/groups/{group}/accounts?{query}", headers=headers)

    assert response.status_code == 422


def test_list_accounts_of_someone_elses_group_is_404(client, headers, their_group, their_account):
    missing = missing_body(client, API + "/groups/{id}/accounts", headers)

    response = client.get(f"{API}/groups/{their_group}/accounts", headers=headers)

    assert response.status_code == 404 and response.json == missing


def test_list_accounts_statement_count_does_not_grow_with_page_size(
    app, client, headers, group, sql_statements
):
    for n in range(60):
        make_account(app, group, website="about.me", username=f"user{n}", password=f"pw{n}")

    def page(limit):
        response = client.get(f"{API}/groups/{group}/accounts?limit={limit}", headers=headers)
        assert len(response.json["data"]) == limit

    assert len(sql_statements(lambda: page(5))) == len(sql_statements(lambda: page(50)))


# --- PUT /accounts/:id ------------------------------------------------------------------------


def test_update_account_fields(app, client, headers, group, pool, sites):
    response = client.put(
        f"{API}/accounts/{pool['alice']}",
        json={"password": "new", "note": "changed", "website": "gravatar.com", "email": "a@x.io"},
        headers=headers,
    )

    assert response.status_code == 200
    data = response.json["data"]
    assert (data["password"], data["note"], data["website"], data["email"]) == (
        "new",
        "changed",
        "gravatar.com",
        "a@x.io",
    )
    with app.app_context():
        account = db.session.get(Account, pool["alice"])
        assert (account.site_id, account.identity, account.password) == (
            sites["gravatar.com"],
            "alice",
            "new",
        )


def test_update_account_status_moves_active(app, client, headers, pool):
    banned = client.put(
        f"{API}/accounts/{pool['alice']}", json={"status": "banned"}, headers=headers
    )
    assert (banned.json["data"]["status"], banned.json["data"]["active"]) == ("banned", False)

    active = client.put(f"{API}/accounts/{pool['alice']}", json={"active": True}, headers=headers)
    assert (active.json["data"]["status"], active.json["data"]["active"]) == ("active", True)


def test_update_account_to_a_duplicate_is_409(app, client, headers, pool):
    response = client.put(
        f"{API}/accounts/{pool['bob']}", json={"username": "ALICE"}, headers=headers
    )

    assert response.status_code == 409
    with app.app_context():
        assert db.session.get(Account, pool["bob"]).username == "bob"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "deleted"}, "status"),
        ({"website": "nowhere.example"}, "website"),
        ({"username": None}, "username"),  # alice has no email: no identity left
        ({"password": 123}, "password"),
        ({"group_id": str(uuid.uuid4())}, "group_id"),
        ({"note": "n" * 5001}, "note"),
    ],
)
def test_update_account_bad_input_is_422_and_changes_nothing(
    app, client, headers, pool, body, field
):
    response = client.put(f"{API}/accounts/{pool['alice']}", json=body, headers=headers)

    assert response.status_code == 422
    assert field in response.json["details"]
    with app.app_context():
        account = db.session.get(Account, pool["alice"])
        assert (account.username, account.website, account.status, account.password) == (
            "alice",
            "about.me",
            "active",
            "a1",
        )


def test_update_someone_elses_account_is_404(app, client, headers, their_account):
    missing = missing_body(client, API + "/accounts/{id}", headers, "put", {"note": "x"})

    response = client.put(f"{API}/accounts/{their_account}", json={"note": "x"}, headers=headers)

    assert response.status_code == 404 and response.json == missing
    assert missing["message"] == "Account not found"
    with app.app_context():
        assert db.session.get(Account, their_account).note is None


@pytest.mark.parametrize("method", ["put", "delete"])
def test_non_uuid_account_id_is_404(client, headers, method):
    response = getattr(client, method)(f"{API}/accounts/not-a-uuid", headers=headers, json={})

    assert response.status_code == 404


# --- DELETE /accounts/:id and POST /accounts/bulk-delete ----------------------------------------


def test_delete_account(app, client, headers, pool):
    response = client.delete(f"{API}/accounts/{pool['bob']}", headers=headers)

    assert response.status_code == 200
    assert response.json == {"success": True, "data": {"deleted": 1}}
    assert count_rows(app, Account) == 2
    assert client.delete(f"{API}/accounts/{pool['bob']}", headers=headers).status_code == 404


def test_delete_someone_elses_account_is_404(app, client, headers, pool, their_account):
    missing = missing_body(client, API + "/accounts/{id}", headers, "delete")

    response = client.delete(f"{API}/accounts/{their_account}", headers=headers)

    assert response.status_code == 404 and response.json == missing
    assert count_rows(app, Account) == 4


def test_bulk_delete_deletes_only_own_accounts(app, client, headers, pool, their_account):
    ids = [str(pool["alice"]), str(pool["bob"]), str(their_account), str(uuid.uuid4())]

    response = client.post(f"{API}/accounts/bulk-delete", json={"ids": ids}, headers=headers)

    assert response.status_code == 200
    assert response.json == {"success": True, "data": {"deleted": 2}}
    assert count_rows(app, Account) == 2
    assert count_rows(app, Account, Account.id == their_account) == 1


@pytest.mark.parametrize(
    "body",
    [{}, {"ids": []}, {"ids": ["nope"]}, {"ids": "x"}, {"ids": [str(uuid.uuid4())] * 201}],
)
def test_bulk_delete_bad_input_is_422_and_deletes_nothing(app, client, headers, pool, body):
    response = client.post(f"{API}/accounts/bulk-delete", json=body, headers=headers)

    assert response.status_code == 422
    assert count_rows(app, Account) == 3


# --- POST /accounts/export ----------------------------------------------------------------------


def test_export_accounts_json_leaves_out_someone_elses(client, headers, pool, their_account):
    response = client.post(
        f"{API}/accounts/export",
        json={"ids": [str(pool["alice"]), str(their_account)]},
        headers=headers,
    )

    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Content-Disposition"] == 'attachment; filename="accounts.json"'
    rows = json.loads(response.data)
    assert [r["id"] for r in rows] == [str(pool["alice"])]
    assert set(rows[0]) == ACCOUNT_FIELDS and rows[0]["password"] == "a1"


def test_export_accounts_csv_and_txt(client, headers, pool):
    ids = [str(pool["alice"]), str(pool["carol"])]
    as_csv = client.post(
        f"{API}/accounts/export", json={"ids": ids, "format": "csv"}, headers=headers
    )
    as_txt = client.post(
        f"{API}/accounts/export", json={"ids": ids, "format": "txt"}, headers=headers
    )

    rows = list(csv.DictReader(io.StringIO(as_csv.get_data(as_text=True))))
    assert sorted(r["website"] for r in rows) == ["about.me", "gravatar.com"]
    assert as_txt.headers["Content-Disposition"] == 'attachment; filename="accounts.txt"'
    assert sorted(as_txt.get_data(as_text=True).splitlines()) == [
        "about.me|alice||a1|||||",
        "gravatar.com||carol@mail.example||||||",
    ]


@pytest.mark.parametrize(
    "body",
    [
        {"ids": [], "format": "json"},
        {"format": "csv"},
        {"ids": ["x"]},
        {"ids": [str(uuid.uuid4())], "format": "pdf"},
    ],
)
def test_export_accounts_bad_input_is_422(client, headers, body):
    assert client.post(f"{API}/accounts/export", json=body, headers=headers).status_code == 422


# --- Checks -----------------------------------------------------------------------------------


def test_check_account_marks_it_checking(app, client, headers, pool):
    response = client.post(f"{API}/accounts/{pool['alice']}/check", headers=headers)

    assert response.status_code == 200
    assert response.json == {"success": True, "data": {"queued": 1}}
    with app.app_context():
        assert db.session.get(Account, pool["alice"]).status == "checking"
        assert db.session.get(Account, pool["bob"]).status == "banned"


def test_check_someone_elses_account_is_404(app, client, headers, their_account):
    missing = missing_body(client, API + "/accounts/{id}/check", headers, "post")

    response = client.post(f"{API}/accounts/{their_account}/check", headers=headers)

    assert response.status_code == 404 and response.json == missing
    with app.app_context():
        assert db.session.get(Account, their_account).status == "active"


def test_check_all_marks_every_account_of_the_group(
    app, client, headers, group, pool, their_account
):
    response = client.post(f"{API}/groups/{group}/accounts/check-all", headers=headers)

    assert response.status_code == 200
    assert response.json == {"success": True, "data": {"queued": 3}}
    assert count_rows(app, Account, Account.status == "checking") == 3
    with app.app_context():
        assert db.session.get(Account, their_account).status == "active"


def test_check_all_of_someone_elses_group_is_404(app, client, headers, their_group, their_account):
    missing = missing_body(client, API + "/groups/{id}/accounts/check-all", headers, "post")

    response = client.post(f"{API}/groups/{their_group}/accounts/check-all", headers=headers)

    assert response.status_code == 404 and response.json == missing
    assert count_rows(app, Account, Account.status == "checking") == 0


def test_check_bad_ids_are_404(client, headers):
    assert client.post(f"{API}/accounts/123/check", headers=headers).status_code == 404
    assert client.post(f"{API}/groups/123/accounts/check-all", headers=headers).status_code == 404


def test_site_of_an_account_survives_catalogue_changes(app, client, headers, group, pool):
    with app.app_context():
        db.session.execute(Site.__table__.delete().where(Site.name == "gravatar.com"))
        db.session.commit()

    response = client.get(f"{API}/groups/{group}/accounts?search=carol", headers=headers)

    assert response.json["data"][0]["website"] == "gravatar.com"
