"""Requests (campaigns) over HTTP: create with credits, list, get, update, delete, run states."""

import uuid

import pytest
from sqlalchemy import func, select, update

from likepion.auth.models import User
from likepion.backlink import counters
from likepion.backlink.models import Link, Request, Site
from likepion.core.db import db
from likepion.credits.models import LedgerEntry
from tests.factories import make_group
from tests.helpers import balance

BASE = "/api/v1/backlink"
DETAIL_FIELDS = {
    "id",
    "service_type",
    "group_id",
    "name",
    "website",
    "auction_price",
    "target",
    "created_links",
    "status",
    "type_request",
    "started_at",
    "completed_at",
    "created_at",
    "priority",
    "config",
    "data",
    "folder_urls",
    "result",
    "updated_at",
    # issue 15 item 10: podcast posts' secondary-site progress (0 / 0 elsewhere)
    "secondary_total",
    "secondary_done",
}
LIST_FIELDS = DETAIL_FIELDS - {"priority", "config", "data", "folder_urls", "result", "updated_at"}


@pytest.fixture
def sites(app):
    names = {"entity": ["about.me", "gravatar.com", "zotero.org"], "blog20": ["medium.com"]}
    with app.app_context():
        for service_type, site_names in names.items():
            for name in site_names:
                db.session.add(Site(service_type=service_type, name=name))
        db.session.add(Site(service_type="podcast", name="podbean.com", role="primary"))
        db.session.add(Site(service_type="podcast", name="anchor.fm", role="secondary"))
        db.session.commit()
        return {s.name: s.id for s in db.session.scalars(select(Site))}


def create(client, headers, service_type="entity", **body):
    payload = {"name": "Campaign A", "auction_price": 10, "target": 5} | body
    return client.post(f"{BASE}/{service_type}", json=payload, headers=headers)


def links_of(app, request_id):
    with app.app_context():
        return db.session.scalars(
            select(Link).where(Link.request_id == uuid.UUID(request_id)).order_by(Link.created_at)
        ).all()


def set_link_statuses(app, request_id, statuses):
    """Move the request's links to `statuses` in order (what the worker API will do)."""
    with app.app_context():
        ids = db.session.scalars(
            select(Link.id).where(Link.request_id == uuid.UUID(request_id)).order_by(Link.id)
        ).all()
        for link_id, status in zip(ids, statuses, strict=False):
            db.session.execute(update(Link).where(Link.id == link_id).values(status=status))
        counters.recount(Request, [uuid.UUID(request_id)])  # as the services keep it
        db.session.commit()


# --- create ----------------------------------------------------------------------------------


def test_create_charges_price_times_target(app, client, user, jwt_headers):
    response = create(
        client,
        jwt_headers(user),
        website="https://target.com",
        config={"anchor": "x"},
        data={"k": 1},
        folder_urls={"a": "b"},
        priority=7,
        type_request="normal",
    )

    assert response.status_code == 201
    data = response.json["data"]
    assert set(data) == DETAIL_FIELDS
    assert data["status"] == "pending" and data["service_type"] == "entity"
    assert data["target"] == 5 and data["auction_price"] == 10 and data["priority"] == 7
    assert data["type_request"] == "normal" and data["config"] == {"anchor": "x"}
    assert data["result"] == "0 / 5" and data["created_links"] == 0
    assert data["created_at"].endswith("Z") and data["started_at"] is None
    assert balance(app, user) == 950
    with app.app_context():
        entry = db.session.scalar(select(LedgerEntry).where(LedgerEntry.reason == "request.create"))
        assert (entry.amount, entry.reference, entry.balance_after) == (-50, data["id"], 950)
        row = db.session.get(Request, uuid.UUID(data["id"]))
        assert row.user_id == user.id and row.website == "https://target.com"


