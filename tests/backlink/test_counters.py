"""Row counters (backlink.counters): lists read them, `flask counters verify [--fix]` repairs
drift, the `after` cursor walks every link, and random life cycles keep every counter equal to
its COUNT (SQLite, and PostgreSQL in the whole-suite PG run)."""

import threading
import uuid
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from likepion.backlink import counters
from likepion.backlink.models import Account, Group, Link, Request
from likepion.core.db import db
from likepion.core.time import utcnow
from likepion.worker import services as worker_services
from tests.conftest import empty_tables
from tests.factories import make_server, make_user
from tests.helpers import jwt_for
from tests.worker.conftest import add_sites, start_request

BASE = "/api/v1/backlink"
SITES = ["about.me", "gravatar.com", "zotero.org"]


def drift(app) -> list:
    """Every counter that differs from its COUNT."""
    with app.app_context():
        return [d for _, batch in counters.verify() for d in batch]


def stored(app, model, row_id, *columns) -> tuple:
    with app.app_context():
        row = db.session.get(model, uuid.UUID(str(row_id)))
        db.session.refresh(row)
        return tuple(getattr(row, column) for column in columns)


def post_group(client, headers, accounts=()) -> str:
    """A group made through the API, with `accounts` imported into it; its id."""
    created = client.post(
        f"{BASE}/groups", json={"name": "Pool", "service_type": "entity"}, headers=headers
    )
    assert created.status_code == 201, created.json
    group_id = created.json["data"]["id"]
    if accounts:
        imported = client.post(
            f"{BASE}/groups/{group_id}/accounts/import",
            json={"accounts": list(accounts)},
            headers=headers,
        )
        assert imported.status_code == 200, imported.json
    return group_id


# --- reads and verify ---------------------------------------------------------------------------


def test_unfiltered_totals_come_from_the_counters_and_filtered_ones_count(app, client):
    user = make_user(app, credits=10_000)
    add_sites(app, "entity", SITES)
    headers = jwt_for(app, user)
    request_id = start_request(client, headers, target=5)
    accounts = [{"website": "about.me", "username": f"u{n}"} for n in range(4)]
    group_id = post_group(client, headers, accounts)
    links_url = f"{BASE}/entity/{request_id}/links"
    accounts_url = f"{BASE}/groups/{group_id}/accounts"
    assert client.get(links_url, headers=headers).json["total"] == 5
    assert client.get(accounts_url, headers=headers).json["total"] == 4
    with app.app_context():  # drift planted behind the services' back
        db.session.execute(update(Request).values(link_count=42, created_links=7))
        db.session.execute(update(Group).values(account_count=40, account_active=30))
        db.session.commit()

    assert client.get(links_url, headers=headers).json["total"] == 42
    assert client.get(f"{links_url}?status=queued", headers=headers).json["total"] == 5
    assert client.get(f"{links_url}?search=zotero", headers=headers).json["total"] in (1, 2)
    assert client.get(accounts_url, headers=headers).json["total"] == 40
    assert client.get(f"{accounts_url}?status=active", headers=headers).json["total"] == 4
    project = client.get(f"{BASE}/projects", headers=headers).json["data"][0]
    assert (project["created_links"], project["result"]) == (7, "7 / 5")
    group = client.get(f"{BASE}/groups", headers=headers).json["data"][0]
    assert (group["account_count"], group["account_active"]) == (40, 30)


