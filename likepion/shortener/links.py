"""Short links (`/api/urls`, `/api/url/...`): each public function is one unit of work."""

import pycountry
from marshmallow import ValidationError
from sqlalchemy import select

from likepion.auth import passwords
from likepion.core.db import db, get_owned
from likepion.core.errors import AppError, NotFound, ValidationFailed
from likepion.core.pagination import Page, paginate
from likepion.core.time import as_utc, utcnow
from likepion.shortener import (
    addresses,
    aliases,
    channels,
    domains,
    envelope,
    limits,
    stats,
    urlcheck,
)
from likepion.shortener.models import (
    Campaign,
    Channel,
    Domain,
    LinkRollup,
    Overlay,
    Pixel,
    ShortUrl,
    Splash,
)

DEVICES = {"desktop", "mobile", "tablet", "iphone", "ipad", "android", "windows", "macos", "linux"}


def list_links(user, *, page: int, limit: int, order: str, short: str | None = None) -> Page:
    """The user's links, newest or most clicked first, each with its click count."""
    clicks = stats.click_count(LinkRollup, ShortUrl.id)
    stmt = select(ShortUrl, clicks.label("clicks")).where(ShortUrl.user_id == user.id)
    if short:
        stmt = stmt.where(ShortUrl.alias == short)
    first = clicks.desc() if order == "clicks" else ShortUrl.created_at.desc()
    result = paginate(stmt.order_by(first, ShortUrl.id.desc()), page, limit, scalars=False)
    result.items = [_listed(link, count) for link, count in result.items]
    return result


def _listed(link: ShortUrl, clicks: int) -> dict:
    return {
        "id": link.id,
        "alias": link.alias,
        "shorturl": addresses.short_url(link),
        "url": link.url,
        "clicks": clicks,
        "title": link.title,
        "description": link.description,
        "meta_image": link.meta_image,
        "status": link.status,
        "campaign_id": link.campaign_id,
        "created_at": link.created_at,
    }


def get_link(user, link_id: int) -> ShortUrl:
    return get_owned(ShortUrl, link_id, user.id)


def get_link_with_stats(user, link_id: int) -> dict:
    """`GET /api/url/:id`: the link's details and its click statistics."""
    link = get_link(user, link_id)
    return {"id": link.id, "details": link_details(link), "data": stats.stats(LinkRollup, link.id)}


def link_details(link: ShortUrl) -> dict:
    """`details` of `GET /api/url/:id`: targets keyed by country name and device."""
    return {
        "id": link.id,
        "shorturl": addresses.short_url(link),
        "url": link.url,
        "title": link.title,
        "description": link.description,
        "location": {
            stats.country_name(code): url for code, url in (link.geo_targets or {}).items()
        },
        "device": dict(link.device_targets or {}),
        "expiry": link.expiry,
        "meta_image": link.meta_image,
        "status": link.status,
        "campaign_id": link.campaign_id,
        "created_at": link.created_at,
    }


def create_link(user, **fields) -> ShortUrl:
    link = _new_link(user, **fields)
    db.session.commit()
    return link


def create_links(user, items: list, load) -> list[dict]:
    """Bulk create: each item is loaded by `load` (the single create's schema) and made by
    the single create's rules in a savepoint of its own, so a bad item changes nothing and the
    plan's link count sees the links made before it. One commit for the batch."""
    results = []
    for index, item in enumerate(items):
        savepoint = db.session.begin_nested()
        try:
            link = _new_link(user, **load(item))
            savepoint.commit()
        except (AppError, ValidationError) as error:
            savepoint.rollback()
            results.append({"index": index, "error": 1, "message": _item_message(error)})
            continue
        results.append(
            {"index": index, "error": 0, "id": link.id, "shorturl": addresses.short_url(link)}
        )
    db.session.commit()
    return results


def _item_message(error: AppError | ValidationError) -> str:
    if isinstance(error, ValidationError):
        messages = error.messages if isinstance(error.messages, dict) else {"_": error.messages}
        return envelope.error_message("Invalid input.", messages)
    return envelope.error_message(error.message, error.details)


def _new_link(user, *, url: str, custom: str | None = None, **fields) -> ShortUrl:
    """A new short link under the plan's link count; a taken custom alias is a conflict."""
    limits.require_room(user, "links", ShortUrl, enabled_flag=False)
    link = ShortUrl(user_id=user.id, url=urlcheck.check_destination(url), type="direct")
    channel = _apply(user, link, fields)
    if custom:
        limits.require_feature(user, "alias")
    aliases.insert_with_alias(link, custom, f"The alias {custom!r} is already taken.")
    _add_to_channel(link, channel)
    return link


def update_link(user, link_id: int, *, url: str | None = None, custom: str | None = None,
                **fields) -> ShortUrl:  # fmt: skip
    """Change any field; a new alias or domain must be free on that domain."""
    link = get_owned(ShortUrl, link_id, user.id)
    if custom is not None and custom != link.alias:
        limits.require_feature(user, "alias")
    with db.session.no_autoflush:  # a new domain + alias is flushed once, in rename()
        if url is not None:
            link.url = urlcheck.check_destination(url)
        channel = _apply(user, link, fields)
    alias = custom or link.alias
    aliases.rename(link, alias, f"The alias {alias!r} is already taken.")
    _add_to_channel(link, channel)
    db.session.commit()
    return link


