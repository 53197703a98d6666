"""Channels (seed 004): list, items, add, assign links / QR codes, update, delete."""

import re

from sqlalchemy import select

from likepion.core.db import db
from likepion.shortener.models import Channel, ChannelItem, QrCode, ShortUrl
from tests.helpers import (
    PAGE_NUMBERS,
    add_link,
    assert_bad_paging_refused,
    assert_each_refused,
    check_pages,
    count_rows,
)

CHANNEL_KEYS = {"id", "name", "description", "color", "starred"}
ITEM_KEYS = {"type", "id", "title", "preview", "link", "date"}
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def add_channel(client, headers, **body):
    response = client.post("/api/channel/add", json={"name": "Folder", **body}, headers=headers)
    assert response.status_code == 200, response.json
    return response.json["id"]


def add_qr(client, headers, name="Menu"):
    response = client.post(
        "/api/qr/add", json={"type": "text", "data": "hello", "name": name}, headers=headers
    )
    assert response.status_code == 200, response.json
    return response.json["id"]


def channel_row(app, channel_id):
    with app.app_context():
        row = db.session.get(Channel, channel_id)
        if row is None:
            return None
        return (row.user_id, row.name, row.description, row.color, row.starred)


def items_of(app, channel_id):
    """(short_url_id, qr_code_id) of the channel's rows, oldest first."""
    with app.app_context():
        return db.session.execute(
            select(ChannelItem.short_url_id, ChannelItem.qr_code_id)
            .where(ChannelItem.channel_id == channel_id)
            .order_by(ChannelItem.id)
        ).all()


# --- add --------------------------------------------------------------------------------------
def test_add_channel_answers_the_seed_shape(app, client, user, api_key_headers):
    response = client.post(
        "/api/channel/add",
        json={
            "name": "New Channel",
            "description": "my new channel",
            "color": "#000000",
            "starred": True,
        },
        headers=api_key_headers(user),
    )

    assert response.status_code == 200
    body = response.json
    assert set(body) == CHANNEL_KEYS | {"error"}
    assert body == {
        "error": 0,
        "id": body["id"],
        "name": "New Channel",
        "description": "my new channel",
        "color": "#000000",
        "starred": True,
    }
    assert channel_row(app, body["id"]) == (
        user.id,
        "New Channel",
        "my new channel",
        "#000000",
        True,
    )


def test_add_channel_defaults(app, client, user, api_key_headers):
    response = client.post("/api/channel/add", json={"name": "Bare"}, headers=api_key_headers(user))

    assert response.status_code == 200
    assert response.json == {
        "error": 0,
        "id": response.json["id"],
        "name": "Bare",
        "description": None,
        "color": "#000000",
        "starred": False,
    }
    assert channel_row(app, response.json["id"]) == (user.id, "Bare", None, "#000000", False)


def test_add_channel_bad_input_writes_nothing(app, client, user, api_key_headers):
    cases = [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": "ok", "color": "red"}, "color"),
        ({"name": "ok", "color": "#12345"}, "color"),
        ({"name": "ok", "color": "#GGGGGG"}, "color"),
        ({"name": "ok", "starred": "often"}, "starred"),
        ({"name": "ok", "description": "d" * 1001}, "description"),
    ]
    assert_each_refused(client, "POST", "/api/channel/add", api_key_headers(user), cases)
    assert count_rows(app, Channel) == 0


# --- list -------------------------------------------------------------------------------------
def test_list_channels_pages_in_the_seed_envelope(client, user, other_user, api_key_headers):
    headers = api_key_headers(user)
    first = add_channel(client, headers, name="Channel 1")
    second = add_channel(client, headers, name="Channel 2", color="#FF0000")
    third = add_channel(client, headers, name="Channel 3", starred=True)
    add_channel(client, api_key_headers(other_user), name="Not mine")

    items = check_pages(client, headers, "/api/channels", "channels", [third, second, first])
    assert items[1] == {
        "id": second,
        "name": "Channel 2",
        "description": None,
        "color": "#FF0000",
        "starred": False,
    }


