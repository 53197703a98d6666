"""CSV exports quote cells a spreadsheet would run as formulas (OWASP CSV injection): worker-set
fields reach a customer's spreadsheet (issue 11, item 14)."""

import csv
import io
import uuid

from sqlalchemy import select

from likepion.backlink.models import Account, Link
from likepion.core.db import db
from tests.helpers import jwt_for
from tests.worker.conftest import make_podcast_group, start_request

HOSTILE = {
    "link_post": '=HYPERLINK("https://evil.example","click")',
    "link_profile": "+1+cmd|' /C calc'!A0",
    "about": "-2+3",
    "note": "@SUM(A1:A9)",
    "error_message": "\t=1+1",
    "username": "\r=1+1",
}


def csv_rows(response) -> list[dict]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True), newline="")))


def test_link_export_quotes_formula_cells_a_worker_set(app, client, user, server, entity_sites):
    headers = jwt_for(app, user)
    request_id = start_request(client, headers, target=1)
    task = client.get("/api/v1/entity/links", headers=server.headers).json["data"][0]
    report = {"id": task["id"], "status": "completed", **HOSTILE}
    response = client.post(
        "/api/v1/entity/links/report", json={"items": [report]}, headers=server.headers
    )
    assert response.status_code == 200 and response.json["updated"] == 1

    exported = client.get(
        f"/api/v1/backlink/entity/{request_id}/links/export",
        query_string={"format": "csv"},
        headers=headers,
    )

    (row,) = csv_rows(exported)
    for field, value in HOSTILE.items():
        assert row[field] == "'" + value, field
    assert row["status"] == "completed" and row["retry_count"] == "0"
    as_json = client.get(
        f"/api/v1/backlink/entity/{request_id}/links/export",
        query_string={"format": "json"},
        headers=headers,
    )
    assert as_json.json[0]["link_post"] == HOSTILE["link_post"]  # only CSV cells are quoted
    with app.app_context():
        link = db.session.scalar(select(Link).where(Link.id == uuid.UUID(task["id"])))
        assert link.link_post == HOSTILE["link_post"] and link.note == HOSTILE["note"]


def test_account_export_quotes_formula_cells_a_worker_set(app, client, user, server):
    setup = make_podcast_group(app, user, secondary=("anchor.fm",))
    account_id = setup.primary_account
    update = {"account_id": account_id, "username": "=cmd|'/C calc'!A0", "note": "+evil"}
    response = client.post("/api/v1/podcast/account", json=update, headers=server.headers)
    assert response.status_code == 200, response.json

    exported = client.post(
        "/api/v1/backlink/accounts/export",
        json={"ids": [account_id], "format": "csv"},
        headers=jwt_for(app, user),
    )

    (row,) = csv_rows(exported)
    assert row["username"] == "'=cmd|'/C calc'!A0" and row["note"] == "'+evil"
    assert row["website"] == "podbean.com"
    with app.app_context():
        assert db.session.get(Account, uuid.UUID(account_id)).username == "=cmd|'/C calc'!A0"
