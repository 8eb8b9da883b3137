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
            b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
            b'<rss version="2.0"><channel><title>&b;&b;&b;</title></channel></rss>',
            "entity_expansion",
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


FEEDS = FIXTURES / "feeds"
NOW = datetime(2015, 8, 14, 12, 0, tzinfo=UTC)


def _rss(items: str, prolog: str = "") -> bytes:
    return f'<?xml version="1.0"?>{prolog}<rss version="2.0"><channel><title>t</title>{items}</channel></rss>'.encode()


def test_a_short_internal_entity_is_expanded() -> None:
    # Real feeds that declare an entity declare a short literal; it is expanded, as feedparser expects.
    body = _rss(
        "<item><title>&org; news</title><link>http://a.example/1</link></item>",
        '<!DOCTYPE rss [<!ENTITY org "Harbour &amp; Co">]>',
    )
    feed = parse_feed(body, f"{BASE}/x")
    assert feed.error is None and feed.entries[0].title == "Harbour & Co news"


@pytest.mark.parametrize(
    ("prolog", "reason"),
    [
        pytest.param('<!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]>', "external_entity", id="system-file"),
        pytest.param(
            '<!DOCTYPE r [<!ENTITY e PUBLIC "-//x//y" "http://169.254.169.254/">]>', "external_entity", id="public-http"
        ),
        pytest.param(
            "<!DOCTYPE r [<!ENTITY % p \"<!ENTITY e 'x'>\"> %p;]>", "entity_expansion", id="internal-parameter"
        ),
        pytest.param('<!DOCTYPE r [<!ENTITY a "1 &b;"><!ENTITY b "&a;">]>', "entity_expansion", id="cyclic"),
        pytest.param("<!DOCTYPE r [<!ENTITY a 'x' junk>]><!ENTITY", "entity_declarations", id="unreadable"),
    ],
)
def test_entity_attacks_are_refused(prolog: str, reason: str) -> None:
    feed = parse_feed(_rss("<item><title>&e;</title><link>http://a.example/1</link></item>", prolog), f"{BASE}/x")
    assert feed.error == reason and feed.entries == ()


def test_quadratic_blowup_is_refused_quickly_with_bounded_memory() -> None:
    import tracemalloc

    # One 100,000-character entity referenced 1,000 times: 100 MB once expanded.
    body = _rss(
        "<item><title>" + "&big;" * 1000 + "</title><link>http://a.example/1</link></item>",
        '<!DOCTYPE rss [<!ENTITY big "' + "B" * 100_000 + '">]>',
    )
    tracemalloc.start()
    try:
        feed = parse_feed(body, f"{BASE}/x")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert feed.error == "entity_expansion" and "100,000,000" in feed.detail
    assert peak < 20 * len(body)


def test_an_entity_attack_cannot_hide_in_utf16() -> None:
    text = (
        '<?xml version="1.0" encoding="utf-16"?><!DOCTYPE r [<!ENTITY a "x"><!ENTITY b "&a;&a;">]><rss version="2.0"/>'
    )
    assert parse_feed(text.encode("utf-16"), f"{BASE}/x").error == "entity_expansion"


def test_windows_1252_without_declaration_is_decoded_the_feedparser_way() -> None:
    # No declaration means UTF-8; the bytes are not UTF-8, so feedparser falls back to windows-1252 and says so.
    feed = parse_feed((FEEDS / "windows-1252-undeclared.rss").read_bytes(), f"{BASE}/x", "application/rss+xml")
    assert feed.error is None and feed.recovered
    assert "windows-1252" in feed.detail
    assert feed.title == "Café Gazette – “notes”"
    assert feed.entries[0].title == "Naïve readers’ guide"
    assert feed.entries[0].summary == "Prices in € and £, said the éditrice."


def test_utf16_with_bom_parses_cleanly() -> None:
    feed = parse_feed((FEEDS / "utf-16-bom.atom").read_bytes(), f"{BASE}/x", "application/atom+xml")
    assert feed.error is None and not feed.recovered and feed.version == "atom10"
    assert feed.title == "Łódź Wire — 日本"
    assert feed.entries[0].title == "Zużycie ñandú"
    assert feed.entries[0].url == "http://wire.example/a/1.html"


def test_a_charset_in_the_content_type_overrides_the_declaration() -> None:
    body = '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Caf\u00e9</title></channel></rss>'
    feed = parse_feed(body.encode("windows-1252"), f"{BASE}/x", "application/xml; charset=windows-1252")
    assert feed.error is None and feed.title == "Café"


