"""Importing this package registers every shortener route on `bp`."""

from likepion.shortener.blueprint import bp
from likepion.shortener.routes import (
    account,
    admin,
    analytics,
    campaigns,
    channels,
    domains,
    pixels,
    qr,
    splash_overlays,
    urls,
)

__all__ = [
    "account",
    "admin",
    "analytics",
    "bp",
    "campaigns",
    "channels",
    "domains",
    "pixels",
    "qr",
    "splash_overlays",
    "urls",
]