def test_create_defaults(client, user, jwt_headers):
    data = create(client, jwt_headers(user), target=None).json
    assert data["success"] is False  # target: null is not an integer

    payload = {"name": "Defaults", "auction_price": 50}
    entity = client.post(f"{BASE}/entity", json=payload, headers=jwt_headers(user)).json["data"]
    assert (entity["target"], entity["priority"], entity["type_request"]) == (10, 5, "entity")
    podcast = client.post(f"{BASE}/podcast", json=payload, headers=jwt_headers(user)).json["data"]
    assert podcast["type_request"] == "post"


def test_create_without_enough_credits_is_402_and_creates_nothing(app, client, user, jwt_headers):
    response = create(client, jwt_headers(user), auction_price=101, target=10)

    assert response.status_code == 402
    assert response.json["error"] == "insufficient_credits"
    assert balance(app, user) == 1000
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Request)) == 0


@pytest.mark.parametrize(
    ("service_type", "body"),
    [
        ("entity", {"auction_price": 0}),
        ("entity", {"auction_price": "10"}),
        ("entity", {"target": 0}),
        ("entity", {"priority": 11}),
        ("entity", {"name": ""}),
        ("entity", {"website": "javascript:alert(1)"}),
        ("entity", {"group_id": "not-a-uuid"}),
        ("entity", {"unknown": 1}),
        ("entity", {"config": []}),
        ("blog20", {"auction_price": 49}),
        ("podcast", {"auction_price": 101}),
    ],
)
def test_create_bad_input_is_422_and_writes_nothing(
    app, client, user, jwt_headers, service_type, body
):
    response = create(client, jwt_headers(user), service_type=service_type, **body)
    assert response.status_code == 422
    assert response.json["error"] == "validation_error"
    assert response.json["details"]
    assert balance(app, user) == 1000


def test_create_missing_name_and_unknown_type(client, user, jwt_headers):
    response = client.post(f"{BASE}/entity", json={"auction_price": 5}, headers=jwt_headers(user))
    assert response.status_code == 422 and "name" in response.json["details"]
    response = client.post(
        f"{BASE}/seo", json={"name": "x", "auction_price": 5}, headers=jwt_headers(user)
    )
    assert response.status_code == 404


def test_create_with_group_checks_owner_and_type(app, client, user, other_user, jwt_headers, sites):
    mine = make_group(app, user)
    blog_group = make_group(app, user, service_type="blog20")
    theirs = make_group(app, other_user)

    assert create(client, jwt_headers(user), group_id=str(mine)).status_code == 201
    wrong_type = create(client, jwt_headers(user), group_id=str(blog_group))
    assert wrong_type.status_code == 422 and "group_id" in wrong_type.json["details"]
    not_mine = create(client, jwt_headers(user), group_id=str(theirs))
    missing = create(client, jwt_headers(user), group_id=str(uuid.uuid4()))
    assert not_mine.status_code == missing.status_code == 404
    assert not_mine.json == missing.json
    assert balance(app, user) == 950


def test_idempotency_key_replays_the_first_response(app, client, user, jwt_headers):
    headers = jwt_headers(user) | {"Idempotency-Key": "create-1"}

    first = create(client, headers)
    second = create(client, headers)

    assert first.status_code == second.status_code == 201
    assert first.json == second.json
    assert second.headers["Idempotent-Replayed"] == "true"
    assert balance(app, user) == 950
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Request)) == 1

    reused = create(client, headers, name="Another body")
    assert reused.status_code == 422
    assert reused.json["error"] == "idempotency_key_reused"

    other_key = create(client, jwt_headers(user) | {"Idempotency-Key": "create-2"})
    assert other_key.status_code == 201
    assert balance(app, user) == 900


def test_idempotency_key_after_a_failure_can_be_retried(app, client, user, jwt_headers):
    headers = jwt_headers(user) | {"Idempotency-Key": "k"}
    assert create(client, headers, auction_price=500, target=10).status_code == 402
    with app.app_context():
        db.session.execute(update(User).where(User.id == user.id).values(credits=10_000))
        db.session.add(LedgerEntry(user_id=user.id, amount=9000, reason="test", balance_after=0))
        db.session.commit()
    assert create(client, headers, auction_price=500, target=10).status_code == 201


