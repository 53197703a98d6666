"""Podcast secondary sites, seed 002 sections 1-4, and the whole flow end to end."""

import threading
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from likepion.backlink.models import Account, Link
from likepion.core.db import db
from likepion.core.time import utcnow
from tests.factories import make_server, make_user
from tests.helpers import count_rows, jwt_for
from tests.worker.conftest import ACCOUNT_CREDENTIALS, make_podcast_group, start_request

TASK_FIELDS = ACCOUNT_CREDENTIALS | {
    "id",
    "request_id",
    "type_request",
    "status",
    "account_id",
    "group_id",
    "target",
    "accounts_remaining",
    "domain",
    "website",
    "link_rss",
    "cookie",
}
FEED = "https://podbean.com/s/xxxxx/podcast/rss"


@pytest.fixture
def podcast(app, client, user, server):
    """A running podcast post whose primary site has published its feed."""
    setup = make_podcast_group(app, user)
    setup.post_id = start_request(
        client,
        jwt_for(app, user),
        "podcast",
        auction_price=60,
        target=3,
        group_id=setup.group_id,
        website="https://likepion.com",
    )
    set_feed(client, server, setup.primary_account)
    return setup


def set_feed(client, server, account_id, feed=FEED):
    response = client.post(
        "/api/v1/podcast/account",
        headers=server.headers,
        json={"account_id": account_id, "link_rss": feed},
    )
    assert response.status_code == 200, response.json
    return response


def pull_secondary(client, server, limit=5):
    response = client.get(
        "/api/v1/podcast/links",
        headers=server.headers,
        query_string={"type": "secondary", "limit": limit},
    )
    assert response.status_code == 200, response.json
    return response.json["data"]


def insert(client, server, body, key=None):
    headers = server.headers | ({"Idempotency-Key": key} if key else {})
    return client.post("/api/v1/podcast/links/insert", json=body, headers=headers)


def rows(app, **where):
    with app.app_context():
        stmt = select(Link).order_by(Link.created_at, Link.link_post)
        for field, value in where.items():
            stmt = stmt.where(getattr(Link, field) == value)
        return db.session.scalars(stmt).all()


def secondary_links(app, setup):
    return rows(app, request_id=uuid.UUID(setup.post_id), secondary=True)


# --- section 1: virtual tasks ---------------------------------------------------------------


def test_no_secondary_tasks_before_the_primary_site_sets_link_rss(app, client, user, server):
    setup = make_podcast_group(app, user)
    start_request(
        client, jwt_for(app, user), "podcast", auction_price=60, target=1, group_id=setup.group_id
    )
    assert pull_secondary(client, server) == []
    set_feed(client, server, setup.primary_account)
    assert len(pull_secondary(client, server)) == 3


def test_secondary_tasks_have_the_seed_shape_and_claim_for_15_minutes(
    app, client, server, other_server, podcast
):
    tasks = pull_secondary(client, server, limit=2)

    assert len(tasks) == 2
    task = tasks[0]
    assert set(task) == TASK_FIELDS
    assert task["id"] == task["account_id"]
    assert task["request_id"] == podcast.post_id
    assert (task["type_request"], task["status"], task["target"]) == ("post", "queued", 3)
    assert task["group_id"] == podcast.group_id
    assert task["accounts_remaining"] == 3
    assert task["link_rss"] == FEED and task["website"] == "https://likepion.com"
    assert task["domain"] in podcast.secondary_accounts
    assert (task["password"], task["cookie"], task["twofa"]) == (
        "realPwd!",
        "session=abc123",
        "JBSWY3DPEHPK3PXP",
    )
    with app.app_context():
        claimed = db.session.scalars(
            select(Account.id).where(Account.posting_started_at.is_not(None))
        ).all()
    assert {str(i) for i in claimed} == {t["id"] for t in tasks}

    rest = pull_secondary(client, other_server)
    assert len(rest) == 1 and rest[0]["id"] not in {t["id"] for t in tasks}
    assert pull_secondary(client, server) == []

    with app.app_context():  # 16 minutes later the guard has lapsed
        db.session.execute(
            update(Account).values(posting_started_at=utcnow() - timedelta(minutes=16))
        )
        db.session.commit()
    assert len(pull_secondary(client, other_server)) == 3