def delete_link(user, link_id: int) -> None:
    """Delete the link with its clicks and channel places (cascading foreign keys)."""
    db.session.delete(get_owned(ShortUrl, link_id, user.id))
    db.session.commit()


def _apply(user, link: ShortUrl, fields: dict) -> Channel | None:
    """Set the optional fields present in `fields` on `link`; the channel to put it in."""
    setters = {
        "type": _set_type,
        "password": _set_password,
        "domain": _set_domain,
        "expiry": _set_expiry,
        "geotarget": _set_geo,
        "devicetarget": _set_devices,
        "languagetarget": _set_languages,
        "pixels": _set_pixels,
        "campaign": _set_campaign,
        "deeplink": _set_deeplink,
    }
    for name, setter in setters.items():
        if name in fields:
            setter(user, link, fields[name])
    if "metatitle" in fields:
        link.title = fields["metatitle"]
    for name in ("description", "metadescription"):  # metadescription wins when both come
        if name in fields:
            link.description = fields[name]
    if "metaimage" in fields:
        link.meta_image = _meta_image(fields["metaimage"])
    if "status" in fields:
        link.status = fields["status"]
    if "public_stats" in fields:
        link.public_stats = fields["public_stats"]
    if fields.get("channel") is not None:
        return get_owned(Channel, fields["channel"], user.id)
    return None


def _set_type(user, link, value: str) -> None:
    kind, _, object_id = value.partition("-")
    link.type, link.splash_id, link.overlay_id = kind, None, None
    if kind == "splash" and object_id:
        limits.require_feature(user, "splash")
        link.splash_id = get_owned(Splash, int(object_id), user.id).id
    elif kind == "overlay":
        limits.require_feature(user, "overlay")
        link.overlay_id = get_owned(Overlay, int(object_id), user.id).id


def _set_password(user, link, value: str | None) -> None:
    link.password_hash = passwords.hash_password(value) if value else None


def _set_domain(user, link, value: str | None) -> None:
    """`https://domain1.com` or `domain1.com` of one of the user's branded domains; empty: ours."""
    if not value:
        link.domain_id, link.domain_key, link.domain = None, 0, None
        return
    host = domains.host_of(value)
    domain = db.session.scalar(select(Domain).where(Domain.host == host, Domain.user_id == user.id))
    if domain is None:
        raise NotFound("Domain not found")
    link.domain, link.domain_id, link.domain_key = domain, domain.id, domain.id


def _set_expiry(user, link, value) -> None:
    if value is not None and as_utc(value) <= utcnow():
        raise ValidationFailed.on_field("expiry", "Must be in the future.")
    link.expiry = value


def _set_geo(user, link, targets: list[dict]) -> None:
    if targets:
        limits.require_feature(user, "geo")
    link.geo_targets = {
        _lookup(pycountry.countries, t["location"], "geotarget"): _target_url(t, "geotarget")
        for t in targets
    } or None


def _set_devices(user, link, targets: list[dict]) -> None:
    if targets:
        limits.require_feature(user, "device")
    devices = {}
    for target in targets:
        device = target["device"].strip().lower().replace(" ", "")
        device = {"mac": "macos", "iphone/ipod": "iphone"}.get(device, device)
        if device not in DEVICES:
            raise ValidationFailed.on_field(
                "devicetarget", f"Unknown device; use one of {sorted(DEVICES)}."
            )
        devices[device] = _target_url(target, "devicetarget")
    link.device_targets = devices or None


def _set_languages(user, link, targets: list[dict]) -> None:
    if targets:
        limits.require_feature(user, "device")
    link.language_targets = {
        _lookup(pycountry.languages, t["language"], "languagetarget"): _target_url(
            t, "languagetarget"
        )
        for t in targets
    } or None


def _set_pixels(user, link, pixel_ids: list[int]) -> None:
    ids = set(pixel_ids)
    pixels = list(
        db.session.scalars(select(Pixel).where(Pixel.id.in_(ids), Pixel.user_id == user.id))
    )
    if len(pixels) != len(ids):
        raise NotFound("Pixel not found")
    link.pixels = pixels


def _set_campaign(user, link, campaign_id: int | None) -> None:
    link.campaign_id = get_owned(Campaign, campaign_id, user.id).id if campaign_id else None


def _set_deeplink(user, link, value: dict | None) -> None:
    if value:
        limits.require_feature(user, "parameters")
        for store in ("apple", "google"):
            if value.get(store):
                urlcheck.split_http_url(value[store], f"deeplink.{store}")
    link.deeplink = value or None


def _meta_image(url: str | None) -> str | None:
    """An http(s) image URL for link previews; stored, never fetched here."""
    if url:
        urlcheck.split_http_url(url, "metaimage")
    return url or None


def _add_to_channel(link: ShortUrl, channel: Channel | None) -> None:
    if channel is not None:
        channels.add_item(channel.id, short_url_id=link.id)


def _target_url(target: dict, field: str) -> str:
    return urlcheck.check_destination(target["link"], field)


def _lookup(database, value: str, field: str) -> str:
    """The ISO alpha-2 code of a country or language given by code or name."""
    try:
        code = getattr(database.lookup(value.strip()), "alpha_2", None)
    except LookupError:
        code = None
    if not code:
        kind = "country" if field == "geotarget" else "language"
        raise ValidationFailed.on_field(field, f"Unknown {kind} {value!r}.")
    return code if field == "geotarget" else code.lower()
