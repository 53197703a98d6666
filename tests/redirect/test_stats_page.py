"""`/<alias>+`: a link's aggregate stats page, when its owner made it public (Bitly's `+`)."""

import re
from datetime import timedelta

import pytest

from likepion.shortener import rollups
from tests.clicks import click_row, store
from tests.helpers import add_link
from tests.redirect.conftest import assert_html


@pytest.fixture
def headers(admin, api_key_headers):
    return api_key_headers(admin)


def test_public_stats_page_shows_chart_and_numbers(app, client, headers):
    link_id, alias = add_link(client, headers, public_stats=True)
    yesterday = rollups.midnight(days_ago=1) + timedelta(hours=12)
    store(
        app,
        [
            click_row(
                link=link_id,
                at=yesterday,
                country="US",
                referrer="t.co",
                browser="Chrome",
                os="Windows 10",
                visitor="a",
            ),
            click_row(link=link_id, at=yesterday, country="US", visitor="a"),
            click_row(link=link_id, country="DE", browser="Firefox", visitor="b"),
        ],
    )

    page = assert_html(
        client.get(f"/{alias}+"),
        200,
        f"Stats of http://localhost/{alias}",
        "United States",
        "Germany",
        "t.co",
        "Direct, email and other",
        "Chrome",
        "Firefox",
        "Windows 10",
    )

    assert re.search(r'id="clicks"><strong>3</strong>', page)
    assert re.search(r'id="unique"><strong>2</strong>', page)
    bars = re.findall(r'<rect class="day"[^>]*data-day="([\d-]+)" data-clicks="(\d+)"', page)
    assert len(bars) == 30
    assert bars[-2:] == [
        (yesterday.strftime("%Y-%m-%d"), "2"),
        (rollups.midnight().strftime("%Y-%m-%d"), "1"),
    ]
    # Server-rendered, nothing fetched from elsewhere, no visitor data beyond aggregates.
    assert "<svg" in page and "<script" not in page and "src=" not in page and "<link" not in page
    assert "example.com" not in page  # not even the destination


def test_stats_page_is_404_unless_public(app, client, headers):
    link_id, alias = add_link(client, headers)
    store(app, [click_row(link=link_id)])

    assert_html(client.get(f"/{alias}+"), 404, "This short link does not exist.")
    assert_html(client.get("/nosuchalias+"), 404, "This short link does not exist.")
    assert_html(client.get("/bad%00alias+"), 404)
    client.put(f"/api/url/{link_id}/update", json={"public_stats": True}, headers=headers)
    assert client.get(f"/{alias}+").status_code == 200
    client.put(f"/api/url/{link_id}/update", json={"public_stats": False}, headers=headers)
    assert client.get(f"/{alias}+").status_code == 404


def test_the_plus_page_does_not_count_as_a_click(app, client, headers):
    link_id, alias = add_link(client, headers, public_stats=True)

    client.get(f"/{alias}+")

    data = client.get(f"/api/url/{link_id}", headers=headers).json["data"]
    assert data["clicks"] == 0