def test_pull_without_type_returns_both_kinds(app, client, server, podcast):
    tasks = client.get("/api/v1/podcast/links?limit=10", headers=server.headers).json["data"]
    kinds = [t.get("kind", "secondary") for t in tasks]
    assert kinds == ["primary"] * 3 + ["secondary"] * 3
    primary_only = client.get("/api/v1/podcast/links?type=primary", headers=server.headers)
    assert primary_only.json["data"] == []


def test_stopped_post_gives_no_secondary_tasks(app, client, user, server, podcast):
    client.post(f"/api/v1/backlink/podcast/{podcast.post_id}/stop", headers=jwt_for(app, user))
    assert pull_secondary(client, server) == []


# --- section 2: explicit claims ---------------------------------------------------------------


def test_claim_single_and_bulk_is_idempotent(app, client, server, podcast):
    anchor = podcast.secondary_accounts["anchor.fm"]
    missing = str(uuid.uuid4())

    single = client.post(
        "/api/v1/podcast/accounts/claim", json={"account_id": anchor}, headers=server.headers
    )
    bulk = client.post(
        "/api/v1/podcast/accounts/claim",
        headers=server.headers,
        json={"account_ids": [anchor, podcast.primary_account, missing]},
    )
    again = client.post(
        "/api/v1/podcast/accounts/claim", json={"account_id": anchor}, headers=server.headers
    )

    assert single.json == {
        "success": True,
        "claimed": [anchor],
        "count": 1,
        "ttl_min": 15,
        "held": [],
        "not_found": [],
    }
    assert bulk.json == {
        "success": True,
        "claimed": [anchor, podcast.primary_account],
        "count": 2,
        "ttl_min": 15,
        "held": [],
        "not_found": [missing],
    }
    assert again.json["claimed"] == [anchor]
    assert {t["domain"] for t in pull_secondary(client, server)} == {
        "spotify.com",
        "pocketcasts.com",
    }


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"account_id": "nope"},
        {"account_ids": []},
        {"account_ids": [str(uuid.uuid4())] * 201},
        {"x": 1},
    ],
)
def test_claim_bad_input_is_422(app, client, server, podcast, body):
    response = client.post("/api/v1/podcast/accounts/claim", json=body, headers=server.headers)
    assert response.status_code == 422
    assert count_rows(app, Account, Account.posting_started_at.is_not(None)) == 0


# --- section 3: insert ------------------------------------------------------------------------


def test_insert_by_domain_splits_link_post_and_releases_the_claim(app, client, server, podcast):
    pull_secondary(client, server)
    response = insert(
        client,
        server,
        {
            "request_id": podcast.post_id,
            "domain": "anchor.fm",
            "status": "completed",
            "link_post": "https://anchor.fm/ep-1, https://anchor.fm/ep-2,https://anchor.fm/ep-3",
            "cookie": "session=new",
            "password": "newPwd",
        },
    )

    assert response.status_code == 200
    body = response.json
    assert (body["success"], body["input"], body["count"], body["inserted"], body["failed"]) == (
        True,
        1,
        3,
        3,
        0,
    )
    anchor = podcast.secondary_accounts["anchor.fm"]
    assert [(r["index"], r["link_index"], r["link_post"]) for r in body["results"]] == [
        (0, 0, "https://anchor.fm/ep-1"),
        (0, 1, "https://anchor.fm/ep-2"),
        (0, 2, "https://anchor.fm/ep-3"),
    ]
    assert all(
        r["post_id"] == podcast.post_id
        and r["account_id"] == anchor
        and r["domain"] == "anchor.fm"
        and r["success"]
        for r in body["results"]
    )
    links = secondary_links(app, podcast)
    assert [link.link_post for link in links] == [r["link_post"] for r in body["results"]]
    assert {(link.status, str(link.account_id), link.server_id) for link in links} == {
        ("completed", anchor, server.id)
    }
    with app.app_context():
        account = db.session.get(Account, uuid.UUID(anchor))
        assert (account.cookies, account.password, account.posting_started_at) == (
            "session=new",
            "newPwd",
            None,
        )
    remaining = pull_secondary(client, server)
    assert remaining == [] or all(t["account_id"] != anchor for t in remaining)


