"""The alias cache stays bounded whatever Host headers visitors send: a miss is remembered only
for the service's own host, and an over-long host or alias is not looked up at all."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import pytest

from likepion.auth.models import User
from likepion.core.db import db
from likepion.redirect import resolve
from likepion.shortener import links
from likepion.shortener.plans import seed_plans
from tests.conftest import build_app
from tests.factories import make_user
from tests.helpers import add_link, add_object

PUBLIC_URL = "https://short.example"
BRANDED = "https://go.example.org"
DESTINATION = "https://example.com/landing"


@pytest.fixture
def cache(app):
    """This app's alias cache, served on PUBLIC_URL, never re-checking its version meanwhile."""
    app.config["PUBLIC_URL"] = PUBLIC_URL
    app.config["ALIAS_CACHE_CHECK_SECONDS"] = 3600
    with app.app_context():
        found = resolve.cache()
    found.clear()
    return found


def test_unknown_hosts_do_not_grow_the_cache(app, client, admin, api_key_headers, cache):
    add_link(client, api_key_headers(admin), DESTINATION, custom="promo")
    assert client.get("/promo", base_url=PUBLIC_URL).status_code == 302
    size = len(cache)

    for number in range(300):
        response = client.get("/promo", base_url=f"http://h{number}-{'x' * 50}.unknown.example")
        assert (response.status_code, response.headers["Location"]) == (302, DESTINATION)

    assert len(cache) == size


def test_overlong_host_or_alias_is_a_404_without_a_lookup(
    app, client, admin, api_key_headers, cache, sql_statements
):
    add_link(client, api_key_headers(admin), DESTINATION, custom="promo")
    assert client.get("/promo", base_url=PUBLIC_URL).status_code == 302  # version read, warm
    size = len(cache)
    long_host = ".".join(["a" * 60] * 5)  # 304 characters of valid DNS labels

    statements = sql_statements(
        lambda: [
            client.get("/promo", headers={"Host": long_host}),
            client.get("/" + "a" * 65, base_url=PUBLIC_URL),
        ]
    )
    host_response = client.get("/promo", headers={"Host": long_host})

    assert statements == []
    assert host_response.status_code == 404
    assert client.get("/" + "a" * 65, base_url=PUBLIC_URL).status_code == 404
    assert len(cache) == size


def test_own_host_and_branded_domains_are_still_cached(
    app, client, power_user, api_key_headers, cache, sql_statements
):
    headers = api_key_headers(power_user)
    add_object(client, headers, "domain/add", domain=BRANDED, redirect404=f"{BRANDED}/gone")
    add_link(client, headers, DESTINATION, custom="promo", domain=BRANDED)
    visits = [
        ("/promo", BRANDED, 302),  # a branded domain's link
        ("/missing", BRANDED, 302),  # its redirect404
        ("/missing", PUBLIC_URL, 404),  # a miss on the own host
    ]
    for path, base_url, status in visits:
        assert client.get(path, base_url=base_url).status_code == status

    again = sql_statements(
        lambda: [
            client.get(path, base_url=base_url).status_code == status
            for path, base_url, status in visits
        ]
    )

    lookups = [statement for statement in again if statement.startswith("SELECT")]
    assert lookups == []  # every answer came from the cache (the rest is the click's INSERT)
    assert client.get("/missing", base_url="http://unknown.example").status_code == 404


def test_a_read_between_flush_and_commit_is_dropped_at_commit(tmp_path):
    """Under threaded workers another request of this process can cache the old row after the
    editing request flushed but before it committed; the commit drops it again."""
    app = build_app(f"sqlite:///{tmp_path / 'cache.db'}", ALIAS_CACHE_CHECK_SECONDS=3600)
    user = make_user(app, is_admin=True)
    with app.test_request_context(base_url="http://127.0.0.1"):
        seed_plans()
        link = links.create_link(db.session.get(User, user.id), url=DESTINATION, custom="promo")
        db.session.commit()
        assert resolve.cache().target(0, "promo").url == DESTINATION

        link.url = "https://example.com/new"
        db.session.flush()  # the edit's flush drops the cache...
        assert resolve.cache().target(0, "promo").url == DESTINATION  # ...a read refills it
        db.session.commit()

        assert resolve.cache().target(0, "promo").url == "https://example.com/new"
        db.session.remove()
        db.engine.dispose()


def test_one_thread_rereads_the_version_while_the_others_use_the_cache(
    app, client, admin, api_key_headers, cache, monkeypatch
):
    """Under load every thread found the version due at once and each read it, taking a pool
    connection (a new one past the pool's size): one read is enough."""
    clock = SimpleNamespace(now=1_000_000.0)
    monkeypatch.setattr(resolve, "time", SimpleNamespace(monotonic=lambda: clock.now))
    add_link(client, api_key_headers(admin), DESTINATION, custom="promo")
    assert client.get("/promo", base_url=PUBLIC_URL).status_code == 302  # cached, version read
    reads = []
    read_version = resolve._read_version

    def slow_read():
        reads.append(1)
        time.sleep(0.3)  # a read in flight while the other threads arrive
        return read_version()

    monkeypatch.setattr(resolve, "_read_version", slow_read)
    clock.now += app.config["ALIAS_CACHE_CHECK_SECONDS"]  # the version is due again
    start = threading.Barrier(8)

    def visit():
        start.wait()
        return client.get("/promo", base_url=PUBLIC_URL).headers["Location"]

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: visit(), range(8)))

    assert answers == [DESTINATION] * 8
    assert len(reads) == 1
