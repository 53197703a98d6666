"""Importing this package registers every backlink route on `bp`."""

from likepion.backlink.blueprint import bp
from likepion.backlink.routes import accounts, groups, links, requests, sites, stats

__all__ = ["accounts", "bp", "groups", "links", "requests", "sites", "stats"]
