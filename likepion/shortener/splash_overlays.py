"""Custom splash pages and CTA overlays: listed, created under the plan's counts, deleted."""

from likepion.core.pagination import Page
from likepion.shortener import owned, urlcheck
from likepion.shortener.models import Overlay, Splash


def list_splash(user, *, page: int, limit: int) -> Page:
    return owned.list_owned(Splash, user, page=page, limit=limit)


def create_splash(user, *, link: str | None = None, **values) -> Splash:
    if link:
        link = urlcheck.check_destination(link, "link")
    return owned.create_owned(Splash, user, plan_count="splash", link=link, **values)


def delete_splash(user, splash_id: int) -> None:
    owned.delete_owned(Splash, user, splash_id)


def list_overlays(user, *, page: int, limit: int) -> Page:
    return owned.list_owned(Overlay, user, page=page, limit=limit)


def create_overlay(user, *, button_url: str | None = None, **values) -> Overlay:
    if button_url:
        button_url = urlcheck.check_destination(button_url, "button_url")
    return owned.create_owned(Overlay, user, plan_count="overlay", button_url=button_url, **values)


def delete_overlay(user, overlay_id: int) -> None:
    owned.delete_owned(Overlay, user, overlay_id)
