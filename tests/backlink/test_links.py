"""A request's links over HTTP: list, export, retry one or all, delete, and the credits moved."""

import csv
import io
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from likepion.backlink.models import Link, Request
from likepion.core.db import db
from tests.factories import make_request, make_server, make_site, make_user
from tests.helpers import balance, ledger_rows, load_row

BASE = "/api/v1/backlink"
LINK_FIELDS = {
    "id",
    "service_type",
    "server_id",
    "server_name",
    "site_id",
    "site_name",
    "email",
    "username",
    "password",
    "about",
    "link_profile",
    "link_post",
    "status",
    "note",
    "error_message",
    "retry_count",
    "max_retries",
    "is_indexed",
    "started_at",
    "completed_at",
    "created_at",
}
T0 = datetime(2025, 6, 1, tzinfo=UTC)
AMOUNT_REF = ("amount", "reference")  # the ledger columns these tests compare


def links_url(info, service_type="entity"):
    return f"{BASE}/{service_type}/{info.id}/links"


def assert_held_credits(app, user, info, spent_before=0, initial=1000):
    """The request holds auction_price x (target - refunded unbuilt links) (progress.py)."""
    with app.app_context():
        request = db.session.get(Request, info.id)
        refunded_failed = db.session.scalar(
            select(func.count()).where(
                Link.request_id == info.id,
                Link.status.in_(("failed", "cancel")),
                Link.refunded.is_(True),
            )
        )
        held = request.auction_price * (request.target - refunded_failed)
    assert initial - balance(app, user) - spent_before == held


# --- list ------------------------------------------------------------------------------------


def test_list_has_the_seed_fields_and_resolved_names(app, client, user, jwt_headers):
    site_id = make_site(app, name="about.me")
    server_id = make_server(app, "server-01").id
    info = make_request(
        app,
        user,
        links=[
            {
                "status": "completed",
                "site_id": site_id,
                "server_id": server_id,
                "email": "user@gmail.com",
                "username": "user1",
                "password": "pass",
                "about": "Bio text",
                "link_profile": "https://example.com/profile/user1",
                "link_post": "https://example.com/post/123",
                "is_indexed": True,
                "started_at": T0,
                "completed_at": T0 + timedelta(minutes=1),
            },
            "queued",
        ],
    )

    response = client.get(links_url(info) + "?order=asc", headers=jwt_headers(user))

    assert response.status_code == 200
    body = response.json
    assert body["success"] is True
    assert (body["total"], body["page"], body["limit"]) == (2, 1, 20)
    done, queued = body["data"]
    assert set(done) == LINK_FIELDS
    assert done == done | {
        "id": str(info.link_ids[0]),
        "service_type": "entity",
        "server_id": str(server_id),
        "server_name": "server-01",
        "site_id": str(site_id),
        "site_name": "about.me",
        "email": "user@gmail.com",
        "username": "user1",
        "password": "pass",
        "about": "Bio text",
        "link_profile": "https://example.com/profile/user1",
        "link_post": "https://example.com/post/123",
        "status": "completed",
        "note": "",
        "error_message": "",
        "retry_count": 0,
        "max_retries": 3,
        "is_indexed": True,
        "started_at": "2025-06-01T00:00:00Z",
        "completed_at": "2025-06-01T00:01:00Z",
    }
    assert done["created_at"].endswith("Z")
    # Missing text is "", missing ids and times are null.
    assert queued == queued | {
        "server_id": None,
        "server_name": "",
        "site_id": None,
        "site_name": "",
        "email": "",
        "username": "",
        "password": "",
        "link_post": "",
        "started_at": None,
        "completed_at": None,
        "status": "queued",
    }


def test_list_is_newest_first_and_pages_never_overlap(app, client, user, jwt_headers):
    # Planned links share one created_at: paging must still show each link exactly once.
    info = make_request(app, user, links=[{"status": "queued", "created_at": T0}] * 7)
    make_request(app, user, links=["queued"] * 3)  # another request's links stay out

    for order in ("desc", "asc"):
        seen = []
        for page in (1, 2, 3):
            body = client.get(
                links_url(info) + f"?limit=3&page={page}&order={order}", headers=jwt_headers(user)
            ).json
            assert body["total"] == 7
            seen += [item["id"] for item in body["data"]]
        assert sorted(seen) == sorted(str(i) for i in info.link_ids)
        assert len(seen) == 7

    newest = make_request(app, user, links=["queued", "queued"])
    body = client.get(links_url(newest), headers=jwt_headers(user)).json
    assert [item["id"] for item in body["data"]] == [str(i) for i in reversed(newest.link_ids)]


