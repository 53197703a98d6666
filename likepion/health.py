"""`GET /healthz`: the app is up and its database answers. `GET /readyz`: the database and
(when the limits are kept there) Redis answer, for load balancers."""

import logging

from flask import current_app
from flask_smorest import Blueprint
from marshmallow import Schema, fields
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from likepion.core.db import db

bp = Blueprint("health", __name__, description="Liveness and database check")
log = logging.getLogger(__name__)


class HealthRead(Schema):
    status = fields.String()
    database = fields.String()


@bp.get("/healthz", tags=["public"])
@bp.response(200, HealthRead)
@bp.alt_response(503, schema=HealthRead, description="The database does not answer")
def healthz():
    """Liveness and database check.

    200 with `database: ok` when a `SELECT 1` answers, else 503 with `database: unreachable`."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        log.exception("health check: database unreachable")
        db.session.rollback()
        return {"status": "error", "database": "unreachable"}, 503
    return {"status": "ok", "database": "ok"}


class ReadyRead(Schema):
    status = fields.String()
    database = fields.String()
    redis = fields.String(metadata={"description": "Only when the rate limits live in Redis"})
    failing = fields.List(fields.String())


@bp.get("/readyz", tags=["public"])
@bp.response(200, ReadyRead)
@bp.alt_response(503, schema=ReadyRead, description="A dependency does not answer; `failing`")
def readyz():
    """Readiness for load balancers.

    Checks the database and, when the rate limits live there, Redis; 503 lists what is `failing`."""
    parts = {"database": _database_answers()}
    if current_app.config["RATELIMIT_STORAGE_URI"].startswith(("redis", "rediss")):
        parts["redis"] = _redis_answers()
    failing = [name for name, ok in parts.items() if not ok]
    body = {name: "ok" if ok else "unreachable" for name, ok in parts.items()}
    body |= {"status": "error" if failing else "ok", "failing": failing}
    return body, 503 if failing else 200


def _database_answers() -> bool:
    try:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError:
        log.warning("readiness: database unreachable")
        return False
    return True


def _redis_answers() -> bool:
    try:
        if current_app.extensions["likepion_limiter"].storage.check():
            return True
    except Exception:  # noqa: BLE001 - any failure of the client means not ready
        pass
    log.warning("readiness: redis unreachable")
    return False
