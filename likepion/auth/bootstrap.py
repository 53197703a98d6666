"""First run on a fresh machine: the first admin user (`flask bootstrap`)."""

import secrets
from dataclasses import dataclass

from sqlalchemy import select

from likepion.auth import services as auth_services
from likepion.auth.models import User
from likepion.core.db import db

ADMIN_EMAIL = "admin@example.com"
ADMIN_USERNAME = "admin"


@dataclass(frozen=True)
class NewAdmin:
    user: User
    password: str


def existing_admin() -> User | None:
    """The oldest admin user, if any."""
    return db.session.scalar(select(User).where(User.is_admin.is_(True)).order_by(User.id))


def ensure_admin(*, email: str = ADMIN_EMAIL, username: str = ADMIN_USERNAME) -> NewAdmin | None:
    """Create an admin with a random password unless one exists (then None)."""
    if existing_admin() is not None:
        return None
    password = random_password()
    user = auth_services.create_user(
        email=email, username=username, password=password, is_admin=True
    )
    return NewAdmin(user, password)


def random_password() -> str:
    """A 16-character password with 96 bits of entropy."""
    return secrets.token_urlsafe(12)