def test_verify_lists_planted_drift_and_fix_repairs_it(app, client, runner, monkeypatch):
    monkeypatch.setattr(counters, "BATCH", 2)  # several batches with few rows
    user = make_user(app, credits=10_000)
    add_sites(app, "entity", SITES)
    headers = jwt_for(app, user)
    request_ids = [start_request(client, headers, target=3, name=f"R{n}") for n in range(3)]
    group_id = post_group(client, headers, [{"website": "about.me", "username": "a"}])
    clean = runner.invoke(args=["counters", "verify"])
    assert clean.exit_code == 0, clean.output
    assert "Every counter matches its COUNT." in clean.output
    with app.app_context():
        db.session.execute(
            update(Request).where(Request.id == uuid.UUID(request_ids[1])).values(link_count=9)
        )
        db.session.execute(
            update(Request).where(Request.id == uuid.UUID(request_ids[2])).values(created_links=2)
        )
        db.session.execute(update(Group).values(account_active=0))
        db.session.commit()

    found = runner.invoke(args=["counters", "verify"])

    assert found.exit_code == 1, found.output
    assert "Error: 3 counter(s) drifted; run with --fix." in found.output
    assert f"requests {request_ids[1]} link_count: stored 9, counted 3" in found.output
    assert f"requests {request_ids[2]} created_links: stored 2, counted 0" in found.output
    assert f"groups {group_id} account_active: stored 0, counted 1" in found.output
    assert stored(app, Request, request_ids[1], "link_count") == (9,), "verify alone fixes nothing"

    fixed = runner.invoke(args=["counters", "verify", "--fix"])

    assert fixed.exit_code == 0, fixed.output
    assert "Fixed 3 counter(s)." in fixed.output
    assert stored(app, Request, request_ids[1], "link_count", "created_links") == (3, 0)
    assert stored(app, Request, request_ids[2], "link_count", "created_links") == (3, 0)
    assert stored(app, Group, group_id, "account_count", "account_active") == (1, 1)
    assert drift(app) == []
    again = runner.invoke(args=["counters", "verify"])
    assert "Every counter matches its COUNT." in again.output


@pytest.mark.parametrize("order", ["desc", "asc"])
def test_after_cursor_walks_every_link_once_in_page_order(app, client, order):
    user = make_user(app, credits=10_000)
    add_sites(app, "entity", SITES)
    headers = jwt_for(app, user)
    request_id = start_request(client, headers, target=11)  # planned links share created_at
    url = f"{BASE}/entity/{request_id}/links"
    by_pages = []
    for page in (1, 2, 3):
        body = client.get(f"{url}?limit=4&page={page}&order={order}", headers=headers).json
        by_pages += [link["id"] for link in body["data"]]

    walked, after = [], None
    while True:
        query = f"?limit=4&order={order}" + (f"&after={after}" if after else "")
        body = client.get(url + query, headers=headers).json
        assert body["total"] == 11
        if not body["data"]:
            break
        walked += [link["id"] for link in body["data"]]
        after = walked[-1]

    assert walked == by_pages and len(set(walked)) == 11


def test_after_must_be_a_link_of_the_request_and_the_creation_order(app, client):
    user = make_user(app, credits=10_000)
    add_sites(app, "entity", SITES)
    headers = jwt_for(app, user)
    mine, other = (start_request(client, headers, target=2, name=n) for n in ("A", "B"))
    other_link = client.get(f"{BASE}/entity/{other}/links", headers=headers).json["data"][0]
    url = f"{BASE}/entity/{mine}/links"

    for query in (f"after={other_link['id']}", f"after={uuid.uuid4()}", "after=nope"):
        response = client.get(f"{url}?{query}", headers=headers)
        assert response.status_code == 422, (query, response.json)
        assert "after" in response.json["details"] or "query" in response.json["details"]
    mine_link = client.get(url, headers=headers).json["data"][0]["id"]
    by_status = client.get(f"{url}?after={mine_link}&sort=status", headers=headers)
    assert by_status.status_code == 422


def test_lowering_and_raising_a_started_target_moves_the_link_counter(app, client):
    user = make_user(app, credits=10_000)
    add_sites(app, "entity", SITES)
    headers = jwt_for(app, user)
    request_id = start_request(client, headers, target=5)
    url = f"{BASE}/entity/{request_id}"

    assert client.put(url, json={"target": 2}, headers=headers).status_code == 200
    assert client.get(f"{url}/links", headers=headers).json["total"] == 2
    assert client.put(url, json={"target": 4}, headers=headers).status_code == 200
    assert client.get(f"{url}/links", headers=headers).json["total"] == 4
    assert stored(app, Request, request_id, "link_count", "created_links") == (4, 0)
    assert drift(app) == []


def test_after_is_documented_in_the_openapi(client):
    spec = client.get("/openapi.json").json
    parameters = spec["paths"]["/api/v1/backlink/{service_type}/{request_id}/links"]["get"]
    after = [p for p in parameters["parameters"] if p["name"] == "after"]
    assert after and after[0]["schema"]["format"] == "uuid"
    assert "Keyset cursor" in after[0]["description"]


