"""Flask CLI commands (SPEC section 6)."""

from flask import Flask


def register_commands(app: Flask) -> None:
    pass