def test_insert_array_and_items_forms_with_post_id_alias_and_account_id(
    app, client, server, podcast
):
    spotify = podcast.secondary_accounts["spotify.com"]
    as_array = insert(
        client,
        server,
        [
            {
                "post_id": podcast.post_id,
                "domain": "anchor.fm",
                "link_post": "https://anchor.fm/ep-1,https://anchor.fm/ep-2",
            },
            {
                "request_id": podcast.post_id,
                "account_id": spotify,
                "link_post": "https://open.spotify.com/episode/abc",
            },
        ],
    )
    as_items = insert(
        client,
        server,
        {
            "items": [
                {
                    "request_id": podcast.post_id,
                    "domain": "anchor.fm",
                    "link_post": "https://anchor.fm/ep-1",
                }
            ]
        },
    )

    assert (as_array.json["input"], as_array.json["count"], as_array.json["inserted"]) == (2, 3, 3)
    assert as_array.json["results"][2] == {
        "index": 1,
        "link_index": 0,
        "post_id": podcast.post_id,
        "account_id": spotify,
        "domain": "spotify.com",
        "link_post": "https://open.spotify.com/episode/abc",
        "success": True,
        "id": as_array.json["results"][2]["id"],
    }
    assert as_items.json["inserted"] == 1
    posts = [link.link_post for link in secondary_links(app, podcast)]
    assert posts.count("https://anchor.fm/ep-1") == 2, "no de-duplication"


def test_insert_reports_bad_items_per_row_and_writes_the_good_ones(app, client, server, podcast):
    response = insert(
        client,
        server,
        [
            {"request_id": podcast.post_id, "domain": "anchor.fm", "link_post": "https://a/1"},
            {"request_id": str(uuid.uuid4()), "domain": "anchor.fm", "link_post": "https://a/2,x"},
            {"request_id": podcast.post_id, "domain": "unknown.fm", "link_post": "https://a/3"},
            {"request_id": podcast.post_id, "account_id": str(uuid.uuid4()), "link_post": "h"},
            {"request_id": "not-a-uuid", "domain": "anchor.fm", "link_post": "https://a/4"},
            {"domain": "anchor.fm", "link_post": "https://a/5"},
        ],
    )

    assert response.status_code == 200
    body = response.json
    assert (body["input"], body["count"], body["inserted"], body["failed"]) == (6, 7, 1, 6)
    errors = [r.get("error", "") for r in body["results"]]
    assert errors[0] == "" and "Unknown request_id" in errors[1] and "unknown.fm" in errors[3]
    assert "not in the post's group" in errors[4] and "Invalid item" in errors[5]
    assert [link.link_post for link in secondary_links(app, podcast)] == ["https://a/1"]


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        [],
        {"request_id": "x", "domain": "a", "link_post": ",".join(["https://a/1"] * 201)},
        [{"request_id": "x", "domain": "a", "link_post": "https://a"}] * 201,
    ],
)
def test_insert_too_many_rows_or_no_items_is_422_and_writes_nothing(
    app, client, server, podcast, body
):
    if isinstance(body, str):
        response = client.post(
            "/api/v1/podcast/links/insert",
            data=body,
            content_type="application/json",
            headers=server.headers,
        )
        assert response.status_code == 400
    else:
        for item in body if isinstance(body, list) else [body]:
            item["request_id"] = podcast.post_id
        response = insert(client, server, body)
        assert response.status_code == 422
    assert secondary_links(app, podcast) == []


