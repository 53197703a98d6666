"""A delivered link's slot is spent for good (issue 11, item 1).

Deleting a completed link gives nothing back, and no later path may either: deleting the
request, lowering its target or price, restarting it or retrying its links. Everything here goes
through HTTP: the customer's backlink API and a worker server that builds the links.
"""

import pytest

from tests.factories import make_server, make_site
from tests.helpers import balance, ledger_rows

BASE = "/api/v1/backlink/entity"
PRICE = 100


@pytest.fixture
def worker(app):
    """Headers of a worker server; entity sites for the planner."""
    for name in ("about.me", "gravatar.com"):
        make_site(app, service_type="entity", name=name)
    return make_server(app, "server-01").headers


@pytest.fixture
def customer(user, jwt_headers):
    return jwt_headers(user)


def start(client, customer, target):
    created = client.post(
        BASE, json={"name": "C", "auction_price": PRICE, "target": target}, headers=customer
    )
    assert created.status_code == 201, created.json
    url = f"{BASE}/{created.json['data']['id']}"
    assert client.post(f"{url}/start", headers=customer).status_code == 200
    return url


def work(client, worker, statuses):
    """A worker pulls one link per status and reports it so; the link ids."""
    tasks = client.get(
        "/api/v1/entity/links", query_string={"limit": len(statuses)}, headers=worker
    )
    ids = [task["id"] for task in tasks.json["data"]]
    assert len(ids) == len(statuses)
    items = [{"id": i, "status": s} for i, s in zip(ids, statuses, strict=True)]
    reported = client.post("/api/v1/entity/links/report", json={"items": items}, headers=worker)
    assert reported.json["updated"] == len(ids)
    return ids


def fail_for_good(client, worker):
    """A worker fails one link until its 3 retries run out (the request refunds it); its id."""
    link_id = work(client, worker, ["failed"])[0]
    for _ in range(3):
        assert work(client, worker, ["failed"]) == [link_id]
    return link_id


def delete_links(client, customer, url, link_ids):
    for link_id in link_ids:
        response = client.delete(f"{url}/links/{link_id}", headers=customer)
        assert response.json["data"] == {"deleted": 1, "refunded": 0}


def test_deleting_completed_links_then_the_request_refunds_nothing(
    app, client, user, customer, worker
):
    url = start(client, customer, target=3)
    delete_links(client, customer, url, work(client, worker, ["completed"] * 3))

    assert client.delete(url, headers=customer).status_code == 200

    assert balance(app, user) == 1000 - 300
    assert ledger_rows(app, user) == [("test.top_up", 1000), ("request.create", -300)]


def test_deleting_an_unbuilt_link_after_a_completed_one_refunds_only_its_own_slot(
    app, client, user, customer, worker
):
    url = start(client, customer, target=3)
    done = work(client, worker, ["completed", "completed"])
    delete_links(client, customer, url, done[:1])
    queued = client.get(f"{url}/links?status=queued", headers=customer).json["data"][0]["id"]

    response = client.delete(f"{url}/links/{queued}", headers=customer)
    client.delete(url, headers=customer)

    assert response.json["data"]["refunded"] == PRICE
    assert balance(app, user) == 1000 - 200
    assert ledger_rows(app, user) == [
        ("test.top_up", 1000),
        ("request.create", -300),
        ("link.delete", 100),
    ]


def test_lowering_the_price_after_deleting_a_completed_link_refunds_nothing(
    app, client, user, customer, worker
):
    url = start(client, customer, target=3)
    delete_links(client, customer, url, work(client, worker, ["completed"] * 3)[:1])

    response = client.put(url, json={"auction_price": 50}, headers=customer)
    client.delete(url, headers=customer)

    assert response.status_code == 200
    assert balance(app, user) == 1000 - 300
    assert ledger_rows(app, user) == [("test.top_up", 1000), ("request.create", -300)]


def test_lowering_the_target_after_deleting_a_completed_link_refunds_only_unbuilt_slots(
    app, client, user, customer, worker
):
    url = start(client, customer, target=4)
    delete_links(client, customer, url, work(client, worker, ["completed"] * 3)[:1])

    lower = client.put(url, json={"target": 3}, headers=customer)  # drops the one queued link
    too_low = client.put(url, json={"target": 2}, headers=customer)
    client.delete(url, headers=customer)

    assert lower.status_code == 200 and lower.json["data"]["status"] == "completed"
    assert too_low.status_code == 422
    assert balance(app, user) == 1000 - 300
    assert ledger_rows(app, user) == [
        ("test.top_up", 1000),
        ("request.create", -400),
        ("request.update", 100),
    ]


def test_restarting_after_deleting_every_completed_link_reopens_nothing(
    app, client, user, customer, worker
):
    url = start(client, customer, target=3)
    delete_links(client, customer, url, work(client, worker, ["completed"] * 3))

    restarted = client.post(f"{url}/restart", headers=customer)
    client.delete(url, headers=customer)

    assert restarted.json["data"]["status"] == "completed"
    assert balance(app, user) == 1000 - 300
    assert ledger_rows(app, user) == [("test.top_up", 1000), ("request.create", -300)]


@pytest.mark.parametrize("path", ["restart", "retry", "retry-all"])
def test_requeueing_a_failed_link_after_deleting_a_completed_one_refunds_nothing_later(
    app, client, user, customer, worker, path
):
    url = start(client, customer, target=3)
    delete_links(client, customer, url, work(client, worker, ["completed"] * 2)[:1])
    failed = fail_for_good(client, worker)
    assert balance(app, user) == 1000 - 200
    route = {"restart": "restart", "retry": f"links/{failed}/retry", "retry-all": "links/retry-all"}

    assert client.post(f"{url}/{route[path]}", headers=customer).status_code == 200
    work(client, worker, ["completed"])
    state = client.get(url, headers=customer).json["data"]
    client.delete(url, headers=customer)

    assert state["status"] == "completed"
    assert balance(app, user) == 1000 - 300
    reasons = {"restart": "request.restart", "retry": "link.retry", "retry-all": "link.retry_all"}
    assert ledger_rows(app, user) == [
        ("test.top_up", 1000),
        ("request.create", -300),
        ("link.failed", 100),
        (reasons[path], -100),
    ]
