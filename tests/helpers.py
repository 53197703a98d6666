"""Helpers shared across the test packages: credentials, the shortener's error body, balances,
and shortener objects made through the API the way a client makes them."""

import json
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from flask_jwt_extended import create_access_token
from sqlalchemy import func, select

from likepion.auth.models import User
from likepion.core.db import db
from likepion.credits.models import LedgerEntry

LINK_URL = "https://example.com/landing"
PAGE_NUMBERS = {"result", "perpage", "currentpage", "nextpage", "maxpage"}
MISSING_ID = 999999  # a shortener object id nobody has


def seed_plans_answer() -> list[dict]:
    """The `data` of seed 004's `GET /api/plans` example answer, copied verbatim into
    tests/seed_plans.json."""
    return json.loads(Path(__file__).with_name("seed_plans.json").read_text(encoding="utf-8"))


def jwt_for(app, user) -> dict:
    """Authorization headers carrying an access token of `user` (a UserInfo)."""
    with app.app_context():
        return {"Authorization": f"Bearer {create_access_token(identity=str(user.uuid))}"}


def count_rows(app, model, *where) -> int:
    """How many rows of `model` match `where`."""
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def load_row(app, model, row_id):
    """The row of `model` with this primary key, detached from the session (None if missing)."""
    with app.app_context():
        row = db.session.get(model, row_id)
        if row is not None:
            db.session.expunge(row)
        return row


def balance(app, user) -> int:
    """The user's credits, checked against the ledger sum."""
    with app.app_context():
        credits = db.session.get(User, user.id).credits
        ledger_sum = db.session.scalar(
            select(func.coalesce(func.sum(LedgerEntry.amount), 0)).where(
                LedgerEntry.user_id == user.id
            )
        )
        assert credits == ledger_sum, "balance must equal the ledger sum"
        return credits


def ledger_rows(app, user, *columns: str, reason: str | None = None) -> list[tuple]:
    """The user's ledger rows (only those of `reason` if given), oldest first, as tuples of
    these columns (default: reason, amount)."""
    columns = columns or ("reason", "amount")
    mine = [LedgerEntry.user_id == user.id]
    if reason is not None:
        mine.append(LedgerEntry.reason == reason)
    with app.app_context():
        rows = db.session.execute(
            select(*(getattr(LedgerEntry, column) for column in columns))
            .where(*mine)
            .order_by(LedgerEntry.created_at)
        )
        return [tuple(row) for row in rows]


def assert_error(response, status: int, message: str | None = None) -> None:
    """The shortener's error body (`{"error": 1, "message": ...}`) with this status; with
    `message`, the message contains it."""
    assert response.status_code == status, response.json
    assert set(response.json) == {"error", "message"}
    assert response.json["error"] == 1
    assert response.json["message"]
    if message:
        assert message in response.json["message"], response.json


def assert_foreign_answers_like_missing(client, headers, theirs: int, requests) -> None:
    """Each of `requests` (method, path with `{}` for the id, JSON body) answers for another
    user's object `theirs` the shortener's 404, exactly as for an id nobody has."""
    for method, path, body in requests:
        call = getattr(client, method)
        other = call(path.format(theirs), json=body, headers=headers)
        missing = call(path.format(MISSING_ID), json=body, headers=headers)
        assert_error(other, 404)
        assert (missing.status_code, missing.json) == (other.status_code, other.json)


def check_pages(client, headers, path, key, newest_first):
    """A shortener list of three items at `path`, read with limit 2: the seed's envelope and
    numbers on both pages, the items in `newest_first` order; the page-1 items."""
    page1 = client.get(f"{path}?limit=2&page=1", headers=headers)
    page2 = client.get(f"{path}?limit=2&page=2", headers=headers)
    assert page1.status_code == page2.status_code == 200
    assert page1.json["error"] == page2.json["error"] == "0"
    data = page1.json["data"]
    assert set(data) == PAGE_NUMBERS | {key}
    numbers = {name: data[name] for name in PAGE_NUMBERS}
    assert numbers == {"result": 3, "perpage": 2, "currentpage": 1, "nextpage": 2, "maxpage": 2}
    assert [item["id"] for item in data[key]] == newest_first[:2]
    last = page2.json["data"]
    assert (last["currentpage"], last["nextpage"], last["maxpage"]) == (2, 2, 2)
    assert [item["id"] for item in last[key]] == newest_first[2:]
    return data[key]


def assert_each_refused(client, method: str, path: str, headers: dict, cases) -> None:
    """Each (JSON body, field) of `cases` sent to `path` gets the shortener's 400 whose message
    names the field."""
    for body, field in cases:
        response = client.open(path, method=method, json=body, headers=headers)
        assert response.status_code == 400, body
        assert response.json["error"] == 1
        assert field in response.json["message"], body


def assert_bad_paging_refused(client, headers: dict, path: str, *more_cases) -> None:
    """The shortener list at `path` answers page=0 and limit=100000 (and each (query, field) of
    `more_cases`) with a 400 whose message names the field."""
    for query, field in (("page=0", "page"), ("limit=100000", "limit"), *more_cases):
        response = client.get(f"{path}?{query}", headers=headers)
        assert response.status_code == 400, (path, query)
        assert response.json["error"] == 1
        assert field in response.json["message"], (path, query)


def post_link(client, headers, url="https://example.com/page", **body):
    """The response to `POST /api/url/add` with this body."""
    return client.post("/api/url/add", json={"url": url, **body}, headers=headers)


def add_link(client, headers, url=LINK_URL, **body) -> tuple[int, str]:
    """A new short link made through `POST /api/url/add`: (id, alias)."""
    response = post_link(client, headers, url, **body)
    assert response.status_code == 200, response.json
    return response.json["id"], response.json["shorturl"].rsplit("/", 1)[1]


def add_object(client, headers, path, **body) -> int:
    """A splash, overlay, pixel, domain, campaign or QR code made through `POST /api/<path>`:
    its id."""
    response = client.post(f"/api/{path}", json=body, headers=headers)
    assert response.status_code == 200, response.json
    return response.json["id"]


class QuietHandler(BaseHTTPRequestHandler):
    """A request handler that logs nothing."""

    def log_message(self, *args):
        pass


@contextmanager
def loopback_server(handler):
    """A threaded HTTP server on 127.0.0.1 (a free port) answering with `handler`, a
    QuietHandler class; stopped on exit."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