def test_insert_idempotency_key_answers_the_first_response(
    app, client, server, other_server, podcast
):
    body = {
        "request_id": podcast.post_id,
        "domain": "anchor.fm",
        "link_post": "https://anchor.fm/ep-1,https://anchor.fm/ep-2",
    }

    first = insert(client, server, body, key="ins-1")
    second = insert(client, server, body, key="ins-1")

    assert first.status_code == second.status_code == 200
    assert first.json == second.json
    assert len(secondary_links(app, podcast)) == 2
    changed = insert(client, server, body | {"link_post": "https://anchor.fm/ep-9"}, key="ins-1")
    assert changed.status_code == 422 and changed.json["error"] == "idempotency_key_reused"
    other = insert(client, other_server, body, key="ins-1")
    assert other.status_code == 200 and len(secondary_links(app, podcast)) == 4


# --- section 4: account detail ----------------------------------------------------------------


def test_get_account_has_the_task_shape_without_guard_or_claim(app, client, server, podcast):
    pulled = pull_secondary(client, server, limit=1)[0]
    response = client.get(f"/api/v1/podcast/accounts/{pulled['id']}", headers=server.headers)
    assert response.status_code == 200
    data = response.json["data"]
    assert set(data) == TASK_FIELDS
    assert data == pulled | {"accounts_remaining": data["accounts_remaining"]}

    with app.app_context():
        db.session.execute(update(Account).values(status="banned", posting_started_at=None))
        db.session.commit()
    banned = client.get(f"/api/v1/podcast/accounts/{pulled['id']}", headers=server.headers)
    assert banned.status_code == 200
    assert count_rows(app, Account, Account.posting_started_at.is_not(None)) == 0


def test_get_account_without_an_active_post_has_empty_post_fields(app, client, user, server):
    setup = make_podcast_group(app, user)
    data = client.get(
        f"/api/v1/podcast/accounts/{setup.primary_account}", headers=server.headers
    ).json["data"]
    assert (data["request_id"], data["target"], data["accounts_remaining"], data["link_rss"]) == (
        "",
        0,
        0,
        "",
    )


def test_get_account_unknown_or_not_uuid_is_404(client, server):
    for account_id in (uuid.uuid4(), "not-a-uuid"):
        response = client.get(f"/api/v1/podcast/accounts/{account_id}", headers=server.headers)
        assert response.status_code == 404


# --- the whole flow ---------------------------------------------------------------------------


def test_podcast_flow_end_to_end(app, client, user, server):
    """Primary episode done -> link_rss set -> secondary tasks -> insert -> the customer sees
    the links in the backlink API."""
    headers = jwt_for(app, user)
    setup = make_podcast_group(app, user)
    post_id = start_request(
        client,
        headers,
        "podcast",
        auction_price=60,
        target=1,
        group_id=setup.group_id,
        website="https://likepion.com",
    )
    assert pull_secondary(client, server) == []

    episode = client.get("/api/v1/podcast/links?type=primary", headers=server.headers)
    episode = episode.json["data"][0]
    assert episode["account_id"] == setup.primary_account and episode["domain"] == "podbean.com"
    done = client.post(
        "/api/v1/podcast/links/report",
        headers=server.headers,
        json={
            "items": [
                {
                    "id": episode["id"],
                    "status": "completed",
                    "link_post": "https://podbean.com/e/episode-1",
                }
            ]
        },
    )
    assert done.json["results"][0]["status"] == "completed"
    set_feed(client, server, setup.primary_account)

    tasks = pull_secondary(client, server)
    assert {t["domain"] for t in tasks} == {"anchor.fm", "spotify.com", "pocketcasts.com"}
    assert {t["link_rss"] for t in tasks} == {FEED}
    inserted = insert(
        client,
        server,
        [
            {
                "request_id": post_id,
                "domain": t["domain"],
                "link_post": f"https://{t['domain']}/ep-1",
            }
            for t in tasks
        ],
    )
    assert inserted.json["inserted"] == 3

    links = client.get(f"/api/v1/backlink/podcast/{post_id}/links?limit=50", headers=headers)
    assert links.status_code == 200
    assert {
        (x["site_name"], x["link_post"], x["status"], x["server_name"]) for x in links.json["data"]
    } == {
        ("podbean.com", "https://podbean.com/e/episode-1", "completed", "server-01"),
        ("anchor.fm", "https://anchor.fm/ep-1", "completed", "server-01"),
        ("spotify.com", "https://spotify.com/ep-1", "completed", "server-01"),
        ("pocketcasts.com", "https://pocketcasts.com/ep-1", "completed", "server-01"),
    }
    detail = client.get(f"/api/v1/backlink/podcast/{post_id}", headers=headers).json["data"]
    # the episode and the three secondary sites (issue 15 item 10)
    assert (detail["status"], detail["result"]) == ("completed", "4 / 4")
    assert (detail["secondary_done"], detail["secondary_total"]) == (3, 3)
    assert pull_secondary(client, server) == []


