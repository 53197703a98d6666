"""Primary tasks: pull (claim), extend, report, expiry; server keys."""

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from likepion.auth.models import Server, User
from likepion.backlink.models import Account, Link, Request
from likepion.core.db import db
from likepion.core.time import utcnow
from likepion.credits.models import LedgerEntry
from likepion.worker import claims
from tests.factories import make_account, make_group
from tests.helpers import jwt_for
from tests.worker.conftest import ACCOUNT_CREDENTIALS, start_request

TASK_FIELDS = ACCOUNT_CREDENTIALS | {
    "id",
    "kind",
    "request_id",
    "type_request",
    "status",
    "service_type",
    "site_id",
    "domain",
    "account_id",
    "group_id",
    "website",
    "target",
    "priority",
    "auction_price",
    "retry_count",
    "max_retries",
    "claimed_until",
    "cookie",
    "link_rss",
}


def pull(client, server, service_type="entity", **query):
    query = {"type": "primary"} | query
    return client.get(f"/api/v1/{service_type}/links", query_string=query, headers=server.headers)


def report(client, server, items, service_type="entity", headers=None):
    return client.post(
        f"/api/v1/{service_type}/links/report",
        json={"items": items},
        headers=server.headers | (headers or {}),
    )


def link_rows(app, request_id):
    with app.app_context():
        return {
            str(link.id): link
            for link in db.session.scalars(
                select(Link).where(Link.request_id == uuid.UUID(request_id))
            )
        }


def test_missing_or_unknown_key_is_401(client):
    for headers in ({}, {"X-API-Key": "nope"}):
        response = client.get("/api/v1/entity/links", headers=headers)
        assert response.status_code == 401
        assert response.json["success"] is False and response.json["error"] == "unauthorized"


def test_inactive_server_is_401(app, client, server):
    with app.app_context():
        db.session.execute(update(Server).values(active=False))
        db.session.commit()
    assert pull(client, server).status_code == 401


def test_pull_claims_best_first_with_task_fields(app, client, user, server, entity_sites):
    headers = jwt_for(app, user)
    cheap = start_request(client, headers, name="cheap", auction_price=5, target=2, priority=5)
    urgent = start_request(
        client,
        headers,
        name="urgent",
        auction_price=5,
        target=2,
        priority=9,
        website="https://target.com",
        config={"anchor": "best"},
    )
    rich = start_request(client, headers, name="rich", auction_price=50, target=2, priority=5)

    response = pull(client, server, limit=5)

    assert response.status_code == 200
    tasks = response.json["data"]
    assert [t["request_id"] for t in tasks] == [urgent, urgent, rich, rich, cheap]
    first = tasks[0]
    assert set(first) == TASK_FIELDS
    assert first["status"] == "running" and first["kind"] == "primary"
    assert first["website"] == "https://target.com"
    assert response.json["requests"][urgent] == {
        "config": {"anchor": "best"},
        "data": {},
        "folder_urls": {},
    }
    assert set(response.json["requests"]) == {urgent, rich, cheap}
    assert first["type_request"] == "entity" and first["target"] == 2
    assert first["domain"] in entity_sites and first["claimed_until"].endswith("Z")
    rows = link_rows(app, urgent)
    assert {row.status for row in rows.values()} == {"running"}
    assert {row.server_id for row in rows.values()} == {server.id}
    assert all(
        row.claimed_until is not None and row.started_at is not None for row in rows.values()
    )
    with app.app_context():
        assert db.session.scalar(select(Server.last_seen_at)) is not None
    assert len(link_rows(app, cheap)) == 2
    assert sum(row.status == "queued" for row in link_rows(app, cheap).values()) == 1