def test_list_filters_by_status(client, app, user, jwt_headers):
    info = make_request(app, user, links=["queued", "failed", "completed", "failed"])

    body = client.get(links_url(info) + "?status=failed", headers=jwt_headers(user)).json

    assert body["total"] == 2
    assert {item["id"] for item in body["data"]} == {str(info.link_ids[1]), str(info.link_ids[3])}


@pytest.mark.parametrize(
    "term, expected",
    [
        ("POST/42", 0),  # link_post, case-insensitive
        ("profile/bob", 1),  # link_profile
        ("carol", 2),  # username
        ("dave@mail", 3),  # email
        ("MEDIUM.COM", 4),  # the site's name
        ("%", None),  # LIKE wildcards are literal text
        ("", "all"),  # an empty search filters nothing
    ],
)
def test_list_search(app, client, user, jwt_headers, term, expected):
    site_id = make_site(app, name="medium.com")
    info = make_request(
        app,
        user,
        links=[
            {"link_post": "https://blog.example/post/42"},
            {"link_profile": "https://site.example/profile/bob"},
            {"username": "Carol"},
            {"email": "dave@mail.example"},
            {"site_id": site_id},
        ],
    )

    body = client.get(links_url(info) + f"?search={term}", headers=jwt_headers(user)).json

    ids = [item["id"] for item in body["data"]]
    if expected == "all":
        assert sorted(ids) == sorted(str(i) for i in info.link_ids)
    else:
        assert ids == ([] if expected is None else [str(info.link_ids[expected])])
    assert body["total"] == len(ids)


@pytest.mark.parametrize("sort", ["status", "started_at", "completed_at", "retry_count"])
@pytest.mark.parametrize("order", ["asc", "desc"])
def test_list_sorts(app, client, user, jwt_headers, sort, order):
    info = make_request(
        app,
        user,
        links=[
            {"status": "running", "retry_count": 2, "started_at": T0 + timedelta(hours=2)},
            {
                "status": "completed",
                "retry_count": 0,
                "started_at": T0,
                "completed_at": T0 + timedelta(hours=1),
            },
            {"status": "queued", "retry_count": 1},
            {
                "status": "failed",
                "retry_count": 3,
                "started_at": T0 + timedelta(hours=1),
                "completed_at": T0 + timedelta(hours=3),
            },
        ],
    )

    body = client.get(
        links_url(info) + f"?sort={sort}&order={order}", headers=jwt_headers(user)
    ).json

    values = [item[sort] for item in body["data"]]
    present = [v for v in values if v is not None]
    assert present == sorted(present, reverse=order == "desc")
    # Links that never started (or finished) come last in both directions.
    assert values[len(present) :] == [None] * (len(values) - len(present))


@pytest.mark.parametrize(
    "query",
    [
        "page=0",
        "limit=0",
        "limit=1001",
        "status=done",
        "sort=name",
        "order=up",
        "page=x",
        "search=" + "s" * 256,
    ],
)
def test_list_bad_query_is_422(app, client, user, jwt_headers, query):
    info = make_request(app, user, links=["queued"])
    response = client.get(links_url(info) + f"?{query}", headers=jwt_headers(user))
    assert response.status_code == 422
    assert response.json["success"] is False
    assert response.json["error"] == "validation_error"


def test_list_needs_a_token(app, client, user):
    info = make_request(app, user, links=["queued"])
    assert client.get(links_url(info)).status_code == 401


