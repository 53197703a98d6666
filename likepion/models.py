"""Every model, imported once so `db.metadata` (create_all, migrations) always has all tables."""

from likepion.auth.models import Server, SsoToken, User
from likepion.backlink.models import Account, Group, Link, Request, Site
from likepion.core.idempotency import IdempotencyKey
from likepion.credits.models import LedgerEntry
from likepion.shortener.models import (
    AliasCacheVersion,
    Campaign,
    Channel,
    ChannelItem,
    Click,
    Domain,
    Overlay,
    Pixel,
    Plan,
    QrCode,
    ShortUrl,
    Splash,
)

__all__ = [
    "Account",
    "AliasCacheVersion",
    "Campaign",
    "Channel",
    "ChannelItem",
    "Click",
    "Domain",
    "Overlay",
    "Pixel",
    "QrCode",
    "ShortUrl",
    "Splash",
    "SsoToken",
    "Group",
    "IdempotencyKey",
    "LedgerEntry",
    "Link",
    "Plan",
    "Request",
    "Server",
    "Site",
    "User",
]
