"""Alembic environment, run by `flask --app wsgi db ...` inside the app (Flask-Migrate).

Logging is left to the app (JSON lines on stdout), so alembic.ini has no logging sections.
Autogenerate compares column types and renders batch operations, so a later ALTER also runs on
SQLite (on PostgreSQL a batch is plain ALTER statements).
"""

import logging
from contextlib import contextmanager

from alembic import context
from flask import current_app
from sqlalchemy import Column
from sqlalchemy.types import TypeDecorator

config = context.config
logger = logging.getLogger("alembic.env")
target_db = current_app.extensions["migrate"].db


def get_engine():
    return target_db.engine


def get_metadata():
    return target_db.metadata


def render_item(type_, obj, autogen_context):
    """Render our TypeDecorators (e.g. Encrypted) as the column type they store, so migrations
    do not import app code that may change or move later."""
    if type_ == "type" and isinstance(obj, TypeDecorator):
        impl = obj.impl_instance
        if type(impl).__module__ == "sqlalchemy.sql.sqltypes":
            return f"sa.{impl!r}"
    return False


def include_object(obj, name, type_, reflected, compare_to):
    """Skip comparing an expression index (`text("priority DESC")`) that exists on both sides
    on SQLite: SQLite reflects it as plain columns, so it would always look changed. PostgreSQL
    reflects and compares it. (Autogenerate against SQLite also leaves new expression indexes
    out, with a warning: generate against PostgreSQL, or add them by hand.)"""
    if type_ == "index" and compare_to is not None and get_engine().dialect.name == "sqlite":
        model_index = compare_to if reflected else obj
        if any(not isinstance(e, Column) for e in model_index.expressions):
            return False
    return True


def run_migrations_offline():
    """Emit SQL for the database URL instead of running it (`flask db upgrade --sql`)."""
    url = get_engine().url.render_as_string(hide_password=False)
    context.configure(
        url=url,
        target_metadata=get_metadata(),
        literal_binds=True,
        compare_type=True,
        render_as_batch=True,
        render_item=render_item,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    def process_revision_directives(context, revision, directives):
        # `flask db migrate` with no model change writes no empty revision.
        if getattr(config.cmd_opts, "autogenerate", False):
            script = directives[0]
            if script.upgrade_ops.is_empty():
                directives[:] = []
                logger.info("No changes in schema detected.")

    conf_args = dict(current_app.extensions["migrate"].configure_args)
    conf_args.setdefault("process_revision_directives", process_revision_directives)
    conf_args.setdefault("render_item", render_item)
    conf_args.setdefault("include_object", include_object)
    conf_args["compare_type"] = True
    conf_args["render_as_batch"] = True

    with get_engine().connect() as connection, sqlite_foreign_keys_off(connection):
        context.configure(connection=connection, target_metadata=get_metadata(), **conf_args)
        with context.begin_transaction():
            context.run_migrations()


@contextmanager
def sqlite_foreign_keys_off(connection):
    """Batch mode rebuilds a SQLite table by dropping it: with foreign keys on, the drop would
    cascade into the tables that reference it. The pragma is a no-op inside a transaction, so it
    is set on the driver's connection before Alembic begins one, and set back afterwards."""
    if connection.dialect.name != "sqlite":
        yield
        return
    raw = connection.connection.driver_connection
    raw.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        raw.execute("PRAGMA foreign_keys=ON")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