# --- list and get ----------------------------------------------------------------------------


@pytest.fixture
def three_requests(app, client, user, jwt_headers):
    ids = []
    for name, price, priority in (("Alpha", 30, 2), ("Bravo", 10, 9), ("Charlie", 20, 5)):
        body = {
            "name": name,
            "auction_price": price,
            "priority": priority,
            "target": 1,
            "website": f"https://{name.lower()}.example",
        }
        ids.append(client.post(f"{BASE}/entity", json=body, headers=jwt_headers(user)).json)
    create(client, jwt_headers(user), service_type="social", name="Other type")
    return [r["data"]["id"] for r in ids]


def listing(client, headers, query=""):
    response = client.get(f"{BASE}/entity?{query}", headers=headers)
    assert response.status_code == 200, response.json
    return response.json


def test_list_has_the_seed_fields_and_envelope(client, user, jwt_headers, three_requests):
    body = listing(client, jwt_headers(user))
    assert body["success"] is True
    assert (body["total"], body["page"], body["limit"]) == (3, 1, 20)
    assert all(set(item) == LIST_FIELDS for item in body["data"])
    assert [i["name"] for i in body["data"]] == ["Charlie", "Bravo", "Alpha"]


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("sort=name&order=asc", ["Alpha", "Bravo", "Charlie"]),
        ("sort=auction_price&order=desc", ["Alpha", "Charlie", "Bravo"]),
        ("sort=priority&order=asc", ["Alpha", "Charlie", "Bravo"]),
        ("sort=created_at&order=asc", ["Alpha", "Bravo", "Charlie"]),
        ("search=brav", ["Bravo"]),
        ("search=%25", []),
        ("search=CHARLIE.example", ["Charlie"]),
        ("status=running", ["Bravo"]),
        ("status=pending&sort=name&order=asc", ["Alpha", "Charlie"]),
        ("sort=status&order=desc&search=a", ["Bravo", "Charlie", "Alpha"]),
        ("sort=started_at&order=asc&status=running", ["Bravo"]),
        ("limit=2&page=2&sort=name&order=asc", ["Charlie"]),
    ],
)
def test_list_filters_and_sorts(
    app, client, user, jwt_headers, three_requests, sites, query, names
):
    client.post(f"{BASE}/entity/{three_requests[1]}/start", headers=jwt_headers(user))
    body = listing(client, jwt_headers(user), query)
    assert [i["name"] for i in body["data"]] == names


@pytest.mark.parametrize(
    "query", ["page=0", "limit=0", "limit=1001", "sort=evil", "order=up", "status=done"]
)
def test_list_bad_query_is_422(client, user, jwt_headers, query):
    assert client.get(f"{BASE}/entity?{query}", headers=jwt_headers(user)).status_code == 422


def test_get_shows_detail(client, user, jwt_headers, three_requests):
    response = client.get(f"{BASE}/entity/{three_requests[0]}", headers=jwt_headers(user))
    assert response.status_code == 200
    assert set(response.json["data"]) == DETAIL_FIELDS
    assert response.json["data"]["name"] == "Alpha"
    wrong_type = client.get(f"{BASE}/social/{three_requests[0]}", headers=jwt_headers(user))
    assert wrong_type.status_code == 404


def test_list_does_not_grow_queries_with_page_size(
    client, user, jwt_headers, sites, sql_statements
):
    for n in range(30):
        create(client, jwt_headers(user), name=f"R{n}", target=1)
    counts = [
        len(
            sql_statements(lambda limit=limit: listing(client, jwt_headers(user), f"limit={limit}"))
        )
        for limit in (5, 30)
    ]
    assert counts[0] == counts[1]


# --- update ----------------------------------------------------------------------------------


