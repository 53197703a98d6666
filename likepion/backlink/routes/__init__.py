"""Importing this package registers every backlink route on `bp`."""

from likepion.backlink.blueprint import bp
from likepion.backlink.routes import accounts, campaigns, groups, links, sites, stats

__all__ = ["accounts", "bp", "campaigns", "groups", "links", "sites", "stats"]
