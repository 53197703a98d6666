"""On real PostgreSQL: concurrent pulls hand every task out exactly once (docs/decisions.md)."""

import threading
import uuid
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from likepion.backlink.models import Account, Link
from likepion.core.db import db
from likepion.core.time import utcnow
from tests.factories import make_server, make_user
from tests.helpers import jwt_for
from tests.worker.conftest import add_sites, make_podcast_group, start_request

pytestmark = pytest.mark.pg

PULLERS = 8


def pull_until_empty(app, servers, path, query):
    """PULLERS threads pull with their own clients until a pull comes back empty."""
    barrier = threading.Barrier(len(servers))
    handed_out = []
    lock = threading.Lock()

    def puller(server):
        client = app.test_client()
        barrier.wait()
        while True:
            response = client.get(path, query_string=query, headers=server.headers)
            assert response.status_code == 200, response.json
            ids = [task["id"] for task in response.json["data"]]
            assert len(ids) <= query["limit"], "a pull never hands out more than its limit"
            if not ids:
                return
            with lock:
                handed_out.extend((server.name, task_id) for task_id in ids)

    threads = [threading.Thread(target=puller, args=(s,)) for s in servers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return handed_out


def test_8_threads_pull_2000_links_each_exactly_once(pg_app):
    user = make_user(pg_app, credits=100_000)
    add_sites(pg_app, "entity", ["about.me", "gravatar.com", "zotero.org"])
    client = pg_app.test_client()
    headers = jwt_for(pg_app, user)
    request_ids = [
        start_request(client, headers, target=500, name=f"R{n}", priority=n + 1) for n in range(4)
    ]
    servers = [make_server(pg_app, f"worker-{n}") for n in range(PULLERS)]

    handed_out = pull_until_empty(pg_app, servers, "/api/v1/entity/links", {"limit": 7})

    ids = Counter(task_id for _, task_id in handed_out)
    assert len(ids) == 2000, "every queued link was handed out"
    assert max(ids.values()) == 1, "no link was handed out twice"
    with pg_app.app_context():
        rows = db.session.execute(
            select(Link.id, Link.server_id, Link.status).where(
                Link.request_id.in_([uuid.UUID(r) for r in request_ids])
            )
        ).all()
        names = {s.id: s.name for s in servers}
    assert {status for _, _, status in rows} == {"running"}
    assert {str(link_id): names[server_id] for link_id, server_id, _ in rows} == {
        task_id: name for name, task_id in handed_out
    }
    assert len({name for name, _ in handed_out}) > 1


def test_secondary_tasks_are_handed_out_once_within_the_guard(pg_app):
    user = make_user(pg_app, credits=100_000)
    secondary = tuple(f"directory-{n}.fm" for n in range(60))
    setup = make_podcast_group(pg_app, user, secondary=secondary)
    client = pg_app.test_client()
    start_request(
        client,
        jwt_for(pg_app, user),
        "podcast",
        auction_price=60,
        target=2,
        group_id=setup.group_id,
    )
    servers = [make_server(pg_app, f"worker-{n}") for n in range(PULLERS)]
    feed = client.post(
        "/api/v1/podcast/account",
        headers=servers[0].headers,
        json={"account_id": setup.primary_account, "link_rss": "https://f/rss"},
    )
    assert feed.status_code == 200

    handed_out = pull_until_empty(
        pg_app, servers, "/api/v1/podcast/links", {"type": "secondary", "limit": 3}
    )

    ids = Counter(task_id for _, task_id in handed_out)
    assert set(ids) == set(setup.secondary_accounts.values())
    assert max(ids.values()) == 1, "no account was handed out twice within its guard"
    with pg_app.app_context():
        unclaimed = db.session.scalar(
            select(func.count()).where(
                Account.group_id == uuid.UUID(setup.group_id),
                Account.website.in_(secondary),
                Account.posting_started_at.is_(None),
            )
        )
    assert unclaimed == 0


def test_expired_claim_comes_back_and_a_foreign_report_is_refused(pg_app):
    user = make_user(pg_app, credits=1000)
    add_sites(pg_app, "entity", ["about.me"])
    client = pg_app.test_client()
    request_id = start_request(client, jwt_for(pg_app, user), target=1)
    holder, intruder = make_server(pg_app, "holder"), make_server(pg_app, "intruder")
    task = client.get("/api/v1/entity/links", headers=holder.headers).json["data"][0]

    refused = client.post(
        "/api/v1/entity/links/report",
        headers=intruder.headers,
        json={"items": [{"id": task["id"], "status": "completed", "link_post": "https://spam"}]},
    )
    assert refused.json["results"][0]["success"] is False
    with pg_app.app_context():
        link = db.session.get(Link, uuid.UUID(task["id"]))
        assert (link.status, link.server_id, link.link_post) == ("running", holder.id, None)
        db.session.execute(update(Link).values(claimed_until=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    from likepion.worker import claims

    claims._last_release.clear()
    again = client.get("/api/v1/entity/links", headers=intruder.headers).json["data"]
    assert [t["id"] for t in again] == [task["id"]] and again[0]["retry_count"] == 1
    with pg_app.app_context():
        link = db.session.get(Link, uuid.UUID(task["id"]))
        assert (link.server_id, str(link.request_id)) == (intruder.id, request_id)