def test_update_fields_and_money(app, client, user, jwt_headers):
    request_id = create(client, jwt_headers(user)).json["data"]["id"]
    url = f"{BASE}/entity/{request_id}"

    response = client.put(
        url,
        json={"name": "Renamed", "config": {"a": 1}, "auction_price": 20},
        headers=jwt_headers(user),
    )
    assert response.status_code == 200
    assert response.json["data"]["name"] == "Renamed"
    assert response.json["data"]["config"] == {"a": 1}
    assert balance(app, user) == 1000 - 100  # 20 x 5

    assert client.put(url, json={"target": 2}, headers=jwt_headers(user)).status_code == 200
    assert balance(app, user) == 1000 - 40

    too_much = client.put(url, json={"target": 100}, headers=jwt_headers(user))
    assert too_much.status_code == 402
    assert balance(app, user) == 960
    with app.app_context():
        row = db.session.get(Request, uuid.UUID(request_id))
        assert (row.target, row.auction_price, row.name) == (2, 20, "Renamed")
        reasons = db.session.scalars(
            select(LedgerEntry.amount)
            .where(LedgerEntry.reason == "request.update")
            .order_by(LedgerEntry.created_at)
        ).all()
        assert reasons == [-50, 60]


@pytest.mark.parametrize(
    "body",
    [
        {"target": 0},
        {"auction_price": -1},
        {"group_id": str(uuid.uuid4())},
        {"type_request": "x"},
        {"status": "completed"},
        {"website": "ftp://x"},
    ],
)
def test_update_bad_input_is_422_and_changes_nothing(app, client, user, jwt_headers, body):
    request_id = create(client, jwt_headers(user)).json["data"]["id"]
    response = client.put(f"{BASE}/entity/{request_id}", json=body, headers=jwt_headers(user))
    assert response.status_code == 422
    assert balance(app, user) == 950


def test_update_target_of_a_running_request_plans_or_cancels_links(
    app, client, user, jwt_headers, sites
):
    request_id = create(client, jwt_headers(user)).json["data"]["id"]
    url = f"{BASE}/entity/{request_id}"
    client.post(f"{url}/start", headers=jwt_headers(user))
    set_link_statuses(app, request_id, ["completed", "completed"])

    assert client.put(url, json={"target": 8}, headers=jwt_headers(user)).status_code == 200
    statuses = [link.status for link in links_of(app, request_id)]
    assert len(statuses) == 8 and statuses.count("queued") == 6

    assert client.put(url, json={"target": 3}, headers=jwt_headers(user)).status_code == 200
    statuses = [link.status for link in links_of(app, request_id)]
    assert sorted(statuses) == ["completed", "completed", "queued"]
    assert balance(app, user) == 1000 - 30

    below = client.put(url, json={"target": 1}, headers=jwt_headers(user))
    assert below.status_code == 422 and "target" in below.json["details"]


# --- delete ----------------------------------------------------------------------------------


def test_delete_refunds_links_not_completed_and_hides_the_request(
    app, client, user, jwt_headers, sites
):
    request_id = create(client, jwt_headers(user)).json["data"]["id"]
    url = f"{BASE}/entity/{request_id}"
    client.post(f"{url}/start", headers=jwt_headers(user))
    set_link_statuses(app, request_id, ["completed", "running", "queued"])

    response = client.delete(url, headers=jwt_headers(user))

    assert response.status_code == 200 and response.json["data"] == {"deleted": 1}
    assert balance(app, user) == 1000 - 10
    assert sorted(link.status for link in links_of(app, request_id)) == [
        "cancel",
        "cancel",
        "cancel",
        "cancel",
        "completed",
    ]
    assert client.get(url, headers=jwt_headers(user)).status_code == 404
    assert client.delete(url, headers=jwt_headers(user)).status_code == 404
    assert listing(client, jwt_headers(user))["total"] == 0
    with app.app_context():
        assert db.session.get(Request, uuid.UUID(request_id)).deleted_at is not None