def test_list_statements_do_not_grow_with_page_size(app, client, user, jwt_headers, sql_statements):
    sites = [make_site(app) for _ in range(3)]
    servers = [make_server(app).id for _ in range(3)]
    info = make_request(
        app,
        user,
        links=[
            {"status": "completed", "site_id": sites[n % 3], "server_id": servers[n % 3]}
            for n in range(60)
        ],
    )

    def page(limit):
        response = client.get(links_url(info) + f"?limit={limit}", headers=jwt_headers(user))
        assert len(response.json["data"]) == limit

    counts = [len(sql_statements(lambda limit=limit: page(limit))) for limit in (5, 50)]

    assert counts[0] == counts[1]


# --- tenancy ---------------------------------------------------------------------------------


def not_found_body(client, user, jwt_headers, url):
    response = client.get(url, headers=jwt_headers(user))
    assert response.status_code == 404
    return response.json


def test_someone_elses_deleted_or_other_type_request_is_404_like_a_missing_one(
    app, client, user, other_user, jwt_headers
):
    missing = not_found_body(client, user, jwt_headers, f"{BASE}/entity/{uuid.uuid4()}/links")
    assert missing == {
        "success": False,
        "error": "not_found",
        "message": "Request not found",
        "details": {},
    }
    theirs = make_request(app, other_user, links=["queued"])
    deleted = make_request(app, user, links=["queued"], deleted=True)
    social = make_request(app, user, service_type="social", links=["queued"])

    for url in (
        links_url(theirs),
        links_url(deleted),
        links_url(social, "entity"),
        links_url(theirs) + "/export",
        links_url(deleted) + "/export?format=txt",
    ):
        assert not_found_body(client, user, jwt_headers, url) == missing
    assert client.get(f"{BASE}/entity/not-a-uuid/links", headers=jwt_headers(user)).status_code == (
        404
    )
    assert client.get(f"{BASE}/bogus/{theirs.id}/links", headers=jwt_headers(user)).status_code == (
        404
    )


@pytest.mark.parametrize("action", ["retry", "delete"])
def test_links_of_other_requests_or_users_are_404_like_a_missing_one(
    app, client, user, other_user, jwt_headers, action
):
    mine = make_request(app, user, links=["failed"])
    sibling = make_request(app, user, links=["failed"])
    theirs = make_request(app, other_user, links=["failed"])
    deleted = make_request(app, user, links=["failed"], deleted=True)
    before = balance(app, user)

    def call(info, link_id):
        url = f"{links_url(info)}/{link_id}"
        if action == "retry":
            return client.post(url + "/retry", headers=jwt_headers(user))
        return client.delete(url, headers=jwt_headers(user))

    missing = call(mine, uuid.uuid4())
    assert missing.status_code == 404
    assert missing.json["message"] == "Link not found"
    assert call(mine, sibling.link_ids[0]).json == missing.json
    assert call(mine, theirs.link_ids[0]).json == missing.json
    theirs_response = call(theirs, theirs.link_ids[0])
    assert theirs_response.status_code == 404
    assert theirs_response.json["message"] == "Request not found"
    assert call(deleted, deleted.link_ids[0]).json == theirs_response.json
    assert call(mine, mine.link_ids[0]).status_code == 200  # the control
    with app.app_context():
        for info in (sibling, theirs, deleted):
            assert db.session.get(Link, info.link_ids[0]).status == "failed"
    # Only the control moved money: a delete refunds its unbuilt link, a retry is free.
    assert balance(app, user) == before + (10 if action == "delete" else 0)


def test_retry_all_of_someone_elses_request_is_404(app, client, user, other_user, jwt_headers):
    theirs = make_request(app, other_user, links=["failed"])
    response = client.post(links_url(theirs) + "/retry-all", headers=jwt_headers(user))
    assert response.status_code == 404
    assert load_row(app, Link, theirs.link_ids[0]).status == "failed"


# --- export ----------------------------------------------------------------------------------


@pytest.fixture
def exported(app, user):
    site_id = make_site(app, name="about.me")
    return make_request(
        app,
        user,
        links=[
            {"status": "completed", "link_post": "https://a.example/post", "site_id": site_id},
            {"status": "completed", "link_profile": "https://b.example/profile"},
            {"status": "queued"},
            {"status": "completed", "link_post": "https://c.example/p", "link_profile": "x"},
        ],
    )


