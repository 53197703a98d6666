"""Channels (seed 004, "Channels"): list, items, add, assign, update, delete."""

from likepion.auth.guards import require_api_key
from likepion.shortener import channels
from likepion.shortener.blueprint import bp
from likepion.shortener.envelope import list_envelope, page_data
from likepion.shortener.object_schemas import (
    ChannelCreate,
    ChannelEnvelope,
    ChannelItemRead,
    ChannelRead,
    ChannelUpdate,
)
from likepion.shortener.schemas import ListQuery, MessageEnvelope


@bp.get("/channels")
@require_api_key
@bp.arguments(ListQuery, location="query")
@bp.response(200, list_envelope(ChannelRead, "channels"))
def list_channels(query, user):
    """List channels.

    Paginated."""
    return page_data(channels.list_channels(user, **query), "channels")


@bp.get("/channel/<id:channel_id>")
@require_api_key
@bp.arguments(ListQuery, location="query")
@bp.response(200, list_envelope(ChannelItemRead, "items"))
def list_channel_items(query, user, channel_id):
    """List a channel's items.

    Links, bio pages and QR codes in the channel."""
    return page_data(channels.list_items(user, channel_id, **query), "items")


@bp.post("/channel/add")
@require_api_key
@bp.arguments(ChannelCreate)
@bp.response(200, ChannelEnvelope)
def add_channel(data, user):
    """Create a channel.

    A named collection of links, bio pages and QR codes."""
    return channels.create_channel(user, **data)


@bp.post("/channel/<id:channel_id>/assign/<any(links, bio, qr):kind>/<id:item_id>")
@require_api_key
@bp.response(200, MessageEnvelope)
def assign_channel_item(user, channel_id, kind, item_id):
    """Add an item to a channel.

    `kind` is links, bio or qr; both must be the caller's."""
    channels.assign_item(user, channel_id, kind, item_id)
    return {"message": "Item successfully added to the channel."}


@bp.put("/channel/<id:channel_id>/update")
@require_api_key
@bp.arguments(ChannelUpdate)
@bp.response(200, MessageEnvelope)
def update_channel(data, user, channel_id):
    """Change a channel.

    Only the fields sent change."""
    channels.update_channel(user, channel_id, **data)
    return {"message": "Channel has been updated successfully."}


@bp.delete("/channel/<id:channel_id>/delete")
@require_api_key
@bp.response(200, MessageEnvelope)
def delete_channel(user, channel_id):
    """Delete a channel.

    Its items stay."""
    channels.delete_channel(user, channel_id)
    return {"message": "Channel has been deleted successfully."}