def test_bulk_delete_and_export(app, client, user, other_user, jwt_headers):
    mine = [create(client, jwt_headers(user), name=f"M{n}").json["data"]["id"] for n in range(2)]
    social = create(client, jwt_headers(user), service_type="social").json["data"]["id"]
    theirs = create(client, jwt_headers(other_user)).json["data"]["id"]

    export = client.post(
        f"{BASE}/requests/export",
        json={"ids": mine + [theirs], "format": "csv"},
        headers=jwt_headers(user),
    )
    assert export.status_code == 200
    assert export.headers["Content-Disposition"] == 'attachment; filename="requests.csv"'
    lines = export.get_data(as_text=True).strip().splitlines()
    assert lines[0].startswith("id,service_type") and len(lines) == 3
    txt = client.post(f"{BASE}/requests/export", json={"ids": mine}, headers=jwt_headers(user))
    assert txt.json[0]["name"] == "M0"

    response = client.post(
        f"{BASE}/requests/bulk-delete",
        json={"ids": mine + [social, theirs]},
        headers=jwt_headers(user),
    )
    assert response.json == {"success": True, "data": {"deleted": 3}}
    assert balance(app, user) == 1000
    assert balance(app, other_user) == 950


@pytest.mark.parametrize(
    "body", [{"ids": []}, {"ids": ["x"]}, {"ids": [str(uuid.uuid4())] * 201}, {}]
)
def test_bulk_bad_input_is_422(client, user, jwt_headers, body):
    for path in ("bulk-delete", "export"):
        response = client.post(f"{BASE}/requests/{path}", json=body, headers=jwt_headers(user))
        assert response.status_code == 422


# --- start / stop / restart ------------------------------------------------------------------


def test_start_plans_target_links_over_sites_and_group_accounts(
    app, client, user, jwt_headers, sites
):
    group = make_group(app, user, accounts=["about.me", "about.me"])
    request_id = create(client, jwt_headers(user), group_id=str(group), target=7).json["data"]["id"]

    response = client.post(f"{BASE}/entity/{request_id}/start", headers=jwt_headers(user))

    assert response.status_code == 200
    assert response.json["data"]["status"] == "running"
    assert response.json["data"]["started_at"].endswith("Z")
    links = links_of(app, request_id)
    assert len(links) == 7 and {link.status for link in links} == {"queued"}
    by_site = {}
    for link in links:
        by_site.setdefault(link.site_id, []).append(link.account_id)
    assert set(by_site) == {sites["about.me"], sites["gravatar.com"], sites["zotero.org"]}
    about_accounts = by_site[sites["about.me"]]
    assert None not in about_accounts and len(set(about_accounts)) == 2
    assert set(by_site[sites["zotero.org"]]) == {None}
    assert {link.auction_price for link in links} == {10}

    again = client.post(f"{BASE}/entity/{request_id}/start", headers=jwt_headers(user))
    assert again.status_code == 409 and again.json["error"] == "invalid_state"


def test_start_without_sites_is_422(app, client, user, jwt_headers):
    request_id = create(client, jwt_headers(user)).json["data"]["id"]
    response = client.post(f"{BASE}/entity/{request_id}/start", headers=jwt_headers(user))
    assert response.status_code == 422
    assert links_of(app, request_id) == []


def test_podcast_posts_are_episodes_on_the_primary_site(app, client, user, jwt_headers, sites):
    group = make_group(app, user, service_type="podcast", accounts=["anchor.fm", "podbean.com"])
    without = create(client, jwt_headers(user), "podcast", auction_price=60).json["data"]["id"]
    request_id = create(
        client, jwt_headers(user), "podcast", auction_price=60, target=3, group_id=str(group)
    ).json["data"]["id"]

    refused = client.post(f"{BASE}/podcast/{without}/start", headers=jwt_headers(user))
    assert refused.status_code == 422
    assert (
        client.post(f"{BASE}/podcast/{request_id}/start", headers=jwt_headers(user)).status_code
        == 200
    )
    links = links_of(app, request_id)
    assert len(links) == 3 and {link.site_id for link in links} == {sites["podbean.com"]}
    assert len({link.account_id for link in links}) == 1


