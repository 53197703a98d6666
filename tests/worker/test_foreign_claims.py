"""A server cannot change an account another server holds a live claim on (issue 11, item 11):
`links/insert` fails that account's items and `POST /:type/account` answers 409, both naming
the holder; nothing changes."""

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from likepion.backlink.models import Account, Link
from likepion.core.db import db
from likepion.core.time import utcnow
from tests.helpers import jwt_for
from tests.worker.conftest import make_podcast_group, start_request

FEED = "https://podbean.com/s/xxxxx/podcast/rss"


@pytest.fixture
def post(app, client, user, server):
    """A running podcast post with its feed published; server-01 has claimed one secondary
    account (`post.claimed`)."""
    setup = make_podcast_group(app, user)
    setup.post_id = start_request(
        client, jwt_for(app, user), "podcast", auction_price=60, target=3, group_id=setup.group_id
    )
    feed = client.post(
        "/api/v1/podcast/account",
        json={"account_id": setup.primary_account, "link_rss": FEED},
        headers=server.headers,
    )
    assert feed.status_code == 200, feed.json
    tasks = client.get(
        "/api/v1/podcast/links",
        query_string={"type": "secondary", "limit": 1},
        headers=server.headers,
    ).json["data"]
    setup.claimed = tasks[0]["account_id"]
    setup.free = next(a for a in setup.secondary_accounts.values() if a != setup.claimed)
    return setup


def account_state(app, account_id):
    with app.app_context():
        row = db.session.get(Account, uuid.UUID(account_id))
        return {
            "password": row.password,
            "cookies": row.cookies,
            "status": row.status,
            "link_rss": row.link_rss,
            "posting": (row.posting_server_id, row.posting_started_at),
            "check": (row.check_server_id, row.check_claimed_until),
        }


def links_of(app, account_id):
    with app.app_context():
        return db.session.scalar(
            select(func.count()).where(Link.account_id == uuid.UUID(account_id))
        )


def insert_for(client, server, post, *account_ids):
    items = [
        {
            "request_id": post.post_id,
            "account_id": account_id,
            "link_post": f"https://example.com/ep-{n}",
            "password": "stolen-password",
            "cookie": "session=stolen",
        }
        for n, account_id in enumerate(account_ids)
    ]
    return client.post("/api/v1/podcast/links/insert", json=items, headers=server.headers)


def test_insert_for_an_account_another_server_claimed_fails_that_item_naming_the_holder(
    app, client, server, other_server, post
):
    claimed_before = account_state(app, post.claimed)

    response = insert_for(client, other_server, post, post.claimed, post.free)

    assert response.status_code == 200
    body = response.json
    assert (body["inserted"], body["failed"]) == (1, 1)
    refused, written = body["results"]
    assert refused["success"] is False and refused["account_id"] is None
    assert f"Account {post.claimed} is claimed by server server-01 until" in refused["error"]
    assert written["success"] is True and written["account_id"] == post.free
    assert account_state(app, post.claimed) == claimed_before
    assert links_of(app, post.claimed) == 0
    assert account_state(app, post.free)["password"] == "stolen-password"


def test_the_holder_inserts_and_an_expired_claim_holds_no_one_back(
    app, client, server, other_server, post
):
    assert insert_for(client, server, post, post.claimed).json["inserted"] == 1
    client.post(  # server-01 claims another account, then lets its claim lapse
        "/api/v1/podcast/accounts/claim", json={"account_id": post.free}, headers=server.headers
    )
    with app.app_context():
        db.session.execute(
            update(Account)
            .where(Account.id == uuid.UUID(post.free))
            .values(posting_started_at=utcnow() - timedelta(minutes=16))
        )
        db.session.commit()

    assert insert_for(client, other_server, post, post.free).json["inserted"] == 1


def test_account_update_while_another_server_holds_the_posting_claim_is_409(
    app, client, server, other_server, post
):
    before = account_state(app, post.claimed)
    body = {"account_id": post.claimed, "password": "stolen-password", "status": "banned"}

    theirs = client.post("/api/v1/podcast/account", json=body, headers=other_server.headers)

    assert theirs.status_code == 409
    assert theirs.json["error"] == "claimed_by_another_server"
    assert "claimed by server server-01 until" in theirs.json["message"]
    assert account_state(app, post.claimed) == before
    mine = client.post("/api/v1/podcast/account", json=body, headers=server.headers)
    assert mine.status_code == 200
    assert account_state(app, post.claimed)["password"] == "stolen-password"


def test_account_update_while_another_server_holds_the_check_claim_is_409(
    app, client, server, other_server, post
):
    with app.app_context():
        db.session.execute(
            update(Account).where(Account.id == uuid.UUID(post.free)).values(status="checking")
        )
        db.session.commit()
    checks = client.get("/api/v1/podcast/accounts/checks", headers=server.headers).json["data"]
    assert [c["account_id"] for c in checks] == [post.free]
    before = account_state(app, post.free)

    theirs = client.post(
        "/api/v1/podcast/account",
        json={"account_id": post.free, "status": "active"},
        headers=other_server.headers,
    )

    assert theirs.status_code == 409
    assert "claimed by server server-01 until" in theirs.json["message"]
    assert account_state(app, post.free) == before
    assert insert_for(client, other_server, post, post.free).json["inserted"] == 0
    assert account_state(app, post.free) == before
