"""The articles phase as a pipeline (flows/articles.py): pending articles read page by page, one polite fetcher
for the whole phase, CPU work in the pool's workers, and stories found without indexes that grow (schema 5)."""

from __future__ import annotations

import itertools
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

from extractors.dedupe import MIN_SHARED, STORY_WINDOW, sketch
from extractors.extract import ExtractionPool
from extractors.fetch import BackgroundFetcher, FetchPolicy, FetchRequest
from flows import articles, ingest, pipeline, writes
from flows.pipeline import ArticleInFlight, RunSummary
from flows.settings import Settings
from tests.builders import article_row, loopback_settings, warehouse_at_version
from tests.loopback import LoopbackServer, Request
from warehouse import store
from warehouse.db import connect
from warehouse.rows import ArticleRow

T0 = datetime(2015, 8, 11, 9, 0, tzinfo=UTC)
# Enough words for several distinct 5-word shingles per sentence, so that a copy shares most of its sketch.
STORY = " ".join(
    f"Delegates in Dublin voted on paragraph {i} of the draft resolution after a long debate about evidence."
    for i in range(40)
)


def _discover(settings: Settings) -> None:
    """Feeds fetched and their entries stored as pending articles, nothing else (the phase before the pipeline)."""
    results = ingest.fetch_feeds.fn(settings.fetch, pipeline.feed_requests(settings.feeds, {}))
    ingest.discover.fn(settings.warehouse_path, "test-run", list(settings.feeds), results)


def _stored(path: Path) -> dict[str, tuple[Any, ...]]:
    with connect(path, read_only=True) as con:
        rows = con.execute(
            "select url, fetch_status, fetch_error, extract_status, title, text, text_source, language, story_id, "
            "sketch from articles"
        ).fetchall()
        stances = dict(con.execute("select url, stance from coverage").fetchall())
        pages = dict(con.execute("select url, bytes from pages").fetchall())
    return {row[0]: (*row[1:], stances.get(row[0]), pages.get(row[0])) for row in rows}


def test_pool_workers_give_the_warehouse_the_in_process_path_gives(tmp_path: Path, server: LoopbackServer) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    in_process = loopback_settings(tmp_path / "a", server)
    pooled = loopback_settings(tmp_path / "b", server)
    _discover(in_process)
    _discover(pooled)
    rulesets = pipeline.load_rulesets(pooled)
    summaries = []
    for settings, batch_size, pool in ((in_process, 7, None), (pooled, 2, "pool")):
        summary = RunSummary(run_id="test-run")

        def write(con: Any, done: list[ArticleInFlight], results: list[Any], settings: Settings = settings) -> None:
            writes.write_batch(con, done, results, settings.keep_html)

        if pool is None:
            articles.process_pending(settings, rulesets, summary, None, batch_size, write)
        else:
            with ExtractionPool(2, setup=pipeline.init_worker, setup_args=(rulesets,)) as workers:
                articles.process_pending(settings, rulesets, summary, workers, batch_size, write)
        summaries.append(summary)
    assert _stored(in_process.warehouse_path) == _stored(pooled.warehouse_path)
    counts = ("articles_fetched", "articles_failed", "articles_extracted", "articles_classified", "relevant")
    assert [getattr(summaries[0], c) for c in counts] == [getattr(summaries[1], c) for c in counts]
    assert summaries[1].articles_fetched + summaries[1].articles_failed == 7
    for summary in summaries:
        assert {"fetch_pages", "write", "articles", *pipeline.WORKER_STAGES} <= set(summary.stage_seconds)
        # Worker stages are CPU seconds, summed to the millisecond: extracting a handful of pages is measurable,
        # and costs more than compressing them (a stage timed in the wrong place would break this).
        assert summary.stage_seconds["extract"] > summary.stage_seconds["compress"]
    with connect(pooled.warehouse_path, read_only=True) as con:
        assert store.count_pending(con) == 0


