"""Campaigns: bundles of links with a public list page and an optional rotator slug."""

from sqlalchemy import select

from likepion.core.db import db, get_owned
from likepion.core.errors import Conflict
from likepion.core.pagination import Page
from likepion.shortener import addresses, limits, owned
from likepion.shortener.models import Campaign, ShortUrl


def campaign_read(campaign: Campaign, user) -> dict:
    """A campaign as the seed prints it, with its rotator and list URLs."""
    return {
        "id": campaign.id,
        "name": campaign.name,
        "domain": campaign.name,
        "public": campaign.public,
        "rotator": addresses.rotator_url(campaign),
        "list": addresses.list_url(campaign, user.username),
    }


def list_campaigns(user, *, page: int, limit: int) -> Page:
    """The user's campaigns, newest first, each as `campaign_read` prints it."""
    result = owned.list_owned(Campaign, user, page=page, limit=limit)
    result.items = [campaign_read(campaign, user) for campaign in result.items]
    return result


def create_campaign(user, *, name: str = "Untitled campaign", slug: str | None = None,
                    public: bool = False) -> Campaign:  # fmt: skip
    limits.require_feature(user, "bundle")
    _ensure_free_slug(slug)
    return owned.create_owned(Campaign, user, name=name, slug=slug or None, public=public)


def update_campaign(user, campaign_id: int, **values) -> Campaign:
    campaign = get_owned(Campaign, campaign_id, user.id)
    if values.get("slug") and values["slug"] != campaign.slug:
        _ensure_free_slug(values["slug"])
    if "slug" in values:
        values["slug"] = values["slug"] or None
    return owned.save(campaign, **values)


def delete_campaign(user, campaign_id: int) -> None:
    """Delete the campaign; its links stay."""
    owned.delete_owned(Campaign, user, campaign_id)


def assign_link(user, campaign_id: int, link_id: int) -> None:
    campaign = get_owned(Campaign, campaign_id, user.id)
    get_owned(ShortUrl, link_id, user.id).campaign_id = campaign.id
    db.session.commit()


def _ensure_free_slug(slug: str | None) -> None:
    if slug and db.session.scalar(select(Campaign.id).where(Campaign.slug == slug)):
        raise Conflict(f"The rotator slug {slug!r} is already taken.", code="slug_taken")
