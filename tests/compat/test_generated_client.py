"""A Python client generated from GET /openapi.json (openapi-python-client, offline) drives each
API family against the app served on 127.0.0.1: what a client author gets from the document."""

import importlib
import json
import subprocess
import sys
import uuid

import pytest
from sqlalchemy import select

from likepion.auth.models import User
from likepion.backlink.models import Group, Link
from likepion.core.db import db
from likepion.shortener.models import ShortUrl
from tests.factories import (
    make_account,
    make_group,
    make_request,
    make_server,
    make_site,
    make_user,
)

PACKAGE = "likepion_client"


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """The client package generated from the app's own document, imported."""
    from tests.conftest import build_app

    root = tmp_path_factory.mktemp("generated")
    document = build_app("sqlite://").test_client().get("/openapi.json").get_json()
    (root / "openapi.json").write_text(json.dumps(document))
    (root / "config.yaml").write_text("post_hooks: []\n")  # no formatter run on the output
    command = [sys.executable, "-m", "openapi_python_client", "generate", "--meta", "none",
               "--path", str(root / "openapi.json"), "--config", str(root / "config.yaml"),
               "--output-path", str(root / PACKAGE)]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(root))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def api(name: str):
    return importlib.import_module(f"{PACKAGE}.api.{name}")


def models():
    return importlib.import_module(f"{PACKAGE}.models")


def test_auth_and_backlink_through_the_generated_client(generated, live):
    m = models()
    anonymous = generated.Client(base_url=live.base)
    registered = api("auth.post_api_v1_auth_register").sync_detailed(
        client=anonymous,
        body=m.RegistrationCreate(
            email="gen@example.com", username="generated", password="Secret-pass-1"
        ),
    )
    assert registered.status_code == 201
    assert registered.parsed.data.email == "gen@example.com"

    login = api("auth.post_api_v1_auth_login").sync_detailed(
        client=anonymous, body=m.LoginCreate(login="generated", password="Secret-pass-1")
    )
    assert login.status_code == 200 and login.parsed.success is True
    client = generated.AuthenticatedClient(base_url=live.base, token=login.parsed.data.access_token)

    created = api("backlink.post_api_v1_backlink_groups").sync_detailed(
        client=client,
        body=m.GroupCreate(name="Generated group", service_type=m.GroupCreateServiceType.ENTITY),
    )
    assert created.status_code == 201, created.content

    refused = api("auth.post_api_v1_auth_login").sync_detailed(
        client=anonymous, body=m.LoginCreate(login="generated", password="wrong")
    )
    assert refused.status_code == 401
    assert isinstance(refused.parsed, m.ErrorRead) and refused.parsed.success is False

    with live.app.app_context():
        user = db.session.scalar(select(User).where(User.username == "generated"))
        assert user.email == "gen@example.com"
        groups = db.session.scalars(select(Group).where(Group.user_id == user.id)).all()
        assert [(g.name, g.service_type) for g in groups] == [("Generated group", "entity")]


def test_worker_pull_report_and_insert_through_the_generated_client(generated, live):
    m = models()
    owner = make_user(live.app, credits=1000)
    make_site(live.app, service_type="entity", name="gen-site.example")
    group = make_group(live.app, owner, service_type="entity")
    make_account(live.app, group, website="gen-site.example", username="gen")
    campaign = make_request(
        live.app, owner, service_type="entity", links=("queued",), group_id=group
    )
    key = make_server(live.app, "generated-worker").headers["X-API-Key"]
    worker = generated.AuthenticatedClient(
        base_url=live.base, token=key, prefix="", auth_header_name="X-API-Key"
    )

    pulled = api("worker.get_api_v1_service_type_links").sync_detailed(
        m.GetApiV1ServiceTypeLinksServiceType.ENTITY,
        client=worker,
        type_=m.GetApiV1ServiceTypeLinksType.PRIMARY,
    )
    assert pulled.status_code == 200, pulled.content
    [task] = pulled.parsed.data
    assert isinstance(task, m.PrimaryTask)
    assert task.id == str(campaign.link_ids[0]) and task.kind == "primary"
    assert set(pulled.parsed.requests.additional_properties) == {str(campaign.id)}

    reported = api("worker.post_api_v1_service_type_links_report").sync_detailed(
        m.PostApiV1ServiceTypeLinksReportServiceType.ENTITY,
        client=worker,
        body=m.ReportIn(
            items=[
                m.ReportItem(
                    id=uuid.UUID(task.id),
                    status=m.ReportItemStatus.COMPLETED,
                    link_post="https://gen-site.example/post/1",
                )
            ]
        ),
    )
    assert reported.status_code == 200, reported.content
    assert (reported.parsed.updated, reported.parsed.failed) == (1, 0)

    inserted = api("worker.post_api_v1_service_type_links_insert").sync_detailed(
        m.PostApiV1ServiceTypeLinksInsertServiceType.ENTITY,
        client=worker,
        body=[
            m.InsertItem(
                request_id=campaign.id,
                domain="gen-site.example",
                link_post="https://gen-site.example/a, https://gen-site.example/b",
            )
        ],
    )
    assert inserted.status_code == 200, inserted.content
    assert (inserted.parsed.inserted, inserted.parsed.failed) == (2, 0), inserted.content

    with live.app.app_context():
        links = db.session.scalars(select(Link).where(Link.request_id == campaign.id)).all()
        posts = sorted((link.status, link.link_post) for link in links)
    assert posts == [
        ("completed", "https://gen-site.example/a"),
        ("completed", "https://gen-site.example/b"),
        ("completed", "https://gen-site.example/post/1"),
    ]


def test_shortener_through_the_generated_client(generated, live):
    m = models()
    client = generated.AuthenticatedClient(base_url=live.base, token=live.user.api_key)

    created = api("shortener.post_api_url_add").sync_detailed(
        client=client, body=m.UrlCreate(url="https://example.com/page", custom="generated")
    )
    assert created.status_code == 200, created.content
    assert created.parsed.error == 0
    assert created.parsed.shorturl == f"{live.base}/generated"

    fetched = api("shortener.get_api_url_link_id").sync_detailed(created.parsed.id, client=client)
    assert fetched.status_code == 200, fetched.content
    assert fetched.parsed.details.longurl == "https://example.com/page"

    listed = api("shortener.get_api_urls").sync_detailed(client=client, short="generated")
    assert listed.status_code == 200, listed.content
    assert [url.id for url in listed.parsed.data.urls] == [created.parsed.id]

    invalid = api("shortener.post_api_url_add").sync_detailed(
        client=client, body=m.UrlCreate(url="javascript:alert(1)")
    )
    assert invalid.status_code == 400  # documented as 400 with the family's error body
    assert isinstance(invalid.parsed, m.ShortenerErrorRead) and invalid.parsed.error == 1

    with live.app.app_context():
        rows = db.session.scalars(select(ShortUrl).where(ShortUrl.user_id == live.user.id)).all()
        assert [(r.id, r.alias, r.url) for r in rows] == [
            (created.parsed.id, "generated", "https://example.com/page")
        ]