def test_stop_holds_queued_links_and_start_releases_them(app, client, user, jwt_headers, sites):
    request_id = create(client, jwt_headers(user)).json["data"]["id"]
    url = f"{BASE}/entity/{request_id}"
    assert client.post(f"{url}/stop", headers=jwt_headers(user)).status_code == 409
    client.post(f"{url}/start", headers=jwt_headers(user))
    set_link_statuses(app, request_id, ["running"])

    stopped = client.post(f"{url}/stop", headers=jwt_headers(user))
    assert stopped.status_code == 200 and stopped.json["data"]["status"] == "stopped"
    assert sorted(link.status for link in links_of(app, request_id)) == ["pending"] * 4 + [
        "running"
    ]

    started = client.post(f"{url}/start", headers=jwt_headers(user))
    assert started.json["data"]["status"] == "running"
    assert sorted(link.status for link in links_of(app, request_id)) == ["queued"] * 4 + ["running"]
    assert len(links_of(app, request_id)) == 5


def test_restart_requeues_failed_links_and_charges_them_again(
    app, client, user, jwt_headers, sites
):
    request_id = create(client, jwt_headers(user), target=3).json["data"]["id"]
    url = f"{BASE}/entity/{request_id}"
    client.post(f"{url}/start", headers=jwt_headers(user))
    assert client.post(f"{url}/restart", headers=jwt_headers(user)).status_code == 409
    set_link_statuses(app, request_id, ["completed", "failed", "failed"])
    with app.app_context():
        from likepion.backlink import progress

        request = db.session.get(Request, uuid.UUID(request_id))
        progress.settle(request)
        db.session.commit()
        assert request.status == "completed"
    assert balance(app, user) == 1000 - 10

    response = client.post(f"{url}/restart", headers=jwt_headers(user))

    assert response.status_code == 200 and response.json["data"]["status"] == "running"
    assert response.json["data"]["completed_at"] is None
    assert balance(app, user) == 1000 - 30
    links = links_of(app, request_id)
    assert sorted(link.status for link in links) == ["completed", "queued", "queued"]
    assert all(
        link.retry_count == 0 and not link.refunded for link in links if link.status == "queued"
    )


def test_restart_without_credits_is_402_and_changes_nothing(app, client, user, jwt_headers, sites):
    request_id = create(client, jwt_headers(user), auction_price=100, target=10).json["data"]["id"]
    url = f"{BASE}/entity/{request_id}"
    client.post(f"{url}/start", headers=jwt_headers(user))
    set_link_statuses(app, request_id, ["failed"] * 10)
    with app.app_context():
        from likepion.backlink import progress

        progress.settle(db.session.get(Request, uuid.UUID(request_id)))
        db.session.commit()
    assert balance(app, user) == 1000
    create(client, jwt_headers(user), auction_price=100, target=10)  # spend everything

    response = client.post(f"{url}/restart", headers=jwt_headers(user))

    assert response.status_code == 402
    assert {link.status for link in links_of(app, request_id)} == {"failed"}
    assert client.get(url, headers=jwt_headers(user)).json["data"]["status"] == "failed"


