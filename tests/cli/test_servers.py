import hashlib
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from likepion.auth.models import Server
from likepion.core.db import db
from likepion.core.time import iso_z
from tests.cli import assert_fails
from tests.helpers import count_rows


def test_create_server_prints_the_key_once_and_stores_only_its_hash(app, runner):
    result = runner.invoke(args=["servers", "create", "worker-01"])

    assert result.exit_code == 0, result.output
    key = re.search(r"^API key \(shown once.*\): (\S+)$", result.output, re.M).group(1)
    assert len(key) >= 43
    with app.app_context():
        server = db.session.scalar(select(Server))
        assert server.name == "worker-01"
        assert server.active is True
        assert server.last_seen_at is None
        assert server.key_hash == hashlib.sha256(key.encode()).hexdigest()
        assert key not in {str(v) for v in vars(server).values()}
    assert f"Created server worker-01 (id {server.id})." in result.output


def test_each_server_gets_its_own_key(app, runner):
    outputs = [runner.invoke(args=["servers", "create", name]).output for name in ("a1", "b2")]

    keys = {re.search(r"API key .*: (\S+)", output).group(1) for output in outputs}
    assert len(keys) == 2
    assert count_rows(app, Server) == 2


def test_create_server_duplicate_name(app, runner):
    runner.invoke(args=["servers", "create", "worker-01"])

    result = runner.invoke(args=["servers", "create", "worker-01"])

    assert_fails(result, "A server named worker-01 already exists.")
    assert result.exit_code == 1
    assert count_rows(app, Server) == 1


@pytest.mark.parametrize("name", ["", "   ", "bad name", "x" * 65, ".dot-first", "a/b"])
def test_create_server_bad_name(app, runner, name):
    result = runner.invoke(args=["servers", "create", name])

    assert_fails(result, "Invalid server name")
    assert count_rows(app, Server) == 0


def test_list_servers_shows_name_id_active_last_seen_and_never_the_key(app, runner):
    created = runner.invoke(args=["servers", "create", "beta"]).output
    runner.invoke(args=["servers", "create", "alpha"])
    key = re.search(r"API key .*: (\S+)", created).group(1)
    with app.app_context():
        beta = db.session.scalar(select(Server).where(Server.name == "beta"))
        beta.last_seen_at = datetime(2025, 6, 1, 12, 30, tzinfo=UTC)
        beta.active = False
        db.session.commit()
        beta_id, beta_hash = str(beta.id), beta.key_hash

    result = runner.invoke(args=["servers", "list"])

    assert result.exit_code == 0, result.output
    header, first, second = result.output.splitlines()
    assert header.split() == ["name", "id", "active", "last_seen_at"]
    assert first.split()[0] == "alpha" and first.split()[2:] == ["yes", "never"]
    assert second.split() == ["beta", beta_id, "no", "2025-06-01T12:30:00Z"]
    assert key not in result.output and beta_hash not in result.output


def test_list_servers_empty(runner):
    result = runner.invoke(args=["servers", "list"])

    assert result.exit_code == 0
    assert result.output == "No servers.\n"


# --- recovery (issue 15, item 3): revoke and rotate ----------------------------------------------
def created_key(runner, name) -> str:
    output = runner.invoke(args=["servers", "create", name]).output
    return re.search(r"^API key \(shown once.*\): (\S+)$", output, re.M).group(1)


def pull(client, key) -> int:
    return client.get("/api/v1/entity/links", headers={"X-API-Key": key}).status_code


def server_row(app, name) -> Server:
    with app.app_context():
        server = db.session.scalar(select(Server).where(Server.name == name))
        db.session.expunge(server)
        return server


def test_revoke_server_stops_its_key_at_once(app, client, runner):
    key = created_key(runner, "worker-01")
    other = created_key(runner, "worker-02")
    assert pull(client, key) == 200

    result = runner.invoke(args=["servers", "revoke", "worker-01"])

    assert result.exit_code == 0, result.output
    assert result.output == "Revoked server worker-01: its key no longer authenticates.\n"
    assert server_row(app, "worker-01").active is False
    assert pull(client, key) == 401
    assert pull(client, other) == 200
    listed = runner.invoke(args=["servers", "list"]).output.splitlines()
    assert listed[1].split()[0::2] == ["worker-01", "no"]


def test_rotate_server_prints_a_new_key_once_and_the_old_one_stops(app, client, runner):
    old = created_key(runner, "worker-01")
    old_hash = server_row(app, "worker-01").key_hash

    result = runner.invoke(args=["servers", "rotate", "worker-01"])

    assert result.exit_code == 0, result.output
    new = re.search(
        r"^API key \(shown once; only its hash is stored\): (\S+)$", result.output, re.M
    )
    new = new.group(1)
    assert result.output.count(new) == 1 and new != old
    row = server_row(app, "worker-01")
    assert row.key_hash == hashlib.sha256(new.encode()).hexdigest() != old_hash
    assert pull(client, old) == 401
    assert pull(client, new) == 200


def test_rotate_brings_a_revoked_server_back_with_the_new_key_only(app, client, runner):
    old = created_key(runner, "worker-01")
    runner.invoke(args=["servers", "revoke", "worker-01"])

    result = runner.invoke(args=["servers", "rotate", "worker-01"])

    new = re.search(r"API key .*: (\S+)", result.output).group(1)
    assert server_row(app, "worker-01").active is True
    assert (pull(client, old), pull(client, new)) == (401, 200)


@pytest.mark.parametrize("command", ["revoke", "rotate"])
def test_revoke_or_rotate_an_unknown_server(app, runner, command):
    created_key(runner, "worker-01")
    before = server_row(app, "worker-01")

    result = runner.invoke(args=["servers", command, "worker-99"])

    assert_fails(result, "No server named worker-99.")
    after = server_row(app, "worker-01")
    assert (after.active, after.key_hash) == (before.active, before.key_hash)


def test_list_servers_shows_when_a_server_was_last_seen(app, client, runner):
    key = created_key(runner, "worker-01")
    pull(client, key)

    listed = runner.invoke(args=["servers", "list"]).output.splitlines()

    seen = server_row(app, "worker-01").last_seen_at
    assert seen is not None
    assert listed[1].split()[2:] == ["yes", iso_z(seen)]
