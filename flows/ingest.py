"""The ingest flow: feeds -> entries -> pages -> text -> stance -> warehouse.

Reads like a table of contents. Each task is a short wrapper around a stage in flows/pipeline.py,
flows/articles.py, flows/writes.py or flows/stored.py, and there are four coarse tasks per run (feeds, discovery,
the articles phase, the backlog), never one per article or per batch: a Prefect task run costs more than
extracting an article, and the articles phase overlaps its batches. What the ingest runs, in what order, as
which Prefect task: this module's one reason to change. The stages over stored text that `reclassify` and
`reextract` share with the backlog live in flows/stored.py.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import asdict
from functools import partial
from pathlib import Path
from typing import Any

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.context import FlowRunContext
from prefect.exceptions import MissingContextError
from prefect.logging import get_run_logger
from prefect.utilities.annotations import quote

from extractors.extract import ExtractionPool
from extractors.fetch import FetchPolicy, FetchRequest, fetch_all
from extractors.types import FetchResult
from flows import articles, pipeline, progress
from flows.feeds import watched_feeds
from flows.pipeline import RunSummary, run_pool
from flows.settings import FeedConfig, Settings, load_settings
from flows.shards import Shard, feeds_of
from flows.stored import classify_stored
from flows.writes import BATCH_SIZE, write_articles, write_batch
from stance.rules import RuleSet
from warehouse import store
from warehouse.db import Location, connect, exclusive_run


def _logger() -> logging.Logger | logging.LoggerAdapter[logging.Logger]:
    try:
        return get_run_logger()
    except MissingContextError:
        return logging.getLogger("presswatch")


# --- tasks: thin wrappers, tested through their plain functions -----------------------------------------------


@task(name="fetch-feeds", retries=1, retry_delay_seconds=5, cache_policy=NO_CACHE)
def fetch_feeds(policy: FetchPolicy, requests: list[FetchRequest]) -> list[FetchResult]:
    progress.start("feeds", len(requests))
    results = fetch_all(policy, requests, watch=progress.fetch_watcher("feeds"))
    _logger().info("fetched %d feeds (%d failed)", len(results), sum(not r.ok for r in results))
    return results


@task(name="discover-articles", cache_policy=NO_CACHE)
def discover(
    warehouse_path: Location, run_id: str, feeds: list[FeedConfig], results: list[FetchResult]
) -> tuple[list[store.FeedOutcome], int, int]:
    """Parse feed bodies, record every feed's outcome, store new entries as pending articles."""
    at = pipeline.now_utc()
    with connect(warehouse_path) as con:
        states = store.feed_states(con)
        outcomes, entries = pipeline.read_feeds(feeds, results, states)
        known = store.known_urls(con, [e.url for e in entries])
        new_per_feed = pipeline.count_new_per_feed(entries, known)
        outcomes = [
            store.FeedOutcome(**{**asdict(o), "new_entries": new_per_feed.get(o.feed_url, 0)}) for o in outcomes
        ]
        titles = {o.feed_url: o.name or o.title for o in outcomes}
        with store.transaction(con):
            store.record_feed_outcomes(con, run_id, at, outcomes)
            added = store.add_discovered(con, pipeline.discovered_rows(entries, titles, at))
    _logger().info("%d entries listed, %d new articles", len(entries), added)
    return outcomes, len(entries), added


@task(name="process-articles", cache_policy=NO_CACHE)
def process_articles(
    settings: Settings,
    rulesets: list[RuleSet],
    summary: RunSummary,
    batch_size: int = BATCH_SIZE,
    started_pool: ExtractionPool | None = None,
    feeds: list[str] | None = None,
) -> RunSummary:
    """Fetch, extract, classify and write every pending article (flows/articles.py: a pipeline of batches, each
    written in one transaction). One task for the whole phase: a task run costs more than an article's work, and
    the batches overlap, which per-batch tasks would serialise. `started_pool`: a pool the run started before
    reading the feeds; otherwise one is started here if there are enough pending articles. `feeds`: a shard's feed
    URLs, whose articles are its to fetch (None: every pending article)."""
    log = _logger()
    if started_pool is not None:
        pool_context: AbstractContextManager[ExtractionPool | None] = nullcontext(started_pool)
    else:
        with connect(settings.store) as con:
            pool_context = run_pool(store.count_pending(con, feeds), rulesets, settings.feed_topics())
    with pool_context as pool:
        articles.process_pending(
            settings,
            rulesets,
            summary,
            pool,
            batch_size,
            lambda con, rows, results: write_batch(con, rows, results, settings.keep_html),
            log.info,
            feeds,
        )
    return summary


@task(name="backlog", cache_policy=NO_CACHE)
def backlog(
    warehouse_path: Location, rulesets: list[RuleSet], feed_topics: Mapping[str, frozenset[str]] | None = None
) -> int:
    """Finish stored articles a crash or an upgrade left behind: stories for text without one, and
    classifications for text without a result of the current ruleset. Returns how many were classified."""
    while True:
        with connect(warehouse_path) as con:
            rows = store.unsketched_articles(con, limit=BATCH_SIZE)
        if not rows:
            break
        with connect(warehouse_path) as con:
            store.atomically(con, partial(write_articles, con, [pipeline.with_sketch(row) for row in rows]))
    return classify_stored(warehouse_path, rulesets, feed_topics=feed_topics)


# --- the run ---------------------------------------------------------------------------------------------------


