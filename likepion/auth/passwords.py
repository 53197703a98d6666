"""Argon2id password hashing; the cost profile comes from PASSWORD_HASH_PROFILE."""

from functools import cache

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app


@cache
def _hasher(profile: str) -> PasswordHasher:
    return PasswordHasher.from_parameters(getattr(profiles, profile))


def hasher() -> PasswordHasher:
    return _hasher(current_app.config["PASSWORD_HASH_PROFILE"])


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return hasher().check_needs_rehash(password_hash)


@cache
def _dummy_hash(profile: str) -> str:
    return _hasher(profile).hash("not-a-real-password")


def burn_time(password: str) -> None:
    """Verify against a dummy hash so an unknown login costs as long as a wrong password."""
    verify_password(_dummy_hash(current_app.config["PASSWORD_HASH_PROFILE"]), password)