def test_pull_carries_the_accounts_credentials(app, client, user, server):
    from tests.worker.conftest import make_podcast_group

    setup = make_podcast_group(app, user)
    request_id = start_request(
        client, jwt_for(app, user), "podcast", auction_price=60, target=1, group_id=setup.group_id
    )
    task = pull(client, server, "podcast").json["data"][0]
    assert task["request_id"] == request_id
    assert task["account_id"] == setup.primary_account
    assert (task["email"], task["password"], task["cookie"]) == (
        "user@podbean.com",
        "realPwd!",
        "session=abc123",
    )
    assert (task["twofa"], task["pass_mail"], task["app_password"]) == (
        "JBSWY3DPEHPK3PXP",
        "pm",
        "ap",
    )
    assert task["type_request"] == "post" and task["domain"] == "podbean.com"


def test_pull_skips_stopped_and_other_types(app, client, user, server, entity_sites):
    headers = jwt_for(app, user)
    request_id = start_request(client, headers)
    client.post(f"/api/v1/backlink/entity/{request_id}/stop", headers=headers)
    assert pull(client, server).json["data"] == []
    assert pull(client, server, "social").json["data"] == []


@pytest.mark.parametrize(
    "query", [{"limit": 0}, {"limit": 1001}, {"limit": "x"}, {"type": "tertiary"}]
)
def test_pull_bad_query_is_422(client, server, query):
    response = pull(client, server, **query)
    assert response.status_code == 422 and response.json["error"] == "validation_error"


def test_unknown_service_type_is_404(client, server):
    assert client.get("/api/v1/seo/links", headers=server.headers).status_code == 404


def test_report_completed_and_failed_per_item(
    app, client, user, server, other_server, entity_sites
):
    request_id = start_request(client, jwt_for(app, user), target=3)
    tasks = pull(client, server, limit=3).json["data"]
    done, retry, foreign = (t["id"] for t in tasks)
    unknown = str(uuid.uuid4())

    response = report(
        client,
        server,
        [
            {
                "id": done,
                "status": "completed",
                "link_profile": "https://about.me/u1",
                "link_post": "https://about.me/p/1",
                "about": "Bio",
                "email": "e@x.io",
                "username": "u1",
                "password": "p1",
                "is_indexed": True,
                "note": "ok",
            },
            {"id": retry, "status": "failed", "error_message": "captcha"},
            {"id": unknown, "status": "completed"},
        ],
    )
    foreign_report = report(client, other_server, [{"id": foreign, "status": "completed"}])

    assert response.status_code == 200
    body = response.json
    assert (body["success"], body["input"], body["updated"], body["failed"]) == (True, 3, 2, 1)
    assert body["results"][0] == {"index": 0, "id": done, "success": True, "status": "completed"}
    assert body["results"][1]["status"] == "queued"
    assert body["results"][2]["success"] is False and body["results"][2]["error"]
    assert foreign_report.json["results"][0]["success"] is False
    assert "claim" in foreign_report.json["results"][0]["error"]
    rows = link_rows(app, request_id)
    assert rows[done].status == "completed" and rows[done].completed_at is not None
    assert (rows[done].link_post, rows[done].password, rows[done].is_indexed) == (
        "https://about.me/p/1",
        "p1",
        True,
    )
    assert rows[retry].status == "queued" and rows[retry].retry_count == 1
    assert rows[retry].error_message == "captcha" and rows[retry].claimed_until is None
    assert rows[foreign].status == "running" and rows[foreign].server_id == server.id
    links = client.get(
        f"/api/v1/backlink/entity/{request_id}/links?status=completed", headers=jwt_for(app, user)
    ).json["data"]
    assert [(x["server_name"], x["link_post"]) for x in links] == [
        ("server-01", "https://about.me/p/1")
    ]


def test_failures_past_max_retries_fail_and_refund_once(app, client, user, server, entity_sites):
    request_id = start_request(client, jwt_for(app, user), target=1)
    for attempt in range(4):
        task = pull(client, server).json["data"][0]
        result = report(client, server, [{"id": task["id"], "status": "failed"}]).json
        assert result["results"][0]["status"] == ("queued" if attempt < 3 else "failed")

    row = next(iter(link_rows(app, request_id).values()))
    assert (row.status, row.retry_count, row.refunded) == ("failed", 3, True)
    with app.app_context():
        request = db.session.get(Request, uuid.UUID(request_id))
        assert request.status == "failed" and request.completed_at is not None
        refunds = db.session.scalars(
            select(LedgerEntry.reference).where(LedgerEntry.reason == "link.failed")
        ).all()
        assert refunds == [str(row.id)]
        assert db.session.get(User, user.id).credits == 1000
    again = report(client, server, [{"id": str(row.id), "status": "failed"}]).json
    assert again["results"][0]["success"] is False