def run_ingest(
    settings: Settings, *, orchestrated: bool, batch_size: int = BATCH_SIZE, shard: Shard | None = None
) -> RunSummary:
    """The ingest sequence, once. `orchestrated` runs each stage as a Prefect task; otherwise the same stage
    functions are called directly (the benchmark compares the two). `shard`: only that shard's feeds and the
    articles they listed (flows/shards.py); shards run at once, each holding a run lock of its own."""
    name = "ingest" if shard is None else f"ingest shard {shard}"
    with exclusive_run(settings.store, name):
        return _run_ingest(settings, orchestrated=orchestrated, batch_size=batch_size, shard=shard)


def _run_ingest(settings: Settings, *, orchestrated: bool, batch_size: int, shard: Shard | None) -> RunSummary:
    def stage(t: Any) -> Callable[..., Any]:
        if not orchestrated:
            return t.fn
        # Lists (batches of rows with their page bodies, results) go in as quote(...): Prefect then does not walk
        # every element looking for upstream futures, which took about a third of a flow run's CPU
        # (docs/benchmarks.md). Stages never receive futures, so nothing is lost.
        return lambda *args: t(*(quote(a) if isinstance(a, list) else a for a in args))

    log = _logger()
    run_id = _run_id()
    summary = RunSummary(run_id=run_id)
    rulesets = pipeline.load_rulesets(settings)
    path = settings.store
    watched = feeds_of(watched_feeds(settings), shard)
    shard_feeds = None if shard is None else [f.url for f in watched]
    shard_name = None if shard is None else str(shard)
    with connect(path) as con:
        if store.close_interrupted_runs(con, "ingest", pipeline.now_utc(), shard_name):
            log.warning("an earlier ingest was interrupted; this run finishes its work")
        store.start_run(con, run_id, "ingest", pipeline.now_utc(), shard_name)
        states = store.feed_states(con)
        first_run = not store.completed_runs(con, "ingest")
        pending = store.count_pending(con, shard_feeds)
    now = pipeline.now_utc()
    feeds = [f for f in watched if pipeline.feed_due(states.get(f.url), now)]
    summary.feeds_backing_off = len(watched) - len(feeds)
    status, error = "failed", "failed"
    try:
        expected = pages_expected_before_feeds(first_run, pending, len(feeds))
        with run_pool(expected, rulesets, settings.feed_topics()) as pool:
            timer = time.perf_counter()
            results = stage(fetch_feeds)(settings.fetch, pipeline.feed_requests(feeds, states))
            summary.add_time("fetch_feeds", time.perf_counter() - timer)

            timer = time.perf_counter()
            outcomes, seen, added = stage(discover)(path, run_id, feeds, results)
            summary.add_time("discover", time.perf_counter() - timer)
            _count_feeds(summary, outcomes)
            summary.entries_seen, summary.entries_new = seen, added

            summary = stage(process_articles)(settings, rulesets, summary, batch_size, pool, shard_feeds)

        timer = time.perf_counter()
        summary.articles_classified += stage(backlog)(path, rulesets, settings.feed_topics())
        summary.add_time("backlog", time.perf_counter() - timer)
        status = "completed"
    except BaseException as exc:
        error = f"{type(exc).__name__}: {exc}"[:500]  # what `presswatch runs` and the report say about it
        raise
    finally:
        with connect(path) as con:
            record = asdict(summary) | ({"error": error} if status == "failed" else {})
            store.finish_run(con, run_id, pipeline.now_utc(), status, record)
    return summary


def pages_expected_before_feeds(first_run: bool, pending: int, feeds_due: int) -> int:
    """The pages a run will fetch, as far as is known before its feeds are read: articles an interrupted run left
    pending, and on a first run one per feed (each lists at least one entry, and all are new). When that is enough
    for a pool, the pool warms up while the feeds are fetched and read (the `fetch_feeds` stage of
    `python -m bench.ingest`) instead of after."""
    return pending + (feeds_due if first_run else 0)


def _count_feeds(summary: RunSummary, outcomes: Sequence[store.FeedOutcome]) -> None:
    for o in outcomes:
        if o.outcome == "ok":
            summary.feeds_ok += 1
        elif o.outcome == "not_modified":
            summary.feeds_not_modified += 1
        elif o.outcome == "unchanged":
            summary.feeds_unchanged += 1
        else:
            summary.feeds_failed += 1
            summary.failed_feeds.append(
                {"url": o.feed_url, "name": o.name, "reason": o.error or "unknown", "detail": o.detail}
            )


def _run_id() -> str:
    context = FlowRunContext.get()
    if context is not None and context.flow_run is not None:
        return str(context.flow_run.id)
    return str(uuid.uuid4())


@flow(name="presswatch-ingest", log_prints=False, validate_parameters=False)
def ingest_flow(config_path: str, shard: str | None = None) -> dict[str, Any]:
    """One ingest run over the configured feeds (Prefect flow; `presswatch ingest` and `serve` run it), or over one
    shard of them ("2/3": the deployments of `presswatch deploy --shards 3`)."""
    settings = load_settings(Path(config_path))
    summary = run_ingest(settings, orchestrated=True, shard=Shard.parse(shard) if shard else None)
    _publish_summary(summary)
    return asdict(summary)


def _publish_summary(summary: RunSummary) -> None:
    from prefect.artifacts import create_table_artifact

    rows = [{"measure": k, "value": v} for k, v in asdict(summary).items() if k not in ("stage_seconds", "run_id")]
    rows += [{"measure": f"seconds: {k}", "value": v} for k, v in summary.stage_seconds.items()]
    create_table_artifact(key="ingest-summary", table=rows, description="presswatch ingest run summary")
