"""Public ids are never handed out twice (issue 12): after the newest link or QR code is deleted,
the next one gets a new id, on SQLite (AUTOINCREMENT, also on a database migrated from before)
and on PostgreSQL (identity sequences)."""

import sqlite3

import pytest
from flask_migrate import upgrade

from likepion import create_app
from likepion.core.db import db
from likepion.shortener.plans import seed_plans
from tests.factories import make_user

PUBLIC_ID_TABLES = {
    "users", "plans", "domains", "campaigns", "splashes", "overlays", "pixels", "short_urls",
    "qr_codes", "channels",
}  # fmt: skip
QR_BODY = {"type": "text", "data": "hello", "name": "Q"}


def _delete_newest_then_create(client, headers, add_path, body, delete_path) -> tuple[int, int]:
    first = client.post(add_path, json=body, headers=headers)
    newest = client.post(add_path, json=body, headers=headers)
    assert first.status_code == newest.status_code == 200, newest.json
    deleted = client.delete(delete_path.format(newest.json["id"]), headers=headers)
    assert deleted.status_code == 200
    again = client.post(add_path, json=body, headers=headers)
    assert again.status_code == 200
    return newest.json["id"], again.json["id"]


def _assert_ids_never_reused(app, user):
    client = app.test_client()
    headers = {"Authorization": f"Bearer {user.api_key}"}
    for add_path, body, delete_path in (
        ("/api/url/add", {"url": "https://example.com/"}, "/api/url/{}/delete"),
        ("/api/qr/add", QR_BODY, "/api/qr/{}/delete"),
    ):
        deleted_id, new_id = _delete_newest_then_create(
            client, headers, add_path, body, delete_path
        )
        assert new_id > deleted_id, add_path
        gone = client.get(f"{delete_path.rsplit('/', 2)[0]}/{deleted_id}", headers=headers)
        assert gone.status_code == 404


def test_deleted_newest_link_and_qr_ids_are_not_reused(app, user):
    _assert_ids_never_reused(app, user)


@pytest.mark.pg
def test_deleted_newest_link_and_qr_ids_are_not_reused_on_postgresql(pg_app):
    with pg_app.app_context():
        seed_plans()
    _assert_ids_never_reused(pg_app, make_user(pg_app))


def test_models_create_every_public_id_table_with_autoincrement(tmp_path):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'models.db'}")
    with app.app_context():
        db.create_all()
        db.engine.dispose()

    assert _autoincrement_tables(tmp_path / "models.db") == PUBLIC_ID_TABLES


def test_migration_rebuilds_tables_with_autoincrement_and_keeps_rows(tmp_path):
    path = tmp_path / "migrated.db"
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}")
    with app.app_context():
        upgrade(revision="58f2fe76bd5b")
        _insert_user_link_and_click(path)
        upgrade()
        with db.engine.connect() as conn:  # the migration's pooled connection, checked again
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        db.engine.dispose()

    assert _autoincrement_tables(path) == PUBLIC_ID_TABLES
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT id, user_id, alias FROM short_urls").fetchall() == [
            (7, 3, "kept")
        ]
        assert conn.execute("SELECT short_url_id FROM clicks").fetchall() == [(7,)]
        assert conn.execute("SELECT status, meta_image FROM short_urls").fetchall() == [
            ("public", None)
        ]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


def _insert_user_link_and_click(path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute(
            "INSERT INTO users (id, uuid, email, username, password_hash, api_key_hash, "
            "api_key_encrypted, is_admin, credits, created_at, updated_at) VALUES "
            "(3, 'u', 'e@example.com', 'e', 'h', 'k', 'x', 0, 5, '2026-01-01', '2026-01-01')"
        )
        conn.execute(
            "INSERT INTO short_urls (id, user_id, domain_key, alias, url, type, created_at, "
            "updated_at) VALUES (7, 3, 0, 'kept', 'https://example.com', 'direct', "
            "'2026-01-01', '2026-01-01')"
        )
        conn.execute("INSERT INTO clicks (short_url_id, created_at) VALUES (7, '2026-01-01')")


def _autoincrement_tables(path) -> set[str]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'").fetchall()
    return {name for name, sql in rows if "AUTOINCREMENT" in sql}
