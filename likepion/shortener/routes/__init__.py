"""Importing this package registers every shortener route on `bp`."""

from likepion.shortener.blueprint import bp
from likepion.shortener.routes import (
    account,
    admin,
    campaigns,
    channels,
    domains,
    pages,
    pixels,
    qr,
    urls,
)

__all__ = [
    "account",
    "admin",
    "bp",
    "campaigns",
    "channels",
    "domains",
    "pages",
    "pixels",
    "qr",
    "urls",
]
