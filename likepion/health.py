"""`GET /healthz`: the app is up and its database answers."""

import logging

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


@bp.get("/healthz")
@bp.response(200, HealthRead)
@bp.alt_response(503, schema=HealthRead, description="The database does not answer")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        log.exception("health check: database unreachable")
        db.session.rollback()
        return {"status": "error", "database": "unreachable"}, 503
    return {"status": "ok", "database": "ok"}
