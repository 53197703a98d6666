"""Issue 15 item 10: a podcast post shows its secondary-site progress in its detail and in both
lists, and `result` does not read complete while that work is pending."""

import uuid

import pytest
from sqlalchemy import func, select

from likepion.backlink.models import Link, Request
from likepion.core.db import db
from tests.factories import make_server, make_site
from tests.helpers import jwt_for
from tests.worker.conftest import make_podcast_group, start_request
from tests.worker.test_podcast import insert, pull_secondary, set_feed

API = "/api/v1/backlink"


@pytest.fixture
def server(app):
    return make_server(app, "server-01")


def progress_views(client, headers, post_id):
    """(status, result, secondary_done, secondary_total) in the detail, the podcast list and
    the projects list."""
    detail = client.get(f"{API}/podcast/{post_id}", headers=headers).json["data"]
    listed = client.get(f"{API}/podcast", headers=headers).json["data"]
    projects = client.get(f"{API}/projects", headers=headers).json["data"]
    (item,) = [x for x in listed if x["id"] == post_id]
    (project,) = [x for x in projects if x["id"] == post_id]
    for view in (item, project):
        assert (view["secondary_done"], view["secondary_total"]) == (
            detail["secondary_done"],
            detail["secondary_total"],
        )
    assert project["result"] == detail["result"]
    return detail["status"], detail["result"], detail["secondary_done"], detail["secondary_total"]


def stored(app, post_id):
    with app.app_context():
        post = db.session.get(Request, uuid.UUID(post_id))
        secondary_links = db.session.scalar(
            select(func.count()).where(Link.request_id == post.id, Link.secondary.is_(True))
        )
        return post.status, secondary_links


def complete_episodes(client, server, count):
    pulled = client.get(
        "/api/v1/podcast/links",
        query_string={"type": "primary", "limit": count},
        headers=server.headers,
    ).json["data"]
    items = [{"id": t["id"], "status": "completed", "link_post": f"https://podbean.com/e/{n}"}
             for n, t in enumerate(pulled)]  # fmt: skip
    assert (
        client.post("/api/v1/podcast/links/report", json=items, headers=server.headers).json[
            "updated"
        ]
        == count
    )


def test_secondary_progress_while_pending_and_once_done(app, client, user, server):
    headers = jwt_for(app, user)
    setup = make_podcast_group(app, user)
    post_id = start_request(
        client, headers, "podcast", auction_price=60, target=2, group_id=setup.group_id
    )
    make_site(app, service_type="entity", name="about.me")
    entity_id = start_request(client, headers, "entity", auction_price=10, target=1)

    assert progress_views(client, headers, post_id) == ("running", "0 / 5", 0, 3)

    complete_episodes(client, server, 2)
    # every episode is built, three secondary sites are not: not complete, and it says so
    assert progress_views(client, headers, post_id) == ("running", "2 / 5", 0, 3)
    assert stored(app, post_id) == ("running", 0)

    set_feed(client, server, setup.primary_account)
    tasks = pull_secondary(client, server)
    first, *rest = tasks
    insert(client, server, {"request_id": post_id, "domain": first["domain"],
                            "link_post": "https://x/1,https://x/2"})  # fmt: skip
    assert progress_views(client, headers, post_id) == ("running", "3 / 5", 1, 3)
    assert stored(app, post_id) == ("running", 2)

    insert(client, server, [{"request_id": post_id, "domain": t["domain"], "link_post": "https://y"}
                            for t in rest])  # fmt: skip
    assert progress_views(client, headers, post_id) == ("completed", "5 / 5", 3, 3)
    assert stored(app, post_id) == ("completed", 4)

    entity = client.get(f"{API}/entity/{entity_id}", headers=headers).json["data"]
    assert (entity["result"], entity["secondary_done"], entity["secondary_total"]) == (
        "0 / 1",
        0,
        0,
    )


def test_a_finished_post_counts_no_secondary_work_as_pending(app, client, user, server):
    """Failed or completed posts get no more secondary tasks, so nothing is pending there."""
    headers = jwt_for(app, user)
    setup = make_podcast_group(app, user)
    post_id = start_request(
        client, headers, "podcast", auction_price=60, target=1, group_id=setup.group_id
    )
    assert client.post(f"{API}/podcast/{post_id}/stop", headers=headers).status_code == 200
    assert progress_views(client, headers, post_id)[1:] == ("0 / 4", 0, 3)  # stopped: pending

    with app.app_context():
        db.session.get(Request, uuid.UUID(post_id)).status = "failed"
        db.session.commit()
    assert progress_views(client, headers, post_id) == ("failed", "0 / 1", 0, 0)
