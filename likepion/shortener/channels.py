"""Channels: folders of the user's links and QR codes."""

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from likepion.core.db import db, get_owned
from likepion.core.errors import NotFound
from likepion.core.pagination import Page, paginate
from likepion.shortener import addresses, owned
from likepion.shortener.models import Channel, ChannelItem, QrCode, ShortUrl

ITEM_COLUMNS = {"links": (ShortUrl, "short_url_id"), "qr": (QrCode, "qr_code_id")}


def list_channels(user, *, page: int, limit: int) -> Page:
    return owned.list_owned(Channel, user, page=page, limit=limit)


def create_channel(user, **values) -> Channel:
    return owned.create_owned(Channel, user, **values)


def update_channel(user, channel_id: int, **values) -> Channel:
    return owned.update_owned(Channel, user, channel_id, **values)


def delete_channel(user, channel_id: int) -> None:
    """Delete the channel; its links and QR codes stay."""
    owned.delete_owned(Channel, user, channel_id)


def list_items(user, channel_id: int, *, page: int, limit: int) -> Page:
    """The channel's links and QR codes, newest first, loaded in one query per kind."""
    channel = get_owned(Channel, channel_id, user.id)
    stmt = (
        select(ChannelItem)
        .where(ChannelItem.channel_id == channel.id)
        .order_by(ChannelItem.id.desc())
    )
    result = paginate(stmt, page, limit)
    links = _by_id(ShortUrl, [item.short_url_id for item in result.items])
    qrs = _by_id(QrCode, [item.qr_code_id for item in result.items])
    result.items = [
        _link_item(links[item.short_url_id])
        if item.short_url_id
        else _qr_item(qrs[item.qr_code_id])
        for item in result.items
    ]
    return result


def assign_item(user, channel_id: int, kind: str, item_id: int) -> None:
    """Put one of the user's links or QR codes in the channel (again is a no-op)."""
    channel = get_owned(Channel, channel_id, user.id)
    if kind not in ITEM_COLUMNS:  # "bio": this service has no bio pages
        raise NotFound("Bio page not found")
    model, column = ITEM_COLUMNS[kind]
    add_item(channel.id, **{column: get_owned(model, item_id, user.id).id})
    db.session.commit()


def add_item(channel_id: int, **item) -> None:
    """Put `short_url_id=` or `qr_code_id=` in the channel; already there is a no-op (the
    unique constraint decides, inside a savepoint)."""
    try:
        with db.session.begin_nested():
            db.session.add(ChannelItem(channel_id=channel_id, **item))
    except IntegrityError:
        pass


def _by_id(model, ids: list) -> dict:
    ids = [i for i in ids if i is not None]
    if not ids:
        return {}
    return {row.id: row for row in db.session.scalars(select(model).where(model.id.in_(ids)))}


def _link_item(link: ShortUrl) -> dict:
    return {
        "type": "links",
        "id": link.id,
        "title": link.title or link.alias,
        "preview": link.url,
        "link": addresses.short_url(link),
        "date": link.created_at.strftime("%Y-%m-%d"),
    }


def _qr_item(qr: QrCode) -> dict:
    url = addresses.qr_url(qr)
    return {
        "type": "qr",
        "id": qr.id,
        "title": qr.name,
        "preview": url,
        "link": url,
        "date": qr.created_at.strftime("%Y-%m-%d"),
    }