def test_json_feed_1_1() -> None:
    feed = parse_feed(
        (FEEDS / "json-feed-1.1.json").read_bytes(), "https://quay.example/feed.json", "application/feed+json"
    )
    assert feed.error is None and feed.version == "json11"
    assert feed.title == "Quay Street Notes" and feed.site_url == "https://quay.example/"
    vote, elsewhere, relative = feed.entries
    assert vote.url == "https://quay.example/posts/vote.html" and vote.link.endswith("?utm_source=json")
    assert vote.title == "Council votes" and vote.summary == "A short summary ."
    assert vote.published_at == datetime(2015, 8, 11, 17, 30, tzinfo=UTC)
    assert vote.author == "Rhea Carr, Ola Dunn" and vote.guid == "q-1"
    assert elsewhere.url == "https://elsewhere.example/story" and elsewhere.summary == "Linked elsewhere."
    assert elsewhere.published_at == datetime(2015, 8, 12, 8, 0, tzinfo=UTC)
    assert elsewhere.author == "Desk Editor"  # the feed's authors stand in for the item's
    assert relative.url == "https://quay.example/posts/relative.html" and relative.published_at is None
    assert feed.detail == "1 entries without a usable http(s) link"


def test_json_feed_1_0_is_sniffed_without_a_content_type() -> None:
    feed = parse_feed((FEEDS / "json-feed-1.0.json").read_bytes(), "https://old.example/feed.json")
    assert feed.version == "json1" and feed.entries[0].author == "Solo Writer"
    assert feed.entries[0].summary == "Body"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        pytest.param(b'{"version": "https://jsonfeed.org/version/1.1", "items": [', "malformed_feed", id="truncated"),
        pytest.param(b"{" * 100_000, "malformed_feed", id="deeply-nested"),
        pytest.param(b'{"items": []}', "not_a_feed", id="no-version"),
        pytest.param(b"[1, 2]", "not_a_feed", id="array"),
    ],
)
def test_json_that_is_not_a_json_feed_is_rejected(body: bytes, reason: str) -> None:
    feed = parse_feed(body, f"{BASE}/x", "application/json")
    assert feed.error == reason and feed.detail


def test_future_dates_are_dropped_and_counted_missing_dates_stay_missing() -> None:
    body = _rss(
        "<item><title>tomorrow-ish</title><link>http://a.example/1</link><pubDate>Fri, 14 Aug 2015 20:00:00 GMT</pubDate></item>"
        "<item><title>next week</title><link>http://a.example/2</link><pubDate>Fri, 21 Aug 2015 12:00:00 GMT</pubDate></item>"
        "<item><title>year 2099</title><link>http://a.example/3</link><pubDate>Thu, 01 Jan 2099 00:00:00 GMT</pubDate></item>"
        "<item><title>undated</title><link>http://a.example/4</link></item>"
    )
    feed = parse_feed(body, f"{BASE}/x", now=NOW)
    dates = {e.title: e.published_at for e in feed.entries}
    assert dates == {
        "tomorrow-ish": datetime(2015, 8, 14, 20, 0, tzinfo=UTC),  # within a day: a timezone slip, kept
        "next week": None,
        "year 2099": None,
        "undated": None,
    }
    assert feed.detail == "2 entries dated in the future; date ignored"
    assert feed.error is None and not feed.recovered


def test_now_defaults_to_the_current_time() -> None:
    body = _rss(
        "<item><title>x</title><link>http://a.example/1</link><pubDate>Thu, 01 Jan 2099 00:00:00 GMT</pubDate></item>"
    )
    assert parse_feed(body, f"{BASE}/x").entries[0].published_at is None


def test_an_ill_formed_feed_keeps_what_it_recovered() -> None:
    # An undefined HTML entity breaks strict XML; feedparser's loose parser recovers the feed and its entry.
    body = _rss("<item><title>caf&eacute;</title><link>http://a.example/1</link></item>")
    feed = parse_feed(body, f"{BASE}/x")
    assert feed.error is None and feed.recovered and "undefined entity" in feed.detail
    assert feed.entries[0].title == "café"


def test_a_cdf_channel_is_a_feed() -> None:
    feed = parse_feed(b"<CHANNEL><TITLE>Old Channel</TITLE></CHANNEL>", f"{BASE}/x")
    assert feed.error is None and feed.version == "cdf" and feed.title == "Old Channel"


def test_every_reason_code_is_documented_and_said_in_plain_words() -> None:
    """docs/schema.md lists each reason the code can store, and `ingest` says each in words, not as a code."""
    from pathlib import Path

    from extractors.reasons import Reason, http_reason
    from flows.summary import failure_in_words

    docs = (Path(__file__).resolve().parent.parent / "docs" / "schema.md").read_text(encoding="utf-8")
    for reason in Reason:
        assert f"| `{reason}` |" in docs, reason
        words = failure_in_words(reason, "", "http://news.example.org/rss")
        assert reason.value not in words and words.strip(), reason
    assert "| `http_<status>` |" in docs and http_reason(404) == "http_404"
    assert failure_in_words(http_reason(404), "", "http://x.example/") == "HTTP 404 (not found)"