def test_pending_articles_are_read_page_by_page_and_once(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    rows = [
        article_row(f"http://a.example/{i}", outlet="A", title="t", published=T0, fetch_status="pending")
        for i in range(5)
    ] + [
        article_row(
            "http://a.example/later", outlet="A", title="t", published=T0 + timedelta(hours=1), fetch_status="pending"
        )
    ]
    with connect(path) as con:
        store.add_discovered(con, rows)
        assert store.count_pending(con) == 6
        seen: list[str] = []
        after = None
        while page := store.pending_articles(con, limit=2, after=after):
            seen += [row.url for row in page]
            after = (page[-1].discovered_at, page[-1].url)
            # Written back as a transient failure, as a batch whose host timed out: still pending for the next
            # run, but behind this run's cursor.
            failed = [replace(row, fetch_status="failed", fetch_error="timeout", fetch_attempts=1) for row in page]
            store.save_articles(con, failed)
        assert seen == [f"http://a.example/{i}" for i in range(5)] + ["http://a.example/later"]
        assert store.count_pending(con) == 6  # every one is worth another try next run
        assert store.pending_articles(con, limit=1)[0].sketch is None


def test_pending_batches_come_in_discovery_order_until_exhausted(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    rows = [
        article_row(f"http://a.example/{i:02}", outlet="A", title="t", published=T0, fetch_status="pending")
        for i in range(11)
    ]
    with connect(path) as con:
        store.add_discovered(con, rows)
        pending = articles._Pending(batch_size=4)
        sizes = []
        while batch := pending.next(con):
            sizes.append(len(batch))
        assert sizes == [4, 4, 3] and pending.exhausted
        assert pending.next(con) == []


def test_a_first_run_over_many_feeds_starts_its_pool_before_reading_them() -> None:
    many, few = pipeline.RUN_POOL_MIN_PAGES, pipeline.RUN_POOL_MIN_PAGES - 1
    assert ingest.pages_expected_before_feeds(first_run=True, pending=0, feeds_due=many) == many
    assert ingest.pages_expected_before_feeds(first_run=True, pending=0, feeds_due=few) < pipeline.RUN_POOL_MIN_PAGES
    # Later runs' feeds mostly list entries already stored: only pending articles count.
    assert ingest.pages_expected_before_feeds(first_run=False, pending=0, feeds_due=500) == 0
    assert ingest.pages_expected_before_feeds(first_run=False, pending=many, feeds_due=0) == many


def test_one_fetcher_keeps_robots_and_host_delays_across_batches(server: LoopbackServer) -> None:
    def page(request: Request) -> tuple[int, dict[str, str], bytes]:
        return 200, {"Content-Type": "text/html"}, b"<html><body><p>page</p></body></html>"

    server.routes["/robots.txt"] = lambda request: (200, {"Content-Type": "text/plain"}, b"User-agent: *\nAllow: /\n")
    for i in range(4):
        server.routes[f"/p{i}.html"] = page
    policy = FetchPolicy(allow_private_networks=True, per_host_delay_s=0.3, per_host_concurrency=1)
    with BackgroundFetcher(policy) as fetcher:
        first = fetcher.submit([FetchRequest(server.url("/p0.html")), FetchRequest(server.url("/p1.html"))])
        assert all(r.ok for r in first.result(timeout=10))
        second = fetcher.submit([FetchRequest(server.url("/p2.html")), FetchRequest(server.url("/p3.html"))])
        assert all(r.ok for r in second.result(timeout=10))
    assert [r.path for r in server.log].count("/robots.txt") == 1
    starts = [r.started for r in server.log]
    assert len(starts) == 5
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert min(gaps) >= 0.25, gaps  # the delay holds across the two batches too (server clock, some slack)


def test_background_fetcher_records_failures_as_results(server: LoopbackServer) -> None:
    policy = FetchPolicy(allow_private_networks=True, per_host_delay_s=0.0)
    started = time.monotonic()
    with BackgroundFetcher(policy) as fetcher:
        results = fetcher.submit([FetchRequest(server.url("/missing.html"))]).result(timeout=10)
    assert results[0].error == "http_404" and time.monotonic() - started < 10


def _sketched(url: str, text: str, published: datetime) -> ArticleRow:
    return article_row(url, outlet=url.split("/")[2], title="t", published=published, text=text, sketch=sketch(text))


def test_wire_copies_find_their_story_and_sketches_are_appended_or_replaced(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    origin = _sketched("http://a.example/origin", STORY, T0)
    other = _sketched("http://b.example/other", "A different report. " * 30, T0)
    with connect(path) as con, store.transaction(con):
        writes.write_articles(con, [origin, other])
    copy = _sketched("http://c.example/copy", "Reuters. " + STORY, T0 + timedelta(hours=2))
    with connect(path) as con:
        found = store.story_candidates(con, {copy.url: copy.sketch}, MIN_SHARED, T0 - STORY_WINDOW)
        assert set(found) == {origin.url}
        with store.transaction(con):
            writes.write_articles(con, [copy])
        stories = dict(con.execute("select url, story_id from articles").fetchall())
        assert stories[copy.url] == origin.url and stories[other.url] == other.url
        stored = dict(con.execute("select url, sketch from articles").fetchall())
        assert tuple(stored[copy.url]) == copy.sketch
        # Re-extracted text (the same URL, sketched again) replaces its rows rather than adding to them.
        changed = _sketched(origin.url, "Entirely new wording of the whole article. " * 20, T0)
        assert store.sketched_urls(con, [origin.url, "http://new.example/x"]) == [origin.url]
        with store.transaction(con):
            writes.write_articles(con, [changed])
        hashes = [h for (h,) in con.execute("select h from sketches where url = ?", [origin.url]).fetchall()]
        assert sorted(hashes) == sorted(changed.sketch or ())
        assert con.execute("select count(*) from sketches").fetchall()[0][0] == sum(
            len(r.sketch or ()) for r in (changed, other, copy)
        )


def _store_origin_by_hand(
    con: duckdb.DuckDBPyConnection, discovered: datetime, *, sketch_column: bool
) -> tuple[int, ...]:
    """The STORY article, its own story, and its sketch values as an older schema stored them (`articles.sketch`
    from schema 5 on; `sketches` without `seen_at` before schema 6). Returns its sketch."""
    origin_sketch = sketch(STORY)
    columns = ", sketch" if sketch_column else ""
    con.execute(
        f"INSERT INTO articles (url, link, feed_url, host, discovered_at, fetch_status, text, story_id{columns}) "
        f"VALUES ('http://a.example/origin', 'http://a.example/origin', 'f', 'a.example', ?, 'fetched', ?, "
        f"'http://a.example/origin'{', ?' if sketch_column else ''})",
        [discovered, STORY, *([list(origin_sketch)] if sketch_column else [])],
    )
    con.executemany("INSERT INTO sketches VALUES ('http://a.example/origin', ?)", [[h] for h in origin_sketch])
    return origin_sketch


def test_a_version_4_warehouse_keeps_its_stories_after_the_sketch_migration(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    con = warehouse_at_version(path, 4)
    origin_sketch = _store_origin_by_hand(con, datetime.now(UTC), sketch_column=False)
    con.close()
    copy = _sketched("http://c.example/copy", "Reuters. " + STORY, T0)
    with connect(path) as con:
        assert con.execute("select sketch from articles").fetchall()[0][0] == list(origin_sketch)
        indexes = con.execute("select index_name from duckdb_indexes() where table_name = 'sketches'").fetchall()
        assert indexes == []
        with store.transaction(con):
            writes.write_articles(con, [copy])
        assert dict(con.execute("select url, story_id from articles").fetchall())[copy.url] == (
            "http://a.example/origin"
        )


def test_candidates_are_read_from_sketches_when_an_article_lacks_its_own(tmp_path: Path) -> None:
    """Rows put into `sketches` by another tool (the benchmark's fill does) still find their copies."""
    path = tmp_path / "w.duckdb"
    origin_sketch = sketch(STORY)
    with connect(path) as con:
        store.add_discovered(con, [article_row("http://a.example/origin", outlet="A", title="t", published=T0)])
        con.executemany(
            "INSERT INTO sketches VALUES ('http://a.example/origin', ?, ?)", [[h, T0] for h in origin_sketch]
        )
        copy = sketch("Reuters. " + STORY)
        found = store.story_candidates(con, {"http://c.example/copy": copy}, MIN_SHARED, T0 - timedelta(days=1))
    assert found == {"http://a.example/origin": ("http://a.example/origin", origin_sketch)}


def test_copies_are_looked_for_among_articles_seen_within_the_story_window(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    old = _sketched("http://a.example/old", STORY, T0)
    recent = _sketched("http://b.example/recent", "AP. " + STORY, T0 + timedelta(days=200))
    with connect(path) as con, store.transaction(con):
        writes.write_articles(con, [old])
    with connect(path) as con, store.transaction(con):
        writes.write_articles(con, [recent])
    within = _sketched("http://c.example/within", "Reuters. " + STORY, T0 + timedelta(days=200) + STORY_WINDOW)
    with connect(path) as con:
        with store.transaction(con):
            writes.write_articles(con, [within])
        stories = dict(con.execute("select url, story_id from articles").fetchall())
        seen = dict(con.execute("select distinct url, seen_at from sketches").fetchall())
    # The first copy came 200 days after the original, outside the window: a story of its own. The next one is
    # exactly a window after it, so it joins that story, and never reaches back to the original.
    assert stories == {old.url: old.url, recent.url: recent.url, within.url: recent.url}
    assert seen == {row.url: row.discovered_at for row in (old, recent, within)}


def test_the_window_migration_dates_every_stored_sketch_value_by_its_article(tmp_path: Path) -> None:
    path = tmp_path / "v5.duckdb"
    con = warehouse_at_version(path, 5)
    origin_sketch = _store_origin_by_hand(con, T0, sketch_column=True)
    con.executemany("INSERT INTO sketches VALUES ('http://gone.example/x', ?)", [[h] for h in range(3)])
    con.close()
    with connect(path) as con:
        rows = con.execute("select url, h, seen_at from sketches order by seen_at, url, h").fetchall()
        epoch = datetime(1970, 1, 1, tzinfo=UTC)
        assert rows == [("http://gone.example/x", h, epoch) for h in range(3)] + [
            ("http://a.example/origin", h, T0) for h in sorted(origin_sketch)
        ]
        copy = _sketched("http://c.example/copy", "Reuters. " + STORY, T0 + timedelta(days=3))
        with store.transaction(con):
            writes.write_articles(con, [copy])
        assert dict(con.execute("select url, story_id from articles").fetchall())[copy.url] == (
            "http://a.example/origin"
        )