def test_completing_every_link_completes_the_request(app, client, user, server, entity_sites):
    request_id = start_request(client, jwt_for(app, user), target=2)
    tasks = pull(client, server, limit=2).json["data"]
    report(client, server, [{"id": t["id"], "status": "completed"} for t in tasks])
    detail = client.get(f"/api/v1/backlink/entity/{request_id}", headers=jwt_for(app, user)).json[
        "data"
    ]
    assert (detail["status"], detail["result"], detail["created_links"]) == (
        "completed",
        "2 / 2",
        2,
    )


def test_cancel_report_refunds_the_link(app, client, user, server, entity_sites):
    request_id = start_request(client, jwt_for(app, user), target=2)
    task = pull(client, server).json["data"][0]
    report(client, server, [{"id": task["id"], "status": "cancel"}])
    assert link_rows(app, request_id)[task["id"]].status == "cancel"
    with app.app_context():
        assert db.session.get(User, user.id).credits == 1000 - 10


@pytest.mark.parametrize(
    "items",
    [
        [{"status": "completed"}],
        [{"id": "x", "status": "completed"}],
        [{"id": str(uuid.uuid4()), "status": "done"}],
        [{"id": str(uuid.uuid4()), "status": "completed"}] * 201,
    ],
)
def test_report_bad_input_is_422_and_changes_nothing(
    app, client, user, server, entity_sites, items
):
    request_id = start_request(client, jwt_for(app, user), target=1)
    task = pull(client, server).json["data"][0]
    response = report(client, server, items + [{"id": task["id"], "status": "completed"}])
    assert response.status_code == 422
    assert link_rows(app, request_id)[task["id"]].status == "running"


def test_report_idempotency_key(app, client, user, server, entity_sites):
    request_id = start_request(client, jwt_for(app, user), target=2)
    task = pull(client, server).json["data"][0]
    items = [{"id": task["id"], "status": "failed", "error_message": "x"}]
    key = {"Idempotency-Key": "report-1"}

    first = report(client, server, items, headers=key)
    second = report(client, server, items, headers=key)

    assert first.json == second.json and first.json["results"][0]["status"] == "queued"
    assert link_rows(app, request_id)[task["id"]].retry_count == 1
    other_body = report(client, server, [{"id": task["id"], "status": "completed"}], headers=key)
    assert other_body.status_code == 422


def test_report_needs_items(client, server):
    for body in ({"items": []}, {}, {"items": "x"}):
        response = client.post("/api/v1/entity/links/report", json=body, headers=server.headers)
        assert response.status_code == 422


def test_extend_claims_only_for_the_holder(app, client, user, server, other_server, entity_sites):
    request_id = start_request(client, jwt_for(app, user), target=2)
    task = pull(client, server).json["data"][0]
    with app.app_context():
        db.session.execute(update(Link).values(claimed_until=utcnow() + timedelta(minutes=1)))
        db.session.commit()
    missing = str(uuid.uuid4())

    mine = client.post(
        "/api/v1/entity/links/claim",
        json={"link_ids": [task["id"], missing]},
        headers=server.headers,
    )
    theirs = client.post(
        "/api/v1/entity/links/claim", json={"link_id": task["id"]}, headers=other_server.headers
    )

    assert mine.json == {
        "success": True,
        "claimed": [task["id"]],
        "count": 1,
        "ttl_min": 15,
        "held": [],
        "not_found": [missing],
    }
    assert theirs.json["claimed"] == [] and theirs.json["held"] == [task["id"]]
    assert theirs.json["not_found"] == []
    row = link_rows(app, request_id)[task["id"]]
    assert row.claimed_until.replace(tzinfo=None) > (utcnow() + timedelta(minutes=14)).replace(
        tzinfo=None
    )


