"""Every model, imported once so `db.metadata` (create_all, migrations) always has all tables."""

from likepion.auth.models import User
from likepion.backlink.models import Account, Group, Link, Request, Site
from likepion.core.idempotency import IdempotencyKey
from likepion.credits.models import LedgerEntry
from likepion.shortener.models import Plan
from likepion.worker.models import Server

__all__ = [
    "Account",
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