def test_export_reads_every_link_in_keyset_batches(app, client, monkeypatch):
    from likepion.backlink import links

    monkeypatch.setattr(links, "EXPORT_BATCH", 3)
    user = make_user(app, credits=10_000)
    add_sites(app, "entity", SITES)
    headers = jwt_for(app, user)
    request_id = start_request(client, headers, target=7)
    listed = client.get(f"{BASE}/entity/{request_id}/links?order=asc", headers=headers).json

    exported = client.get(f"{BASE}/entity/{request_id}/links/export", headers=headers)

    assert exported.status_code == 200
    assert [row["id"] for row in exported.json] == [link["id"] for link in listed["data"]]


# --- property: random life cycles keep every counter equal to its COUNT -------------------------

OPS = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "create",
                "start",
                "start",
                "stop",
                "restart",
                "retarget",
                "pull",
                "pull",
                "pull",
                "report",
                "report",
                "report",
                "report",
                "expire",
                "retry",
                "retry_all",
                "delete_link",
                "delete_request",
                "add_account",
                "import_accounts",
                "toggle_account",
                "worker_account",
                "delete_account",
                "bulk_delete_accounts",
            ]
        ),
        st.integers(min_value=0, max_value=10_000),
    ),
    min_size=1,
    max_size=30,
)


class World:
    """A user, a server and an entity group, driven through the APIs as clients would."""

    def __init__(self, app):
        self.app = app
        self.client = app.test_client()
        self.user = make_user(app, credits=10_000_000)
        add_sites(app, "entity", SITES)
        self.headers = jwt_for(app, self.user)
        self.server = make_server(app, "property-server")
        self.group = post_group(self.client, self.headers)
        self.serial = 0
        self.import_accounts(3)  # something to work on from the first step
        for n in range(3):
            self.create(n)
            self.start(n)

    def ids(self, model, *where) -> list[str]:
        with self.app.app_context():
            stmt = select(model.id).where(*where).order_by(model.id)
            return [str(i) for i in db.session.scalars(stmt)]

    def pick(self, n, model, *where):
        found = self.ids(model, *where)
        return found[n % len(found)] if found else None

    def link_of(self, n, *where) -> tuple[str, str] | None:
        with self.app.app_context():
            rows = db.session.execute(
                select(Link.request_id, Link.id)
                .join(Request, Request.id == Link.request_id)
                .where(Request.deleted_at.is_(None), *where)
                .order_by(Link.id)
            ).all()
        return tuple(map(str, rows[n % len(rows)])) if rows else None

    def run(self, op: str, n: int) -> None:
        getattr(self, op)(n)

    def create(self, n):
        body = {"name": f"R{n}", "auction_price": 10, "target": 1 + n % 5}
        if n % 2:
            body["group_id"] = self.group
        self.client.post(f"{BASE}/entity", json=body, headers=self.headers)

    def _request_action(self, n, action):
        request_id = self.pick(n, Request, Request.deleted_at.is_(None))
        if request_id:
            self.client.post(f"{BASE}/entity/{request_id}/{action}", headers=self.headers)

    def start(self, n):
        self._request_action(n, "start")

    def stop(self, n):
        self._request_action(n, "stop")

    def restart(self, n):
        self._request_action(n, "restart")

    def retarget(self, n):
        request_id = self.pick(n, Request, Request.deleted_at.is_(None))
        if request_id:
            url = f"{BASE}/entity/{request_id}"
            self.client.put(url, json={"target": 1 + n % 6}, headers=self.headers)

    def pull(self, n):
        query = {"limit": 1 + n % 6}
        self.client.get("/api/v1/entity/links", query_string=query, headers=self.server.headers)

    def report(self, n):
        """Report the claimed links, each completed or failed as the bits of `n` say."""
        running = self.ids(Link, Link.status == "running")[:6]
        items = [
            {"id": link_id, "status": ("completed", "failed", "failed")[(n >> 2 * i) % 3]}
            for i, link_id in enumerate(running)
        ]
        if items:
            self.client.post(
                "/api/v1/entity/links/report", json={"items": items}, headers=self.server.headers
            )

    def expire(self, n):
        with self.app.app_context():  # time passes: every claim ends
            db.session.execute(update(Link).values(claimed_until=utcnow() - timedelta(seconds=1)))
            db.session.commit()
            worker_services.requeue_expired()

    def retry(self, n):
        found = self.link_of(n, Link.status == "failed")
        if found:
            url = f"{BASE}/entity/{found[0]}/links/{found[1]}/retry"
            self.client.post(url, headers=self.headers)

    def retry_all(self, n):
        request_id = self.pick(n, Request, Request.deleted_at.is_(None))
        if request_id:
            self.client.post(f"{BASE}/entity/{request_id}/links/retry-all", headers=self.headers)

    def delete_link(self, n):
        found = self.link_of(n)
        if found:
            self.client.delete(f"{BASE}/entity/{found[0]}/links/{found[1]}", headers=self.headers)

    def delete_request(self, n):
        request_id = self.pick(n, Request, Request.deleted_at.is_(None))
        if request_id and n % 3 == 0:  # rarer, so requests live long enough to do things
            self.client.delete(f"{BASE}/entity/{request_id}", headers=self.headers)

    def _account_item(self, n):
        self.serial += 1
        return {"website": SITES[n % 3], "username": f"acct{self.serial}-{n}"}

    def add_account(self, n):
        url = f"{BASE}/groups/{self.group}/accounts"
        self.client.post(url, json=self._account_item(n), headers=self.headers)

    def import_accounts(self, n):
        items = [self._account_item(n + i) for i in range(1 + n % 4)]
        items.append(items[0])  # a duplicate, skipped
        url = f"{BASE}/groups/{self.group}/accounts/import"
        self.client.post(url, json={"accounts": items}, headers=self.headers)

    def toggle_account(self, n):
        account_id = self.pick(n, Account)
        if account_id:
            body = [{"active": n % 2 == 0}, {"status": "inactive"}, {"status": "active"}][n % 3]
            self.client.put(f"{BASE}/accounts/{account_id}", json=body, headers=self.headers)

    def worker_account(self, n):
        account_id = self.pick(n, Account)
        if account_id:
            body = {"account_id": account_id, "status": ("active", "banned")[n % 2]}
            self.client.post("/api/v1/entity/account", json=body, headers=self.server.headers)

    def delete_account(self, n):
        account_id = self.pick(n, Account)
        if account_id:
            self.client.delete(f"{BASE}/accounts/{account_id}", headers=self.headers)

    def bulk_delete_accounts(self, n):
        ids = self.ids(Account)[n % 3 :: 2]
        if ids:
            self.client.post(
                f"{BASE}/accounts/bulk-delete", json={"ids": ids}, headers=self.headers
            )


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=OPS)
def test_random_life_cycles_keep_every_counter_equal_to_its_count(app, ops):
    empty_tables(app)  # each example starts afresh
    world = World(app)

    for op, n in ops:
        world.run(op, n)
        assert app.server_errors == [], (op, n)
        assert drift(app) == [], (op, n)


