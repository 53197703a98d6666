"""Tracking pixels: a provider type and its tag id, created under the plan's pixel count."""

from likepion.core.pagination import Page
from likepion.shortener import owned
from likepion.shortener.models import Pixel


def list_pixels(user, *, page: int, limit: int) -> Page:
    return owned.list_owned(Pixel, user, page=page, limit=limit)


def create_pixel(user, **values) -> Pixel:
    return owned.create_owned(Pixel, user, plan_count="pixels", **values)


def update_pixel(user, pixel_id: int, **values) -> Pixel:
    return owned.update_owned(Pixel, user, pixel_id, **values)


def delete_pixel(user, pixel_id: int) -> None:
    owned.delete_owned(Pixel, user, pixel_id)