@pytest.mark.parametrize(
    "body", [{}, {"link_ids": []}, {"link_ids": ["x"]}, {"link_ids": [str(uuid.uuid4())] * 201}]
)
def test_extend_bad_input_is_422(client, server, body):
    assert (
        client.post("/api/v1/entity/links/claim", json=body, headers=server.headers).status_code
        == 422
    )


def test_expired_claims_return_to_the_queue_then_fail(
    app, client, user, server, other_server, entity_sites, runner
):
    request_id = start_request(client, jwt_for(app, user), target=1)
    task = pull(client, server).json["data"][0]

    def expire():
        with app.app_context():
            db.session.execute(update(Link).values(claimed_until=utcnow() - timedelta(seconds=1)))
            db.session.commit()

    expire()
    result = runner.invoke(args=["tasks", "requeue-expired"])
    assert result.exit_code == 0, result.output
    assert "1 requeued" in result.output
    row = link_rows(app, request_id)[task["id"]]
    assert (row.status, row.retry_count, row.claimed_until) == ("queued", 1, None)
    late = report(client, server, [{"id": task["id"], "status": "completed"}]).json
    assert late["results"][0]["success"] is False
    again = pull(client, other_server).json["data"]
    assert [t["id"] for t in again] == [task["id"]]
    for _ in range(2):
        expire()
        with app.app_context():
            claims.release_expired()
            db.session.commit()
        pull(client, server)
    expire()
    with app.app_context():
        claims.release_expired()
        db.session.commit()
    row = link_rows(app, request_id)[task["id"]]
    assert (row.status, row.retry_count, row.refunded) == ("failed", 3, True)
    with app.app_context():
        assert db.session.get(Request, uuid.UUID(request_id)).status == "failed"
        assert db.session.get(User, user.id).credits == 1000


def test_pull_releases_expired_claims_itself(app, client, user, server, other_server, entity_sites):
    start_request(client, jwt_for(app, user), target=1)
    task = pull(client, server).json["data"][0]
    with app.app_context():
        db.session.execute(update(Link).values(claimed_until=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    claims._last_release.clear()
    again = pull(client, other_server).json["data"]
    assert [t["id"] for t in again] == [task["id"]]
    assert again[0]["retry_count"] == 1


def test_account_checks_are_pulled_once_and_reported(
    app, client, user, server, other_server, entity_sites, jwt_headers
):
    group = make_group(app, user, name="G")
    account = make_account(
        app, group, website="about.me", username="u", password="pw", status="checking"
    )
    account_id = str(account)

    first = client.get("/api/v1/entity/accounts/checks", headers=server.headers).json["data"]
    second = client.get("/api/v1/entity/accounts/checks", headers=other_server.headers).json
    assert [c["account_id"] for c in first] == [account_id]
    assert first[0]["password"] == "pw" and first[0]["domain"] == "about.me"
    assert first[0]["claimed_until"].endswith("Z")
    assert second["data"] == []

    result = client.post(
        "/api/v1/entity/account",
        json={"account_id": account_id, "status": "banned"},
        headers=server.headers,
    )
    assert result.status_code == 200
    with app.app_context():
        row = db.session.get(Account, uuid.UUID(account_id))
        assert (row.status, row.active, row.check_claimed_until) == ("banned", False, None)


def test_account_update_unknown_or_bad_is_4xx(app, client, server):
    missing = client.post(
        "/api/v1/entity/account", json={"account_id": str(uuid.uuid4())}, headers=server.headers
    )
    assert missing.status_code == 404
    for body in ({}, {"account_id": "x"}, {"account_id": str(uuid.uuid4()), "status": "great"}):
        response = client.post("/api/v1/entity/account", json=body, headers=server.headers)
        assert response.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Link)) == 0
