"""Users: registration, login, API keys. Each public function is one unit of work."""

import uuid
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError

from likepion.auth import passwords
from likepion.auth.models import SsoToken, User
from likepion.core.crypto import key_hash, new_key
from likepion.core.db import db
from likepion.core.errors import Conflict, Forbidden, NotFound, Unauthorized, ValidationFailed
from likepion.core.time import utcnow

# Users an admin has not deleted: the only ones who can sign in, use a key or be looked up.
LIVE_USERS = select(User).where(User.deleted_at.is_(None))


def live_user(user_id: int) -> User | None:
    return db.session.scalar(LIVE_USERS.where(User.id == user_id))


def register_user(*, email: str, username: str, password: str) -> User:
    """Public sign-up (can be turned off with REGISTRATION_ENABLED)."""
    if not current_app.config["REGISTRATION_ENABLED"]:
        raise Forbidden("Registration is closed.", code="registration_closed")
    return create_user(email=email, username=username, password=password)


def create_user(
    *,
    email: str,
    username: str,
    password: str,
    is_admin: bool = False,
    plan_id: int | None = None,
    plan_expires: datetime | None = None,
) -> User:
    """A new user with a fresh API key, on `plan_id` or else (NULL) the free plan."""
    email, username = email.strip().lower(), username.strip().lower()
    _ensure_available(email=email, username=username)
    user = User(
        email=email,
        username=username,
        password_hash=passwords.hash_password(password),
        is_admin=is_admin,
        plan_id=plan_id,
        plan_expires=plan_expires,
    )
    _set_api_key(user)
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError as exc:  # lost a race with a concurrent registration
        db.session.rollback()
        raise Conflict("Email or username is already taken.") from exc
    return user


def authenticate(*, login: str, password: str) -> User:
    """The user whose email or username is `login` and whose password matches."""
    login = login.strip().lower()
    user = db.session.scalar(LIVE_USERS.where(or_(User.email == login, User.username == login)))
    if user is None:
        passwords.burn_time(password)
        raise Unauthorized("Invalid login or password.", code="invalid_credentials")
    if not passwords.verify_password(user.password_hash, password):
        raise Unauthorized("Invalid login or password.", code="invalid_credentials")
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
        db.session.commit()
    return user


def get_user(user_uuid: str) -> User | None:
    try:
        parsed = uuid.UUID(str(user_uuid))
    except ValueError:
        return None
    return db.session.scalar(LIVE_USERS.where(User.uuid == parsed))


def user_by_api_key(api_key: str) -> User | None:
    return db.session.scalar(LIVE_USERS.where(User.api_key_hash == key_hash(api_key)))


def rotate_api_key(user: User) -> str:
    """Replace the user's API key; the old one and every JWT issued so far stop working."""
    key = _set_api_key(user)
    _revoke_tokens(user)
    db.session.commit()
    return key


def user_by_email(email: str) -> User:
    """The user (not deleted) with this email; NotFound otherwise (for the CLI)."""
    user = db.session.scalar(LIVE_USERS.where(User.email == email.strip().lower()))
    if user is None:
        raise NotFound(f"No user with email {email.strip()}.")
    return user


def set_password(user: User, password: str) -> None:
    """An operator's reset (`flask users set-password`): like a password change, every JWT
    issued before stops working."""
    user.password_hash = passwords.hash_password(password)
    _revoke_tokens(user)
    db.session.commit()


def token_claims(user: User) -> dict:
    """What a JWT of `user` carries besides its identity; checked by auth.guards."""
    return {"ver": user.token_version}


def tokens_revoked(user: User, claims: dict) -> bool:
    """True for a JWT issued before the user's last password change or key rotation (tokens
    from before token versions carry none: version 0)."""
    return claims.get("ver", 0) != user.token_version


def update_account(
    user: User,
    *,
    email: str | None = None,
    password: str | None = None,
    current_password: str | None = None,
) -> User:
    """Change the email and/or password (shortener `PUT /api/account/update`). A new password
    needs the current one, and revokes every JWT issued before."""
    if password is not None:
        if not current_password or not passwords.verify_password(
            user.password_hash, current_password
        ):
            raise ValidationFailed.on_field(
                "current_password", "The current password is needed to set a new one."
            )
        user.password_hash = passwords.hash_password(password)
        _revoke_tokens(user)
    if email is not None and email.strip().lower() != user.email:
        email = email.strip().lower()
        _ensure_available(email=email)
        user.email = email
    try:
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise Conflict("Email is already taken.") from exc
    return user


def create_sso_token(user: User) -> str:
    """A one-time login token for `user`, valid for SSO_TOKEN_MINUTES (stored hashed)."""
    token = new_key()
    minutes = current_app.config["SSO_TOKEN_MINUTES"]
    db.session.add(
        SsoToken(
            user_id=user.id,
            token_hash=key_hash(token),
            expires_at=utcnow() + timedelta(minutes=minutes),
        )
    )
    db.session.commit()
    return token


def sso_login(token: str) -> User:
    """The user of an unused, unexpired SSO token, spending it (one conditional UPDATE, so two
    concurrent uses cannot both succeed)."""
    now = utcnow()
    user_id = db.session.scalar(
        update(SsoToken)
        .where(
            SsoToken.token_hash == key_hash(token),
            SsoToken.used_at.is_(None),
            SsoToken.expires_at > now,
        )
        .values(used_at=now)
        .returning(SsoToken.user_id)
    )
    user = live_user(user_id) if user_id else None
    if user is None:
        db.session.rollback()
        raise NotFound("This login link is invalid, used or expired.")
    db.session.commit()
    return user


def _ensure_available(*, email: str, username: str | None = None) -> None:
    taken = db.session.scalar(
        select(func.count())
        .select_from(User)
        .where(or_(User.email == email, User.username == username))
    )
    if taken:
        raise Conflict("Email or username is already taken.")


def _revoke_tokens(user: User) -> None:
    # Computed by the database, so two concurrent changes both count.
    user.token_version = User.token_version + 1


def _set_api_key(user: User) -> str:
    key = new_key()
    user.api_key_hash = key_hash(key)
    user.api_key_encrypted = key
    return key