def test_channel_lists_refuse_bad_paging(client, user, api_key_headers):
    headers = api_key_headers(user)
    channel = add_channel(client, headers)
    for path in ("/api/channels", f"/api/channel/{channel}"):
        assert_bad_paging_refused(client, headers, path)


# --- items and assign -------------------------------------------------------------------------
def test_assign_link_and_qr_then_list_items(app, client, user, api_key_headers):
    headers = api_key_headers(user)
    channel = add_channel(client, headers)
    link = add_link(client, headers, "https://google.com", metatitle="My Sample Link")[0]
    qr = add_qr(client, headers, name="Menu QR")
    other_link = add_link(client, headers, "https://example.org")[0]

    answers = [
        client.post(f"/api/channel/{channel}/assign/links/{link}", headers=headers),
        client.post(f"/api/channel/{channel}/assign/qr/{qr}", headers=headers),
        client.post(f"/api/channel/{channel}/assign/links/{other_link}", headers=headers),
    ]

    for answer in answers:
        assert answer.status_code == 200
        assert answer.json == {"error": 0, "message": "Item successfully added to the channel."}
    assert items_of(app, channel) == [(link, None), (None, qr), (other_link, None)]
    with app.app_context():
        alias = db.session.get(ShortUrl, link).alias
        qr_alias = db.session.get(QrCode, qr).alias
    page1 = client.get(f"/api/channel/{channel}?limit=2&page=1", headers=headers)
    page2 = client.get(f"/api/channel/{channel}?limit=2&page=2", headers=headers)
    assert page1.status_code == page2.status_code == 200
    data = page1.json["data"]
    assert page1.json["error"] == "0"
    assert set(data) == PAGE_NUMBERS | {"items"}
    numbers = {key: data[key] for key in PAGE_NUMBERS}
    assert numbers == {"result": 3, "perpage": 2, "currentpage": 1, "nextpage": 2, "maxpage": 2}
    assert all(set(item) == ITEM_KEYS for item in data["items"])
    assert [(item["type"], item["id"]) for item in data["items"]] == [
        ("links", other_link),
        ("qr", qr),
    ]
    qr_item = data["items"][1]
    assert qr_item["title"] == "Menu QR"
    assert qr_item["preview"] == qr_item["link"] == f"http://localhost/qr/{qr_alias}"
    assert DAY.match(qr_item["date"])
    last = page2.json["data"]
    assert (last["currentpage"], last["nextpage"], last["maxpage"]) == (2, 2, 2)
    assert last["items"] == [
        {
            "type": "links",
            "id": link,
            "title": "My Sample Link",
            "preview": "https://google.com",
            "link": f"http://localhost/{alias}",
            "date": qr_item["date"],
        }
    ]


def test_assigning_twice_is_a_no_op(app, client, user, api_key_headers):
    headers = api_key_headers(user)
    channel = add_channel(client, headers)
    link = add_link(client, headers)[0]

    for _ in range(2):
        response = client.post(f"/api/channel/{channel}/assign/links/{link}", headers=headers)
        assert response.status_code == 200
    assert items_of(app, channel) == [(link, None)]


def test_assign_bio_is_404_as_there_are_no_bio_pages(app, client, user, api_key_headers):
    headers = api_key_headers(user)
    channel = add_channel(client, headers)
    link = add_link(client, headers)[0]

    response = client.post(f"/api/channel/{channel}/assign/bio/{link}", headers=headers)

    assert response.status_code == 404
    assert response.json == {"error": 1, "message": "Bio page not found"}
    assert count_rows(app, ChannelItem) == 0


