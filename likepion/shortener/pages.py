"""Custom splash pages and CTA overlays: created under the plan's counts."""

from likepion.shortener import owned, urlcheck
from likepion.shortener.models import Overlay, Splash


def create_splash(user, *, link: str | None = None, **values) -> Splash:
    if link:
        link = urlcheck.check_destination(link, "link")
    return owned.create_owned(Splash, user, plan_count="splash", link=link, **values)


def create_overlay(user, *, button_url: str | None = None, **values) -> Overlay:
    if button_url:
        button_url = urlcheck.check_destination(button_url, "button_url")
    return owned.create_owned(Overlay, user, plan_count="overlay", button_url=button_url, **values)
