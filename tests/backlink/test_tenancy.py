"""Every backlink endpoint that takes an id answers another user's id exactly like a missing one."""

import uuid

from sqlalchemy import func, select

from likepion.auth.models import User
from likepion.backlink.models import Account, Group, Link, Request
from likepion.core.db import db
from tests.factories import make_account, make_group, make_site

API = "/api/v1/backlink"
ACCOUNT = {"website": "about.me", "username": "intruder"}

# (method, path template, JSON body) for every endpoint with an id in its path.
ENDPOINTS = [
    ("get", "/groups/{group}", None),
    ("put", "/groups/{group}", {"name": "mine now"}),
    ("delete", "/groups/{group}", None),
    ("get", "/groups/{group}/export", None),
    ("get", "/groups/{group}/accounts", None),
    ("post", "/groups/{group}/accounts", ACCOUNT),
    ("post", "/groups/{group}/accounts/import", {"accounts": [ACCOUNT]}),
    ("post", "/groups/{group}/accounts/check-all", None),
    ("put", "/accounts/{account}", {"note": "mine now"}),
    ("delete", "/accounts/{account}", None),
    ("post", "/accounts/{account}/check", None),
    ("get", "/entity/{request}", None),
    ("put", "/entity/{request}", {"name": "mine now"}),
    ("delete", "/entity/{request}", None),
    ("post", "/entity/{request}/start", None),
    ("post", "/entity/{request}/stop", None),
    ("post", "/entity/{request}/restart", None),
    ("get", "/entity/{request}/links", None),
    ("get", "/entity/{request}/links/export", None),
    ("post", "/entity/{request}/links/retry-all", None),
    ("post", "/entity/{request}/links/{link}/retry", None),
    ("delete", "/entity/{request}/links/{link}", None),
]
# Bulk endpoints take ids in the body and act only on the caller's own: same answer as missing.
BULK = ["/accounts/bulk-delete", "/accounts/export", "/requests/bulk-delete", "/requests/export"]


def snapshot(app, owner_id):
    """Everything of the owner that an intruder might change."""
    with app.app_context():
        return {
            "credits": db.session.get(User, owner_id).credits,
            "groups": db.session.execute(select(Group.name, Group.status)).all(),
            "accounts": db.session.execute(
                select(Account.note, Account.status, Account.username)
            ).all(),
            "requests": db.session.execute(
                select(Request.name, Request.status, Request.target, Request.deleted_at)
            ).all(),
            "links": db.session.execute(
                select(Link.status, func.count()).group_by(Link.status).order_by(Link.status)
            ).all(),
        }


def test_every_id_endpoint_answers_another_users_id_like_a_missing_one(
    app, client, user, other_user, jwt_headers
):
    make_site(app, name="about.me")
    group = make_group(app, other_user)
    account = make_account(app, group, website="about.me", username="owner")
    created = client.post(
        f"{API}/entity",
        json={"name": "Theirs", "auction_price": 10, "target": 2},
        headers=jwt_headers(other_user),
    )
    request = created.json["data"]["id"]
    client.post(f"{API}/entity/{request}/start", headers=jwt_headers(other_user))
    with app.app_context():
        link = str(db.session.scalar(select(Link.id)))
    theirs = {"group": group, "account": account, "request": request, "link": link}
    missing = {name: uuid.uuid4() for name in theirs}
    before = snapshot(app, other_user.id)

    for method, template, body in ENDPOINTS:
        answers = [
            getattr(client, method)(
                API + template.format(**ids), json=body, headers=jwt_headers(user)
            )
            for ids in (theirs, missing)
        ]
        assert [a.status_code for a in answers] == [404, 404], (method, template)
        assert answers[0].json == answers[1].json, (method, template)
        assert answers[0].json["error"] == "not_found"

    for path in BULK:
        answers = [
            client.post(
                API + path,
                json={"ids": [str(ids[key]) for key in ("account", "request")]},
                headers=jwt_headers(user),
            )
            for ids in (theirs, missing)
        ]
        assert answers[0].status_code == answers[1].status_code == 200, path
        assert answers[0].get_data() == answers[1].get_data(), path

    assert snapshot(app, other_user.id) == before