def test_export_json_is_every_link_in_the_list_shape(client, user, jwt_headers, exported):
    response = client.get(links_url(exported) + "/export", headers=jwt_headers(user))

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    disposition = response.headers["Content-Disposition"]
    assert disposition == f'attachment; filename="links-{exported.id}.json"'
    rows = response.json
    assert [row["id"] for row in rows] == [str(i) for i in exported.link_ids]
    assert all(set(row) == LINK_FIELDS for row in rows)
    assert rows[0]["site_name"] == "about.me"


def test_export_csv(client, user, jwt_headers, exported):
    response = client.get(links_url(exported) + "/export?format=csv", headers=jwt_headers(user))

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 4
    assert set(rows[0]) == LINK_FIELDS
    assert rows[0]["link_post"] == "https://a.example/post"
    assert rows[2]["server_id"] == ""


def test_export_txt_is_one_link_a_line_post_before_profile(client, user, jwt_headers, exported):
    response = client.get(links_url(exported) + "/export?format=txt", headers=jwt_headers(user))

    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    assert response.get_data(as_text=True) == (
        "https://a.example/post\nhttps://b.example/profile\nhttps://c.example/p\n"
    )


def test_export_bad_format_is_422(client, user, jwt_headers, exported):
    response = client.get(links_url(exported) + "/export?format=xml", headers=jwt_headers(user))
    assert response.status_code == 422


# --- retry one -------------------------------------------------------------------------------


def retry(client, user, jwt_headers, info, n=0):
    return client.post(f"{links_url(info)}/{info.link_ids[n]}/retry", headers=jwt_headers(user))


def test_retry_requeues_a_failed_link_and_reopens_a_finished_request(
    app, client, user, jwt_headers
):
    server_id = make_server(app).id
    info = make_request(
        app,
        user,
        status="completed",
        completed_at=T0,
        links=[
            {
                "status": "failed",
                "retry_count": 3,
                "error_message": "timeout",
                "server_id": server_id,
            },
            "completed",
        ],
    )
    before = balance(app, user)

    response = retry(client, user, jwt_headers, info)

    assert response.status_code == 200
    data = response.json["data"]
    assert set(data) == LINK_FIELDS
    assert data | {"status": "queued", "retry_count": 0, "error_message": ""} == data
    link = load_row(app, Link, info.link_ids[0])
    assert (link.status, link.retry_count, link.refunded, link.claimed_until) == (
        "queued",
        0,
        False,
        None,
    )
    request = load_row(app, Request, info.id)
    assert (request.status, request.completed_at) == ("running", None)
    assert balance(app, user) == before  # never refunded: nothing to charge
    assert ledger_rows(app, user, *AMOUNT_REF, reason="link.retry") == []


def test_retry_of_a_refunded_link_charges_its_price_again(app, client, user, jwt_headers):
    info = make_request(
        app,
        user,
        status="failed",
        auction_price=25,
        links=[{"status": "failed", "refunded": True}, {"status": "failed", "refunded": True}],
    )
    assert_held_credits(app, user, info)

    assert retry(client, user, jwt_headers, info).status_code == 200

    assert ledger_rows(app, user, *AMOUNT_REF, reason="link.retry") == [
        (-25, str(info.link_ids[0]))
    ]
    assert load_row(app, Link, info.link_ids[0]).refunded is False
    assert load_row(app, Request, info.id).status == "running"
    assert_held_credits(app, user, info)


def poor_user_with_two_refunded_links(app, credits_left: int):
    """A user whose failed request has two refunded 50-credit links, with only `credits_left`
    credits left after spending what the refunds gave back: (user, request)."""
    poor = make_user(app, credits=100)
    info = make_request(
        app,
        poor,
        status="failed",
        auction_price=50,
        target=2,
        links=[{"status": "failed", "refunded": True}, {"status": "failed", "refunded": True}],
    )
    with app.app_context():
        from likepion.credits import ledger

        ledger.charge(poor.id, 100 - credits_left, reason="test.spend")
        db.session.commit()
    return poor, info