def test_settle_completes_when_target_reached_and_fails_when_nothing_can_progress(
    app, client, user, jwt_headers, sites
):
    from likepion.backlink import progress

    done = create(client, jwt_headers(user), target=2).json["data"]["id"]
    dead = create(client, jwt_headers(user), target=2).json["data"]["id"]
    for request_id in (done, dead):
        client.post(f"{BASE}/entity/{request_id}/start", headers=jwt_headers(user))
    set_link_statuses(app, done, ["completed", "completed"])
    set_link_statuses(app, dead, ["failed", "failed"])
    with app.app_context():
        for request_id in (done, dead):
            progress.settle(db.session.get(Request, uuid.UUID(request_id)))
        db.session.commit()
        refunds = db.session.scalars(
            select(LedgerEntry.reference).where(LedgerEntry.reason == "link.failed")
        ).all()
    assert set(refunds) == {str(link.id) for link in links_of(app, dead)}
    done_body = client.get(f"{BASE}/entity/{done}", headers=jwt_headers(user)).json["data"]
    dead_body = client.get(f"{BASE}/entity/{dead}", headers=jwt_headers(user)).json["data"]
    assert (done_body["status"], done_body["result"], done_body["created_links"]) == (
        "completed",
        "2 / 2",
        2,
    )
    assert dead_body["status"] == "failed" and dead_body["completed_at"].endswith("Z")
    assert balance(app, user) == 1000 - 20
    with app.app_context():  # settling again refunds nothing twice
        progress.settle(db.session.get(Request, uuid.UUID(dead)))
        db.session.commit()
    assert balance(app, user) == 980


# --- tenancy ---------------------------------------------------------------------------------


def test_another_users_request_answers_exactly_like_a_missing_one(
    client, user, other_user, jwt_headers, sites
):
    theirs = create(client, jwt_headers(other_user)).json["data"]["id"]
    missing = str(uuid.uuid4())
    calls = [
        ("get", ""),
        ("put", ""),
        ("delete", ""),
        ("post", "/start"),
        ("post", "/stop"),
        ("post", "/restart"),
    ]
    for method, suffix in calls:
        kwargs = {"headers": jwt_headers(user)}
        if method == "put":
            kwargs["json"] = {"name": "x"}
        a = getattr(client, method)(f"{BASE}/entity/{theirs}{suffix}", **kwargs)
        b = getattr(client, method)(f"{BASE}/entity/{missing}{suffix}", **kwargs)
        assert a.status_code == b.status_code == 404, (method, suffix)
        assert a.json == b.json
    not_uuid = client.get(f"{BASE}/entity/not-a-uuid", headers=jwt_headers(user))
    assert not_uuid.status_code == 404
    untouched = client.get(f"{BASE}/entity/{theirs}", headers=jwt_headers(other_user))
    assert untouched.json["data"]["name"] == "Campaign A"
    assert untouched.json["data"]["status"] == "pending"


def test_a_new_price_applies_only_to_links_still_to_build(app, client, user, jwt_headers, sites):
    request_id = create(client, jwt_headers(user), auction_price=100, target=4).json["data"]["id"]
    url = f"{BASE}/entity/{request_id}"
    client.post(f"{url}/start", headers=jwt_headers(user))
    set_link_statuses(app, request_id, ["completed", "completed"])
    assert balance(app, user) == 600

    cheaper = client.put(url, json={"auction_price": 10}, headers=jwt_headers(user))

    assert cheaper.status_code == 200
    assert balance(app, user) == 1000 - 200 - 2 * 10  # built links keep their price
    client.delete(url, headers=jwt_headers(user))
    assert balance(app, user) == 800


def test_raising_the_target_after_every_link_was_deleted_plans_new_links(
    app, client, user, jwt_headers, sites
):
    request_id = create(client, jwt_headers(user), target=1).json["data"]["id"]
    url = f"{BASE}/entity/{request_id}"
    client.post(f"{url}/start", headers=jwt_headers(user))
    link_id = str(links_of(app, request_id)[0].id)
    assert client.delete(f"{url}/links/{link_id}", headers=jwt_headers(user)).status_code == 200

    response = client.put(url, json={"target": 2}, headers=jwt_headers(user))

    assert response.status_code == 200 and response.json["data"]["status"] == "running"
    assert [link.status for link in links_of(app, request_id)] == ["queued", "queued"]
    assert balance(app, user) == 1000 - 20
