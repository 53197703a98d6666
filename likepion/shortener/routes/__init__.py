"""Importing this package registers every shortener route on `bp`."""

from likepion.shortener.blueprint import bp
from likepion.shortener.routes import account

__all__ = ["account", "bp"]
