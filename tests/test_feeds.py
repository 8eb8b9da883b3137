from __future__ import annotations

from datetime import UTC, datetime

import pytest

from extractors.feeds import parse_feed
from tests.conftest import FIXTURES

BASE = "http://news.example"


def _fixture(name: str) -> bytes:
    return (FIXTURES / "site" / name).read_text(encoding="utf-8").replace("__BASE__", BASE).encode()


def test_rss_entries_become_our_type_with_canonical_urls() -> None:
    feed = parse_feed(_fixture("feed.rss"), f"{BASE}/feed.rss", "application/rss+xml")
    assert feed.error is None and feed.version == "rss20"
    assert feed.title == "Harbour Ledger"
    first = feed.entries[0]
    assert first.link.endswith("amnesty-vote.html?utm_source=rss&utm_medium=feed")
    assert first.url == f"{BASE}/news/amnesty-vote.html"
    assert first.published_at == datetime(2015, 8, 11, 18, 30, tzinfo=UTC)
    assert first.author == "Maeve Lorcan"
    assert len(feed.entries) == 6


def test_atom_links_lose_their_fragment() -> None:
    feed = parse_feed(_fixture("feed.atom"), f"{BASE}/feed.atom")
    assert feed.version == "atom10"
    assert [e.url for e in feed.entries] == [f"{BASE}/news/amnesty-vote.html", f"{BASE}/news/teaser.html"]


def test_malformed_feed_is_recorded_not_raised() -> None:
    feed = parse_feed(_fixture("broken.rss"), f"{BASE}/broken.rss")
    assert feed.error == "malformed_feed"
    assert feed.detail


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        pytest.param(b"", "empty_feed", id="empty"),
        pytest.param(b"<!DOCTYPE html><html><body><p>Hello</p></body></html>", "not_a_feed", id="html-page"),
        pytest.param(
            b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">]><rss version="2.0"><channel>'
            b"<title>&a;&a;&a;</title></channel></rss>",
            "entity_declarations",
            id="entity-expansion",
        ),
        pytest.param(b'{"version": "https://jsonfeed.org/version/1"}', "not_a_feed", id="json"),
    ],
)
def test_rejections(body: bytes, reason: str) -> None:
    feed = parse_feed(body, f"{BASE}/x")
    assert feed.error == reason
    assert feed.entries == ()


def test_entries_without_links_are_counted_and_relative_links_resolved() -> None:
    body = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
    <item><title>no link</title></item>
    <item><title>relative</title><link>/a/b.html</link></item>
    <item><title>mailto</title><link>mailto:x@example.com</link></item>
    </channel></rss>"""
    feed = parse_feed(body, f"{BASE}/feeds/main.xml")
    assert [e.url for e in feed.entries] == [f"{BASE}/a/b.html"]
    assert "2 entries without a usable http(s) link" in feed.detail
