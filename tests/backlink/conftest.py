"""Backlink fixtures: a small sites catalogue."""

import pytest

from tests.factories import make_site


@pytest.fixture
def sites(app):
    """Entity sites about.me, gravatar.com and an inactive old.example; podcast site anchor.fm:
    their ids by name."""
    return {
        "about.me": make_site(app, service_type="entity", name="about.me"),
        "gravatar.com": make_site(app, service_type="entity", name="gravatar.com"),
        "old.example": make_site(app, service_type="entity", name="old.example", active=False),
        "anchor.fm": make_site(app, service_type="podcast", name="anchor.fm"),
    }
