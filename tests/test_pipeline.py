"""Pure stage logic of the ingest pipeline."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from extractors.types import Article, FeedEntry, FetchResult
from flows import pipeline
from flows.settings import FeedConfig
from warehouse.rows import ArticleRow
from warehouse.store import FeedState

NOW = datetime(2015, 8, 12, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("failures", "hours_ago", "due"),
    [
        pytest.param(0, 0, True, id="healthy"),
        pytest.param(1, 0, True, id="one-failure-retried-at-once"),
        pytest.param(2, 0.5, False, id="two-failures-wait-an-hour"),
        pytest.param(2, 1, True, id="two-failures-after-an-hour"),
        pytest.param(4, 3, False, id="four-failures-wait-four-hours"),
        pytest.param(4, 4, True, id="four-failures-after-four-hours"),
        pytest.param(50, 24, True, id="never-less-than-daily"),
        pytest.param(50, 23, False, id="dead-feed-waits-a-day"),
    ],
)
def test_failing_feeds_back_off_but_are_never_dropped(failures: int, hours_ago: float, due: bool) -> None:
    state = FeedState("u", None, None, None, failures, NOW - timedelta(hours=hours_ago))
    assert pipeline.feed_due(state, NOW) is due


def _result(body: bytes = b"", **kw: object) -> FetchResult:
    return FetchResult(
        url="http://f.example/rss", final_url="http://f.example/rss", status=kw.pop("status", 200), body=body, **kw
    )  # type: ignore[arg-type]


RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>F</title>
<item><title>One</title><link>http://f.example/1?utm_source=rss</link></item></channel></rss>"""


def test_read_feeds_outcomes() -> None:
    feeds = [FeedConfig(f"http://f.example/{i}") for i in range(4)]
    import hashlib

    states = {"http://f.example/3": FeedState("http://f.example/3", None, None, hashlib.sha256(RSS).hexdigest(), 0)}
    results = [
        _result(RSS, etag='"e"'),
        _result(status=304),
        _result(error="timeout", detail="slow", status=None),
        _result(RSS),
    ]
    outcomes, entries = pipeline.read_feeds(feeds, results, states)
    assert [o.outcome for o in outcomes] == ["ok", "not_modified", "failed", "unchanged"]
    assert outcomes[0].etag == '"e"' and outcomes[0].entries == 1
    assert outcomes[2].error == "timeout"
    assert [e.url for e in entries] == ["http://f.example/1"]


def test_count_new_per_feed_credits_the_first_feed() -> None:
    entries = [FeedEntry("a", "l", "http://x/1"), FeedEntry("b", "l", "http://x/1"), FeedEntry("b", "l", "http://x/2")]
    assert pipeline.count_new_per_feed(entries, {"http://x/2"}) == {"a": 1}


@pytest.mark.parametrize(
    ("feed_date", "page_date", "expected_source"),
    [
        pytest.param(datetime(2015, 8, 11, 18, tzinfo=UTC), "2015-08-12", "feed", id="feed-first"),
        pytest.param(None, "2015-08-12", "page", id="page-second"),
        pytest.param(None, "not a date", "discovered", id="bad-page-date"),
        pytest.param(None, None, "discovered", id="nothing"),
    ],
)
def test_best_date(feed_date: datetime | None, page_date: str | None, expected_source: str) -> None:
    _, source = pipeline.best_date(feed_date, page_date, NOW)
    assert source == expected_source


def _row(**kw: Any) -> ArticleRow:
    row = ArticleRow(
        url="http://x/1", link="http://x/1", feed_url="http://x/rss", host="x", feed_title="Feed title",
        feed_summary="Feed summary text.", feed_author="", discovered_at=NOW, fetch_status="pending",
        outlet="Feed label",
    )  # fmt: skip
    return replace(row, **kw)


def test_teasers_fall_back_to_the_feed_summary_and_say_so() -> None:
    article = Article(url="http://x/1", status="too_short", text="Subscribe to read more.", word_count=4)
    row = pipeline.apply_extraction(_row(), article)
    assert row.text_source == "feed_summary"
    assert row.text.startswith("Feed summary text.")
    assert row.title == "Feed title"


def test_page_metadata_wins_and_gaps_are_filled_from_the_feed() -> None:
    article = Article(url="http://x/1", status="ok", text="word " * 100, title="", site_name="The Site", language="EN")
    row = pipeline.apply_extraction(_row(feed_author="Feed Author"), article)
    assert (row.title, row.outlet, row.author, row.language) == (
        "Feed title",
        "The Site",
        "Feed Author",
        "en",
    )
    assert row.text_source == "page" and row.word_count == 100


def test_apply_fetch_failures_carry_their_reason() -> None:
    failed = pipeline.apply_fetch(
        _row(fetch_attempts=1), _result(error="http_404", detail="HTTP 404", status=404), NOW
    ).row
    assert (failed.fetch_status, failed.fetch_error, failed.fetch_attempts) == ("failed", "http_404", 2)