# --- concurrency on PostgreSQL ----------------------------------------------------------------


@pytest.mark.pg
def test_same_insert_twice_at_once_writes_one_set_of_rows(pg_app):
    user = make_user(pg_app, credits=1000)
    setup = make_podcast_group(pg_app, user)
    client = pg_app.test_client()
    post_id = start_request(
        client,
        jwt_for(pg_app, user),
        "podcast",
        auction_price=60,
        target=1,
        group_id=setup.group_id,
    )
    server = make_server(pg_app, "server-01")
    body = {
        "request_id": post_id,
        "domain": "anchor.fm",
        "link_post": "https://anchor.fm/ep-1,https://anchor.fm/ep-2",
    }
    barrier = threading.Barrier(2)
    responses = []

    def send():
        own_client = pg_app.test_client()
        barrier.wait()
        responses.append(
            own_client.post(
                "/api/v1/podcast/links/insert",
                json=body,
                headers=server.headers | {"Idempotency-Key": "dup"},
            )
        )

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [r.status_code for r in responses] == [200, 200]
    assert responses[0].json == responses[1].json
    with pg_app.app_context():
        count = db.session.scalar(
            select(func.count()).where(
                Link.request_id == uuid.UUID(post_id), Link.secondary.is_(True)
            )
        )
    assert count == 2


def test_an_account_claimed_by_one_server_cannot_be_claimed_by_another(
    app, client, server, other_server, podcast
):
    pulled = pull_secondary(client, server, limit=1)[0]["id"]

    theirs = client.post(
        "/api/v1/podcast/accounts/claim", json={"account_id": pulled}, headers=other_server.headers
    )
    mine = client.post(
        "/api/v1/podcast/accounts/claim", json={"account_id": pulled}, headers=server.headers
    )

    # Issue 15 item 9: held by another server, not "not found".
    assert theirs.json["claimed"] == [] and theirs.json["held"] == [pulled]
    assert theirs.json["not_found"] == []
    assert mine.json["claimed"] == [pulled]
    with app.app_context():
        account = db.session.get(Account, uuid.UUID(pulled))
        assert account.posting_server_id == server.id


def test_inserted_secondary_links_count_as_links_not_as_created_links(
    app, client, user, server, podcast
):
    from likepion.backlink import counters
    from likepion.backlink.models import Request

    body = {
        "request_id": podcast.post_id,
        "domain": "anchor.fm",
        "status": "completed",
        "link_post": "https://anchor.fm/ep-1,https://anchor.fm/ep-2",
    }

    assert insert(client, server, body).json["inserted"] == 2

    listed = client.get(
        f"/api/v1/backlink/podcast/{podcast.post_id}/links", headers=jwt_for(app, user)
    ).json
    assert (listed["total"], len(listed["data"])) == (5, 5)  # 3 episodes, 2 secondary links
    with app.app_context():
        post = db.session.get(Request, uuid.UUID(podcast.post_id))
        assert (post.link_count, post.created_links) == (5, 0)
        assert [d for _, batch in counters.verify() for d in batch] == []
