"""Plain factory functions. They commit and return detached snapshots that outlive the session."""

from dataclasses import dataclass
from uuid import UUID

from likepion.auth import services as auth_services
from likepion.core.db import db
from likepion.credits import ledger

DEFAULT_PASSWORD = "correct horse battery"


@dataclass(frozen=True)
class UserInfo:
    id: int
    uuid: UUID
    email: str
    username: str
    api_key: str
    password: str


_counter = iter(range(1, 10**9))


def make_user(
    app, *, email=None, username=None, password=DEFAULT_PASSWORD, credits=0, is_admin=False
) -> UserInfo:
    n = next(_counter)
    with app.app_context():
        user = auth_services.create_user(
            email=email or f"user{n}@example.com",
            username=username or f"user{n}",
            password=password,
            is_admin=is_admin,
        )
        if credits:
            ledger.top_up(user.id, credits, reason="test.top_up")
            db.session.commit()
        return UserInfo(user.id, user.uuid, user.email, user.username, user.api_key, password)
