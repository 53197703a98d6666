"""`Idempotency-Key` support: a retried request answers the first response and does nothing.

The key row is inserted (and committed) before the work starts, so a concurrent repeat hits the
unique constraint, waits for the first to finish, and replays its stored response. A repeat with
another body is a 422. Keys live 24 hours. Only successful (2xx) answers are kept: a first
attempt that failed leaves no key behind, so the client may fix the cause and retry.
"""

import hashlib
import json
import time
from datetime import datetime, timedelta
from functools import wraps

from flask import Response, make_response, request
from flask_smorest import Blueprint
from sqlalchemy import DateTime, Integer, String, Text, UniqueConstraint, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from likepion.core.db import db
from likepion.core.errors import Conflict, ValidationFailed
from likepion.core.time import as_utc, utcnow

TTL = timedelta(hours=24)
ABANDONED_AFTER = timedelta(seconds=60)
WAIT_SECONDS = 30


class IdempotencyKey(db.Model):
    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("scope", "key", name="uq_idempotency_keys_scope_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope: Mapped[str] = mapped_column(String(80))
    key: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None] = mapped_column(Integer)
    body: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class KeyReused(ValidationFailed):
    code = "idempotency_key_reused"


def idempotent(scope_of):
    """Decorate a view; `scope_of(**view_kwargs)` names the caller (e.g. "user:42")."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            key = request.headers.get("Idempotency-Key", "").strip()
            if not key:
                return view(*args, **kwargs)
            if len(key) > 255:
                raise ValidationFailed("Idempotency-Key is longer than 255 characters.")
            scope = scope_of(**kwargs)
            fingerprint = hashlib.sha256(
                request.method.encode() + request.path.encode() + request.get_data()
            ).hexdigest()
            stored = _reserve(scope, key, fingerprint)
            if stored is not None:
                return stored
            try:
                response = make_response(view(*args, **kwargs))
            except Exception:
                _release_or_keep(scope, key, None)
                raise
            _release_or_keep(scope, key, response)
            return response

        return Blueprint.doc(
            parameters=[
                {
                    "in": "header",
                    "name": "Idempotency-Key",
                    "required": False,
                    "schema": {"type": "string", "maxLength": 255},
                }
            ]
        )(wrapper)

    return decorator


def _reserve(scope: str, key: str, fingerprint: str) -> Response | None:
    """Claim the key for this request; or the stored response of an earlier identical one."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        db.session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < utcnow() - TTL))
        db.session.add(IdempotencyKey(scope=scope, key=key, fingerprint=fingerprint))
        try:
            db.session.commit()
            return None
        except IntegrityError:
            db.session.rollback()
        row = db.session.scalar(
            select(IdempotencyKey).where(IdempotencyKey.scope == scope, IdempotencyKey.key == key)
        )
        if row is None:
            continue  # released between our insert and select: try again
        if row.fingerprint != fingerprint:
            raise KeyReused("This Idempotency-Key was used with a different request body.")
        if row.status_code is not None:
            return _replay(row)
        if as_utc(row.created_at) < utcnow() - ABANDONED_AFTER:
            db.session.delete(row)  # its request died without an answer (gunicorn timed out)
            db.session.commit()
            continue
        if time.monotonic() > deadline:
            raise Conflict(
                "A request with this Idempotency-Key is still in progress; retry later.",
                code="idempotency_in_progress",
            )
        db.session.rollback()
        time.sleep(0.05)


def _release_or_keep(scope: str, key: str, response: Response | None) -> None:
    db.session.rollback()
    row = db.session.scalar(
        select(IdempotencyKey).where(IdempotencyKey.scope == scope, IdempotencyKey.key == key)
    )
    if row is None:
        return
    if response is None or not 200 <= response.status_code < 300:
        db.session.delete(row)
    else:
        row.status_code = response.status_code
        row.body = json.dumps(
            {"body": response.get_data(as_text=True), "mimetype": response.mimetype}
        )
    db.session.commit()


def _replay(row: IdempotencyKey) -> Response:
    stored = json.loads(row.body)
    response = Response(stored["body"], status=row.status_code, mimetype=stored["mimetype"])
    response.headers["Idempotent-Replayed"] = "true"
    return response
