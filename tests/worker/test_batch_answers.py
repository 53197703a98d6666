"""Issue 15 item 9 on the worker API: plain per-item reasons that echo what was sent, a bare
array for links/report, and whole-call 422s for bodies that are not items at all."""

import uuid

import pytest

from tests.helpers import jwt_for
from tests.worker.conftest import start_request
from tests.worker.test_podcast import insert, secondary_links
from tests.worker.test_podcast import podcast as podcast  # noqa: F401 - the fixture
from tests.worker.test_primary_tasks import link_rows, pull


def test_invalid_insert_items_fail_in_plain_words_echoing_their_request_id(
    app, client, server, podcast
):
    missing_post = str(uuid.uuid4())
    response = insert(
        client,
        server,
        [
            {"post_id": podcast.post_id, "domain": "anchor.fm", "link_post": "https://a/1"},
            {"post_id": podcast.post_id, "domain": "anchor.fm"},
            {"request_id": "not-a-uuid", "domain": "anchor.fm", "link_post": "https://a/2"},
            {"request_id": missing_post, "domain": "anchor.fm", "link_post": "https://a/3"},
            {"domain": "spotify.com", "link_post": "https://a/4", "colour": "red"},
            "not an object",
        ],
    )

    assert response.status_code == 200
    body = response.json
    assert (body["input"], body["count"], body["inserted"], body["failed"]) == (6, 6, 1, 5)
    results = body["results"]
    assert [(r["index"], r["post_id"], r["success"]) for r in results] == [
        (0, podcast.post_id, True),
        (1, podcast.post_id, False),
        (2, "not-a-uuid", False),
        (3, missing_post, False),
        (4, "", False),
        (5, "", False),
    ]
    assert [r.get("error") for r in results[1:]] == [
        "Invalid item: link_post: Missing data for required field.",
        "Invalid item: request_id: Not a valid UUID.",
        f"Unknown request_id {missing_post}.",
        "Invalid item: colour: Unknown field.",
        "An item must be an object.",
    ]
    for result in results:  # no Python reprs: no dicts, lists or quotes of them
        assert not any(mark in result.get("error", "") for mark in ("{", "[", "'"))
    assert results[4]["domain"] == "spotify.com"
    assert [link.link_post for link in secondary_links(app, podcast)] == ["https://a/1"]


@pytest.mark.parametrize(
    "body", [{"items": 5}, {"items": "x"}, {"items": {"link_post": "x"}}, 5, "text", True]
)
def test_insert_bodies_that_hold_no_items_are_422_and_write_nothing(
    app, client, server, podcast, body
):
    response = insert(client, server, body)

    assert response.status_code == 422, response.json
    assert response.json["success"] is False and response.json["error"] == "validation_error"
    if isinstance(body, dict):
        assert response.json["details"] == {"items": ["Must be an array of items."]}
    assert secondary_links(app, podcast) == []


def test_report_takes_a_bare_array_like_insert(app, client, user, server, entity_sites):
    request_id = start_request(client, jwt_for(app, user), target=2)
    done, failed = (t["id"] for t in pull(client, server, limit=2).json["data"])

    response = client.post(
        "/api/v1/entity/links/report",
        json=[
            {"id": done, "status": "completed", "link_post": "https://about.me/p/1"},
            {"id": failed, "status": "failed", "error_message": "captcha"},
        ],
        headers=server.headers,
    )

    assert response.status_code == 200, response.json
    assert (response.json["input"], response.json["updated"], response.json["failed"]) == (2, 2, 0)
    rows = link_rows(app, request_id)
    assert (rows[done].status, rows[done].link_post) == ("completed", "https://about.me/p/1")
    assert (rows[failed].status, rows[failed].retry_count) == ("queued", 1)
    empty = client.post("/api/v1/entity/links/report", json=[], headers=server.headers)
    assert empty.status_code == 422
