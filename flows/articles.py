"""The articles phase of an ingest: pending articles -> pages -> text, story, stance -> warehouse, as a pipeline.

Three kinds of work overlap so that the cores never wait for the network or the warehouse:
- a fetch thread (one polite `Fetcher` for the whole phase, so robots.txt, per-host delays and Retry-After carry
  across batches) fetches the pages of the next batches;
- the extraction pool's workers extract, sketch, classify and compress the pages of batches already fetched;
- this thread reads pending articles batch by batch and writes each finished batch in one transaction, in order.

At most `AHEAD` batches are in flight, so memory stays bounded whatever the number of pending articles, and a
killed run loses at most those batches' work: their articles are still pending, and the next run does them.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from extractors.extract import ExtractionPool
from extractors.fetch import BackgroundFetcher
from extractors.types import FetchResult
from flows import pipeline, progress
from flows.pipeline import ArticleInFlight, Processed, RunSummary
from flows.settings import Settings
from stance.model import StanceResult
from stance.rules import RuleSet
from warehouse import store
from warehouse.db import connect
from warehouse.rows import ArticleRow

# Batches in flight at once: one being written, one being extracted and one being fetched keep both the pool and
# the network busy; more would only hold more pages in memory (about 12 MB a batch of 200 pages).
AHEAD = 3
# Pages per task sent to a pool worker: small enough that the two workers end a batch together and that the next
# batch's pages start as soon as a worker is free, large enough that the per-task cost (pickling, a queue round
# trip) stays a small share of the work. The workers' CPU per stage and their hand-over: the CPU line of
# `python -m bench.ingest` (bench/results/ingest.json).
CHUNK = 4

# Writes one batch on the connection it is given (its raw pages, then its rows, each in one transaction).
Writer = Callable[[Any, list[ArticleInFlight], list[tuple[str, StanceResult]]], object]


@dataclass
class _Batch:
    rows: list[ArticleRow]
    fetch: Future[list[FetchResult]]
    submitted_at: float
    parts: list[Future[Processed]] | None = None  # set once the pages are fetched and handed to the workers
    fetched_at: float = 0.0
    ready: list[Processed] = field(default_factory=list)  # work done without the pool (failed fetches, no pool)


def process_pending(
    settings: Settings,
    rulesets: Sequence[RuleSet],
    summary: RunSummary,
    pool: ExtractionPool | None,
    batch_size: int,
    write: Writer,
    log: Callable[[str], None] = lambda message: None,
    feeds: Sequence[str] | None = None,
) -> None:
    """Fetch, extract, classify and write every pending article, `batch_size` at a time; counts go to `summary`.
    `feeds`: only the articles these feeds listed (a shard's); None: every pending article."""
    path = settings.store
    started = time.perf_counter()
    pending = _Pending(batch_size, feeds)
    done = 0
    in_flight: deque[_Batch] = deque()
    with BackgroundFetcher(settings.fetch, watch=progress.fetch_watcher("pages")) as fetcher:

        def refill(con: Any) -> None:
            """Read pending articles until `AHEAD` batches are in flight, and start fetching their pages."""
            while len(in_flight) < AHEAD and (rows := pending.next(con)):
                in_flight.append(_Batch(rows, fetcher.submit(pipeline.page_requests(rows)), time.perf_counter()))

        with connect(path) as con:
            total = store.count_pending(con, feeds)
            progress.start("pages", total)  # fetched, one by one
            progress.start("articles", total)  # extracted, classified and written, a batch at a time
            refill(con)
        while in_flight:
            for batch in in_flight:
                if batch.parts is None and batch.fetch.done():
                    _hand_over(batch, rulesets, pool, settings.keep_html, summary, settings.feed_topics())
            head = in_flight[0]
            if head.parts is not None and all(part.done() for part in head.parts):
                in_flight.popleft()
                done_articles, results = _collect(head, summary)
                timer = time.perf_counter()
                # One session for the batch's write and the next batch's pending rows: opening the warehouse has a
                # fixed cost (its schema check), and closing it a checkpoint (the `write` stage of
                # `python -m bench.ingest`). Between sessions the file is free for other processes.
                with connect(path) as con:
                    write(con, done_articles, results)
                    refill(con)
                summary.add_time("write", time.perf_counter() - timer)
                done += len(head.rows)
                progress.advance("articles", len(head.rows))
                log(f"articles: {done} of {total} done")
                continue
            # Wake up when a fetch ends (its pages go to the workers) or a part of the head batch ends; futures
            # already done would end the wait at once, so they are left out.
            waiting: list[Future[Any]] = [b.fetch for b in in_flight if b.parts is None]
            waiting += [part for part in head.parts or [] if not part.done()]
            wait(waiting, return_when=FIRST_COMPLETED)
    summary.add_time("articles", time.perf_counter() - started)


class _Pending:
    """Pending articles, `batch_size` at a time, in discovery order (a keyset cursor, so memory stays flat)."""

    def __init__(self, batch_size: int, feeds: Sequence[str] | None = None) -> None:
        self.batch_size = batch_size
        self.feeds = feeds
        self.after: tuple[datetime, str] | None = None
        self.exhausted = False

    def next(self, con: Any) -> list[ArticleRow]:
        if self.exhausted:
            return []
        rows = store.pending_articles(con, limit=self.batch_size, after=self.after, feeds=self.feeds)
        self.exhausted = len(rows) < self.batch_size
        if rows:
            self.after = (rows[-1].discovered_at, rows[-1].url)
        return rows


def _hand_over(
    batch: _Batch,
    rulesets: Sequence[RuleSet],
    pool: ExtractionPool | None,
    keep_html: bool,
    summary: RunSummary,
    feed_topics: Mapping[str, frozenset[str]] | None = None,
) -> None:
    """Turn a batch's fetch results into articles in flight and start their CPU work: on the pool's workers in
    chunks of `CHUNK` pages, largest first (so that neither worker is left alone with a big page at the end), or
    here."""
    results = batch.fetch.result()
    batch.fetched_at = time.perf_counter()
    summary.add_time("fetch_pages", batch.fetched_at - batch.submitted_at)
    at = pipeline.now_utc()
    fetched = [pipeline.apply_fetch(row, result, at) for row, result in zip(batch.rows, results, strict=True)]
    summary.articles_fetched += sum(a.row.fetch_status == "fetched" for a in fetched)
    summary.articles_failed += sum(a.row.fetch_status == "failed" for a in fetched)
    with_page = sorted((a for a in fetched if a.has_page), key=lambda a: len(a.body), reverse=True)
    without = [a for a in fetched if not a.has_page]
    batch.ready.append(pipeline.process_fetched(without, rulesets, keep_html, feed_topics))
    if pool is None or len(with_page) < 2:
        batch.ready.append(pipeline.process_fetched(with_page, rulesets, keep_html, feed_topics))
        batch.parts = []
        return
    batch.parts = [
        pool.submit(pipeline.process_in_worker, with_page[i : i + CHUNK], keep_html)
        for i in range(0, len(with_page), CHUNK)
    ]


def _collect(batch: _Batch, summary: RunSummary) -> tuple[list[ArticleInFlight], list[tuple[str, StanceResult]]]:
    """The batch's articles in their original order with its classifications; counts and worker seconds
    recorded."""
    by_url: dict[str, ArticleInFlight] = {}
    results: list[tuple[str, StanceResult]] = []
    for done, classified, seconds in [*batch.ready, *(part.result() for part in batch.parts or [])]:
        by_url.update((article.row.url, article) for article in done)
        results += classified
        for stage, value in seconds.items():
            summary.add_time(stage, value)
    ordered = [by_url[row.url] for row in batch.rows]
    summary.articles_extracted += sum(a.row.extract_status == "ok" for a in ordered)
    summary.articles_too_short += sum(a.row.extract_status in ("too_short", "empty") for a in ordered)
    summary.articles_classified += len(results)
    summary.relevant += sum(r.relevant for _, r in results)
    summary.supportive += sum(r.stance == "supportive" for _, r in results)
    summary.opposed += sum(r.stance == "opposed" for _, r in results)
    summary.neutral += sum(r.stance == "neutral" for _, r in results)
    return ordered, results
