"""Fixtures for the worker API: servers with keys, sites, a podcast group, running requests."""

from dataclasses import dataclass

import pytest
from sqlalchemy import select

from likepion.backlink import counters
from likepion.backlink.models import Account, Group, Site
from likepion.core.db import db
from tests.factories import make_server

# The account fields a task carries so that a worker can log in.
ACCOUNT_CREDENTIALS = {"email", "username", "password", "pass_mail", "twofa", "app_password"}


@pytest.fixture
def server(app):
    return make_server(app, "server-01")


@pytest.fixture
def other_server(app):
    return make_server(app, "server-02")


def add_sites(app, service_type, names, role="primary"):
    with app.app_context():
        for name in names:
            db.session.add(Site(service_type=service_type, name=name, role=role))
        db.session.commit()
        return {s.name: s.id for s in db.session.scalars(select(Site))}


@pytest.fixture
def entity_sites(app):
    return add_sites(app, "entity", ["about.me", "gravatar.com"])


@dataclass
class PodcastSetup:
    group_id: str
    primary_account: str
    secondary_accounts: dict  # website -> account id


def make_podcast_group(app, owner, secondary=("anchor.fm", "spotify.com", "pocketcasts.com")):
    """A podcast group: one primary-site account (podbean.com) and secondary-site accounts."""
    add_sites(app, "podcast", ["podbean.com"], role="primary")
    add_sites(app, "podcast", list(secondary), role="secondary")
    with app.app_context():
        sites = {s.name: s.id for s in db.session.scalars(select(Site))}
        group = Group(user_id=owner.id, name="Podcast group", service_type="podcast")
        db.session.add(group)
        db.session.flush()
        ids = {}
        for website in ("podbean.com", *secondary):
            account = Account(
                group_id=group.id,
                user_id=owner.id,
                service_type="podcast",
                site_id=sites[website],
                website=website,
                identity=f"user@{website}",
                email=f"user@{website}",
                username=f"user-{website}",
                password="realPwd!",
                pass_mail="pm",
                twofa="JBSWY3DPEHPK3PXP",
                app_password="ap",
                cookies="session=abc123",
            )
            db.session.add(account)
            db.session.flush()
            ids[website] = str(account.id)
        counters.recount(Group, [group.id])  # as the services keep it
        db.session.commit()
        return PodcastSetup(
            str(group.id),
            ids.pop("podbean.com"),
            ids,
        )


def start_request(client, headers, service_type="entity", **body):
    """Create and start a request through the backlink API; its id."""
    payload = {"name": "Campaign", "auction_price": 10, "target": 4} | body
    created = client.post(f"/api/v1/backlink/{service_type}", json=payload, headers=headers)
    assert created.status_code == 201, created.json
    request_id = created.json["data"]["id"]
    started = client.post(f"/api/v1/backlink/{service_type}/{request_id}/start", headers=headers)
    assert started.status_code == 200, started.json
    return request_id