def test_retry_without_enough_credits_is_402_and_changes_nothing(app, client, jwt_headers):
    poor, info = poor_user_with_two_refunded_links(app, credits_left=0)

    response = retry(client, poor, jwt_headers, info)

    assert response.status_code == 402
    assert response.json["error"] == "insufficient_credits"
    link = load_row(app, Link, info.link_ids[0])
    assert (link.status, link.refunded) == ("failed", True)
    assert load_row(app, Request, info.id).status == "failed"
    assert ledger_rows(app, poor, *AMOUNT_REF, reason="link.retry") == []
    assert balance(app, poor) == 0


@pytest.mark.parametrize("status", ["pending", "queued", "running", "completed", "cancel"])
def test_retry_of_a_link_that_did_not_fail_is_409(app, client, user, jwt_headers, status):
    info = make_request(app, user, links=[status, "failed"])

    response = retry(client, user, jwt_headers, info)

    assert response.status_code == 409
    assert response.json["error"] == "invalid_state"
    assert status in response.json["message"]
    assert load_row(app, Link, info.link_ids[0]).status == status


def test_retry_in_a_stopped_request_waits_for_its_start(app, client, user, jwt_headers):
    info = make_request(app, user, status="stopped", links=["failed", "pending"])

    assert retry(client, user, jwt_headers, info).status_code == 200

    assert load_row(app, Link, info.link_ids[0]).status == "pending"
    assert load_row(app, Request, info.id).status == "stopped"


def test_retry_when_the_target_is_already_reached_is_409(app, client, user, jwt_headers):
    info = make_request(
        app,
        user,
        status="completed",
        target=1,
        links=["completed", {"status": "failed", "refunded": True}],
    )
    before = balance(app, user)

    response = retry(client, user, jwt_headers, info, n=1)

    assert response.status_code == 409
    assert balance(app, user) == before


# --- retry all -------------------------------------------------------------------------------


def test_retry_all_requeues_every_failed_link_with_one_charge(app, client, user, jwt_headers):
    info = make_request(
        app,
        user,
        status="completed",
        auction_price=20,
        links=[
            {"status": "failed", "refunded": True},
            {"status": "failed", "refunded": True, "retry_count": 3},
            {"status": "failed", "retry_count": 1},
            "completed",
            "queued",
        ],
    )
    assert_held_credits(app, user, info)

    response = client.post(links_url(info) + "/retry-all", headers=jwt_headers(user))

    assert response.status_code == 200
    assert response.json == {"success": True, "data": {"retried": 3}}
    assert ledger_rows(app, user, *AMOUNT_REF, reason="link.retry_all") == [(-40, str(info.id))]
    with app.app_context():
        links = db.session.scalars(select(Link).where(Link.request_id == info.id)).all()
        by_id = {link.id: link for link in links}
        assert [by_id[i].status for i in info.link_ids] == [
            "queued",
            "queued",
            "queued",
            "completed",
            "queued",
        ]
        assert not any(link.refunded for link in links)
        assert {by_id[i].retry_count for i in info.link_ids[:3]} == {0}
    assert load_row(app, Request, info.id).status == "running"
    assert_held_credits(app, user, info)


def test_retry_all_without_failed_links_changes_nothing(app, client, user, jwt_headers):
    info = make_request(app, user, status="completed", links=["completed", "completed"])

    response = client.post(links_url(info) + "/retry-all", headers=jwt_headers(user))

    assert response.json["data"] == {"retried": 0}
    assert load_row(app, Request, info.id).status == "completed"
    assert ledger_rows(app, user, *AMOUNT_REF, reason="link.retry_all") == []


def test_retry_all_without_enough_credits_is_402_and_changes_nothing(app, client, jwt_headers):
    poor, info = poor_user_with_two_refunded_links(app, credits_left=40)  # one retry, not two

    response = client.post(links_url(info) + "/retry-all", headers=jwt_headers(poor))

    assert response.status_code == 402
    with app.app_context():
        statuses = db.session.scalars(
            select(Link.status).where(Link.request_id == info.id, Link.refunded.is_(True))
        ).all()
    assert statuses == ["failed", "failed"]
    assert balance(app, poor) == 40