# --- concurrency: 8 workers report links of one request at once ---------------------------------

REPORTERS = 8


@pytest.mark.pg
def test_8_threads_reporting_one_request_lose_no_increment(pg_app):
    user = make_user(pg_app, credits=100_000)
    add_sites(pg_app, "entity", SITES)
    client = pg_app.test_client()
    request_id = start_request(client, jwt_for(pg_app, user), target=REPORTERS * 25)
    servers = [make_server(pg_app, f"reporter-{n}") for n in range(REPORTERS)]
    claimed = {
        server.name: [
            task["id"]
            for task in client.get(
                "/api/v1/entity/links", query_string={"limit": 25}, headers=server.headers
            ).json["data"]
        ]
        for server in servers
    }
    barrier = threading.Barrier(REPORTERS)

    def reporter(server):
        own = pg_app.test_client()
        barrier.wait()
        for n, link_id in enumerate(claimed[server.name]):  # one link per call: 25 commits
            status = "completed" if n % 5 else "failed"
            item = {"id": link_id, "status": status, "link_post": f"https://p.example/{n}"}
            response = own.post(
                "/api/v1/entity/links/report", json={"items": [item]}, headers=server.headers
            )
            assert response.json["results"][0]["success"], response.json

    threads = [threading.Thread(target=reporter, args=(s,)) for s in servers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(map(len, claimed.values())) == REPORTERS * 25
    assert stored(pg_app, Request, request_id, "link_count", "created_links") == (200, 160)
    assert drift(pg_app) == []
