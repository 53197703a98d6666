"""Secrets: random keys stored as SHA-256, third-party credentials encrypted with MultiFernet."""

import hashlib
import secrets

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app
from sqlalchemy import Text
from sqlalchemy.types import TypeDecorator


def new_key() -> str:
    """A random API key with 256 bits of entropy."""
    return secrets.token_urlsafe(32)


def key_hash(key: str) -> str:
    """The stored form of an API key: a random 256-bit key needs no slow hash."""
    return hashlib.sha256(key.encode()).hexdigest()


_fernets: dict[str, MultiFernet] = {}


def fernet() -> MultiFernet:
    """MultiFernet over CREDENTIALS_KEY (comma-separated, newest first)."""
    keys = current_app.config["CREDENTIALS_KEY"]
    if keys not in _fernets:
        _fernets[keys] = MultiFernet([Fernet(k.strip()) for k in keys.split(",") if k.strip()])
    return _fernets[keys]


def encrypt(plaintext: str) -> str:
    return fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:  # a key was dropped from CREDENTIALS_KEY too early
        raise RuntimeError("credential cannot be decrypted with CREDENTIALS_KEY") from exc


def rotate(token: str) -> str:
    """Re-encrypt `token` with the newest key."""
    return fernet().rotate(token.encode()).decode()


class Encrypted(TypeDecorator):
    """A string column stored encrypted; None and "" are stored as they are."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return encrypt(value) if value else value

    def process_result_value(self, value, dialect):
        return decrypt(value) if value else value