def test_secondary_site_links_are_not_requeued(app, client, user, jwt_headers):
    # Workers get secondary-site work per account, never as queued rows.
    info = make_request(
        app,
        user,
        service_type="podcast",
        auction_price=60,
        target=2,
        status="completed",
        links=["completed", {"status": "failed", "secondary": True}, "failed"],
    )
    url = links_url(info, "podcast")

    one = client.post(f"{url}/{info.link_ids[1]}/retry", headers=jwt_headers(user))
    every = client.post(f"{url}/retry-all", headers=jwt_headers(user))

    assert one.status_code == 409
    assert "secondary" in one.json["message"]
    assert every.json["data"] == {"retried": 1}
    assert load_row(app, Link, info.link_ids[1]).status == "failed"
    assert load_row(app, Link, info.link_ids[2]).status == "queued"


# --- delete ----------------------------------------------------------------------------------


def delete(client, user, jwt_headers, info, n=0):
    return client.delete(f"{links_url(info)}/{info.link_ids[n]}", headers=jwt_headers(user))


@pytest.mark.parametrize("status", ["pending", "queued", "running", "failed"])
def test_delete_of_a_link_not_built_refunds_it_and_gives_back_its_slot(
    app, client, user, jwt_headers, status
):
    info = make_request(app, user, auction_price=30, links=[status, "queued", "completed"])
    assert_held_credits(app, user, info)

    response = delete(client, user, jwt_headers, info)

    assert response.status_code == 200
    assert response.json == {"success": True, "data": {"deleted": 1, "refunded": 30}}
    assert load_row(app, Link, info.link_ids[0]) is None
    assert ledger_rows(app, user, *AMOUNT_REF, reason="link.delete") == [
        (30, str(info.link_ids[0]))
    ]
    request = load_row(app, Request, info.id)
    assert (request.target, request.status) == (2, "running")
    assert_held_credits(app, user, info)


def test_delete_of_a_completed_link_refunds_nothing(app, client, user, jwt_headers):
    info = make_request(app, user, links=["completed", "queued"])
    before = balance(app, user)

    response = delete(client, user, jwt_headers, info)

    assert response.json["data"] == {"deleted": 1, "refunded": 0}
    assert load_row(app, Link, info.link_ids[0]) is None
    assert load_row(app, Request, info.id).target == 2
    assert balance(app, user) == before
    assert_held_credits(app, user, info)


def test_delete_of_a_refunded_failed_link_drops_its_slot_without_a_second_refund(
    app, client, user, jwt_headers
):
    info = make_request(
        app, user, links=[{"status": "failed", "refunded": True}, "queued", "queued"]
    )
    before = balance(app, user)

    assert delete(client, user, jwt_headers, info).json["data"]["refunded"] == 0

    assert balance(app, user) == before
    assert load_row(app, Request, info.id).target == 2
    assert_held_credits(app, user, info)


def test_delete_of_a_refunded_cancelled_link_drops_its_slot(app, client, user, jwt_headers):
    info = make_request(
        app, user, target=3, links=["queued", "queued", {"status": "cancel", "refunded": True}]
    )
    before = balance(app, user)

    assert delete(client, user, jwt_headers, info, n=2).json["data"]["refunded"] == 0

    assert balance(app, user) == before
    assert load_row(app, Request, info.id).target == 2
    assert_held_credits(app, user, info)


def test_delete_of_a_secondary_link_moves_no_money(app, client, user, jwt_headers):
    # Podcast secondary-site links are extras a worker inserted: never charged.
    info = make_request(
        app,
        user,
        service_type="podcast",
        auction_price=60,
        target=1,
        links=["queued", {"status": "failed", "secondary": True}],
    )
    before = balance(app, user)

    response = client.delete(
        f"{links_url(info, 'podcast')}/{info.link_ids[1]}", headers=jwt_headers(user)
    )

    assert response.json["data"] == {"deleted": 1, "refunded": 0}
    assert balance(app, user) == before
    assert load_row(app, Request, info.id).target == 1
    assert load_row(app, Link, info.link_ids[1]) is None


def test_delete_of_the_last_open_link_completes_the_request(app, client, user, jwt_headers):
    info = make_request(app, user, links=["completed", "running"])

    assert delete(client, user, jwt_headers, info, n=1).status_code == 200

    request = load_row(app, Request, info.id)
    assert (request.target, request.status) == (1, "completed")
    assert request.completed_at is not None
    assert_held_credits(app, user, info)