def test_assign_bad_ids_or_type_is_404_and_writes_nothing(app, client, user, api_key_headers):
    headers = api_key_headers(user)
    channel = add_channel(client, headers)
    link = add_link(client, headers)[0]
    qr = add_qr(client, headers)
    cases = [
        (f"/api/channel/{channel + 100}/assign/links/{link}", "Channel not found"),
        (f"/api/channel/{channel}/assign/links/{link + 100}", "Link not found"),
        (f"/api/channel/{channel}/assign/qr/{qr + 100}", "QR code not found"),
        (f"/api/channel/{channel}/assign/pages/{link}", "Not found."),
        (f"/api/channel/{channel}/assign/links/abc", "Not found."),
    ]
    for path, message in cases:
        response = client.post(path, headers=headers)
        assert response.status_code == 404, path
        assert response.json == {"error": 1, "message": message}
    assert count_rows(app, ChannelItem) == 0


def test_items_of_a_missing_channel_is_404(client, user, api_key_headers):
    response = client.get("/api/channel/999", headers=api_key_headers(user))

    assert response.status_code == 404
    assert response.json == {"error": 1, "message": "Channel not found"}


# --- update -----------------------------------------------------------------------------------
def test_update_channel(app, client, user, api_key_headers):
    headers = api_key_headers(user)
    channel = add_channel(client, headers, name="Old", starred=True)

    response = client.put(
        f"/api/channel/{channel}/update",
        json={
            "name": "Acme Corp",
            "description": "channel for items for Acme Corp",
            "color": "#FFFFFF",
            "starred": False,
        },
        headers=headers,
    )

    assert response.status_code == 200
    assert response.json == {"error": 0, "message": "Channel has been updated successfully."}
    assert channel_row(app, channel) == (
        user.id,
        "Acme Corp",
        "channel for items for Acme Corp",
        "#FFFFFF",
        False,
    )


def test_update_channel_changes_only_the_fields_sent(app, client, user, api_key_headers):
    headers = api_key_headers(user)
    channel = add_channel(client, headers, name="Keep", description="d", color="#00FF00")

    response = client.put(f"/api/channel/{channel}/update", json={"starred": True}, headers=headers)

    assert response.status_code == 200
    assert channel_row(app, channel) == (user.id, "Keep", "d", "#00FF00", True)


def test_update_channel_bad_input_changes_nothing(app, client, user, api_key_headers):
    headers = api_key_headers(user)
    channel = add_channel(client, headers, name="Keep")
    cases = [
        ({"color": "blue"}, "color"),
        ({"name": ""}, "name"),
        ({"starred": "sometimes"}, "starred"),
    ]
    assert_each_refused(client, "PUT", f"/api/channel/{channel}/update", headers, cases)
    missing = client.put(f"/api/channel/{channel + 1}/update", json={"name": "X"}, headers=headers)
    assert missing.status_code == 404
    assert missing.json == {"error": 1, "message": "Channel not found"}
    assert channel_row(app, channel) == (user.id, "Keep", None, "#000000", False)


# --- delete -----------------------------------------------------------------------------------
def test_delete_channel_unassigns_but_keeps_items(app, client, user, api_key_headers):
    headers = api_key_headers(user)
    channel = add_channel(client, headers)
    link = add_link(client, headers)[0]
    qr = add_qr(client, headers)
    client.post(f"/api/channel/{channel}/assign/links/{link}", headers=headers)
    client.post(f"/api/channel/{channel}/assign/qr/{qr}", headers=headers)

    response = client.delete(f"/api/channel/{channel}/delete", headers=headers)

    assert response.status_code == 200
    assert response.json == {"error": 0, "message": "Channel has been deleted successfully."}
    assert channel_row(app, channel) is None
    assert count_rows(app, ChannelItem) == 0
    assert (count_rows(app, ShortUrl), count_rows(app, QrCode)) == (1, 1)


def test_delete_missing_channel_is_404_and_deletes_nothing(app, client, user, api_key_headers):
    headers = api_key_headers(user)
    channel = add_channel(client, headers)

    for path in (f"/api/channel/{channel + 1}/delete", "/api/channel/0/delete"):
        response = client.delete(path, headers=headers)
        assert response.status_code == 404, path
        assert response.json["error"] == 1
    assert count_rows(app, Channel) == 1
