"""Public URLs of shortener objects: short links, QR images, rotators, campaign lists."""

from flask import current_app, request


def base_url() -> str:
    """PUBLIC_URL when configured, else the URL root this request came in on."""
    return (current_app.config.get("PUBLIC_URL") or request.url_root).rstrip("/")


def short_url(link) -> str:
    base = link.domain.url if link.domain_id else base_url()
    return f"{base}/{link.alias}"


def qr_url(qr) -> str:
    return f"{base_url()}/qr/{qr.alias}"


def rotator_url(campaign) -> str | bool:
    """The seed shows `false` for a campaign without a rotator slug."""
    return f"{base_url()}/r/{campaign.slug}" if campaign.slug else False


def list_url(campaign, username: str) -> str:
    return f"{base_url()}/u/{username}/{campaign.slug or 'list'}-{campaign.id}"
