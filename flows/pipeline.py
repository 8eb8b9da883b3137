"""The ingest stages as plain functions: values in, values out. Prefect tasks in flows/ingest.py wrap them.

Each stage is idempotent and keyed by canonical URL: discovered articles are stored before anything is fetched,
and a batch's fetch, extraction and classification are written in one transaction, so a run killed at any point
is finished by the next one with nothing lost and nothing counted twice.
"""

from __future__ import annotations

import hashlib
import logging
import time
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from extractors.dedupe import assign_stories, sketch
from extractors.extract import ExtractionPool, extract_article, extract_many
from extractors.feeds import parse_feed
from extractors.fetch import FetchRequest
from extractors.types import Article, FeedEntry, FetchResult
from flows.errors import UnknownTopicError, load_rule_file
from flows.settings import FeedConfig, Settings
from stance.classify import classify
from stance.language import guess_language
from stance.model import StanceResult
from stance.rules import RuleSet, load_ruleset
from warehouse.store import FeedOutcome, FeedState

log = logging.getLogger("presswatch")


@dataclass
class RunSummary:
    """What one ingest run did; printed by the CLI, stored in `runs`, published as a Prefect artifact."""

    run_id: str
    feeds_ok: int = 0
    feeds_not_modified: int = 0
    feeds_unchanged: int = 0
    feeds_failed: int = 0
    feeds_backing_off: int = 0  # failing feeds not due for a retry in this run
    entries_seen: int = 0
    entries_new: int = 0
    articles_fetched: int = 0
    articles_failed: int = 0
    articles_extracted: int = 0
    articles_too_short: int = 0
    articles_classified: int = 0
    relevant: int = 0
    supportive: int = 0
    opposed: int = 0
    neutral: int = 0
    # One {"url", "name", "reason", "detail"} per feed that failed in this run (the CLI says why, in plain words).
    failed_feeds: list[dict[str, str]] = field(default_factory=list)
    stage_seconds: dict[str, float] = field(default_factory=dict)

    def add_time(self, stage: str, seconds: float) -> None:
        self.stage_seconds[stage] = round(self.stage_seconds.get(stage, 0.0) + seconds, 3)


def now_utc() -> datetime:
    return datetime.now(UTC)


# --- topics ------------------------------------------------------------------------------------------------


def topic_path(settings: Settings, name: str) -> Path:
    """A topic's rule file: in `[topics] dir` when it is there, else the one shipped with presswatch (the folder
    adds topics to the bundled ones and may override one of the same name)."""
    if settings.topics_dir is not None:
        own = settings.topics_dir / f"{name}.toml"
        if own.exists():
            return own
    return bundled_topics_dir() / f"{name}.toml"


def bundled_topics_dir() -> Path:
    return Path(str(resources.files("topics")))


def available_topics(settings: Settings) -> dict[str, Path]:
    """Every topic a config can enable: the bundled rule files, then those in `[topics] dir` (which win)."""
    found = {path.stem: path for path in sorted(bundled_topics_dir().glob("*.toml"))}
    if settings.topics_dir is not None and settings.topics_dir.is_dir():
        found.update({path.stem: path for path in sorted(settings.topics_dir.glob("*.toml"))})
    return found


def load_rulesets(settings: Settings, names: Sequence[str] | None = None) -> list[RuleSet]:
    rulesets = []
    for name in names or settings.topics:
        path = topic_path(settings, name)
        if not path.exists():
            raise UnknownTopicError(f"unknown topic {name!r}: no rule file {path}")
        rulesets.append(load_rule_file(load_ruleset, path))
    return rulesets


# --- feeds -------------------------------------------------------------------------------------------------


# A feed that keeps failing is retried after 1, 2, 4, ... hours, never less often than daily and never dropped:
# one failure costs nothing (the next run retries), a dead feed costs one request a day.
BACKOFF_BASE = timedelta(hours=1)
BACKOFF_MAX = timedelta(hours=24)


def feed_due(state: FeedState | None, now: datetime) -> bool:
    """Whether a feed should be fetched in this run, given its failures so far."""
    if state is None or state.consecutive_failures < 2 or state.last_fetched_at is None:
        return True
    wait = min(BACKOFF_BASE * 2 ** min(state.consecutive_failures - 2, 10), BACKOFF_MAX)
    return now >= state.last_fetched_at + wait


def feed_requests(feeds: Sequence[FeedConfig], states: dict[str, FeedState]) -> list[FetchRequest]:
    requests = []
    for feed in feeds:
        state = states.get(feed.url)
        requests.append(
            FetchRequest(
                url=feed.url,
                kind="feed",
                etag=state.etag if state else None,
                last_modified=state.last_modified if state else None,
            )
        )
    return requests


def read_feeds(
    feeds: Sequence[FeedConfig], results: Sequence[FetchResult], states: dict[str, FeedState]
) -> tuple[list[FeedOutcome], list[FeedEntry]]:
    """Turn feed responses into outcomes (one per feed) and the entries they list."""
    outcomes: list[FeedOutcome] = []
    entries: list[FeedEntry] = []
    for feed, result in zip(feeds, results, strict=True):
        url, name, status = feed.url, feed.name, result.status
        if not result.ok:
            outcomes.append(FeedOutcome(url, name, "failed", status, error=result.error, detail=result.detail))
            continue
        if result.not_modified:
            outcomes.append(FeedOutcome(url, name, "not_modified", status))
            continue
        body_hash = hashlib.sha256(result.body).hexdigest()
        state = states.get(feed.url)
        if state is not None and state.body_hash == body_hash:
            # Some servers send no or stale validators: an identical body needs no parsing.
            outcomes.append(
                FeedOutcome(url, name, "unchanged", status, etag=result.etag, last_modified=result.last_modified,
                            body_hash=body_hash)
            )  # fmt: skip
            continue
        # The full header, charset included: a feed whose encoding is declared only in HTTP needs it.
        parsed = parse_feed(result.body, result.final_url, result.headers.get("content-type", result.content_type))
        if parsed.error:
            outcomes.append(FeedOutcome(url, name, "failed", status, error=parsed.error, detail=parsed.detail))
            continue
        outcomes.append(
            FeedOutcome(
                url,
                name,
                "ok",
                status,
                etag=result.etag,
                last_modified=result.last_modified,
                body_hash=body_hash,
                detail=parsed.detail,
                title=parsed.title,
                site_url=parsed.site_url,
                entries=len(parsed.entries),
            )
        )
        entries.extend(parsed.entries)
    return outcomes, entries


def discovered_rows(entries: Sequence[FeedEntry], feed_titles: dict[str, str], at: datetime) -> list[dict[str, Any]]:
    rows = []
    for entry in entries:
        rows.append(
            {
                "url": entry.url,
                "link": entry.link,
                "feed_url": entry.feed_url,
                "host": urlsplit(entry.url).hostname or "",
                "feed_title": entry.title,
                "feed_summary": entry.summary,
                "feed_author": entry.author,
                "feed_published_at": entry.published_at,
                "discovered_at": at,
                "fetch_status": "pending",
                "fetch_attempts": 0,
                "outlet": feed_titles.get(entry.feed_url) or None,
            }
        )
    return rows


def count_new_per_feed(entries: Sequence[FeedEntry], known: set[str]) -> dict[str, int]:
    new: dict[str, int] = {}
    seen = set(known)
    for entry in entries:
        if entry.url not in seen:
            seen.add(entry.url)
            new[entry.feed_url] = new.get(entry.feed_url, 0) + 1
    return new


# --- articles ----------------------------------------------------------------------------------------------


def page_requests(pending: Sequence[dict[str, Any]]) -> list[FetchRequest]:
    # Fetch the link as the feed wrote it: some sites need their own parameters; the canonical URL stays the key.
    return [FetchRequest(url=row["link"], kind="page") for row in pending]


def apply_fetch(row: dict[str, Any], result: FetchResult, at: datetime) -> dict[str, Any]:
    row = dict(row)
    row["fetch_attempts"] = (row.get("fetch_attempts") or 0) + 1
    row["fetched_at"] = at
    row["final_url"] = result.final_url
    row["http_status"] = result.status
    if result.ok and not result.not_modified:
        row.update(fetch_status="fetched", fetch_error=None, fetch_detail=None)
    else:
        row.update(
            fetch_status="failed",
            fetch_error=result.error or "not_modified",
            fetch_detail=result.detail or "the server answered 304 to an unconditional request",
        )
    return row


def apply_extraction(row: dict[str, Any], article: Article) -> dict[str, Any]:
    """Merge extracted text and metadata into the article row; the feed's own data fills the gaps."""
    row = dict(row)
    row["extract_status"] = article.status
    row["extract_detail"] = article.detail or None
    row["title"] = article.title or row.get("feed_title") or ""
    row["author"] = article.author or row.get("feed_author") or None
    row["description"] = article.description or None
    row["outlet"] = article.site_name or row.get("outlet") or row.get("host")
    if article.status == "ok":
        text, source = article.text, "page"
    else:
        # A teaser or paywall: classify what the feed said about the article, and say so.
        text = "\n\n".join(part for part in (row.get("feed_summary"), article.text) if part)
        source = "feed_summary"
    row["text"] = text or None
    row["text_source"] = source if text else None
    row["word_count"] = len(text.split()) if text else 0
    row["content_hash"] = hashlib.sha256(" ".join(text.split()).lower().encode()).hexdigest() if text else None
    published, date_source = best_date(row.get("feed_published_at"), article.published_date, row["discovered_at"])
    row["published_at"] = published
    row["date_source"] = date_source
    language = _normalise_language(article.language)
    if not language and text:
        language = guess_language(text)
    row["language"] = language
    return row


def best_date(feed_date: datetime | None, page_date: str | None, discovered: datetime) -> tuple[datetime, str]:
    """The date used for weekly bucketing, and where it came from.

    The feed's date carries a time and a zone and is what the publisher announced; the page's date (trafilatura
    reads meta tags, JSON-LD and the visible dateline) comes second; the discovery time is the last resort.
    """
    if feed_date is not None:
        return feed_date, "feed"
    if page_date:
        try:
            return datetime.fromisoformat(page_date[:10]).replace(tzinfo=UTC), "page"
        except ValueError:
            pass
    return discovered, "discovered"


def extract_rows(rows: Sequence[dict[str, Any]], pool: ExtractionPool | None = None) -> list[dict[str, Any]]:
    """Extract the fetched pages of a batch (rows carry their page in `_body`) on all cores for big batches."""
    todo = [row for row in rows if row["fetch_status"] == "fetched" and row.get("_body")]
    articles = extract_many([(row["_body"], row["url"]) for row in todo], pool=pool)
    by_url = {row["url"]: apply_extraction(row, article) for row, article in zip(todo, articles, strict=True)}
    return [with_sketch(by_url.get(row["url"], row)) for row in rows]


def with_sketch(row: dict[str, Any]) -> dict[str, Any]:
    """Attach the near-duplicate sketch of the row's text (`_sketch`, not stored in the articles table)."""
    return row | {"_sketch": sketch(row["text"])} if row.get("text") else row


def apply_stories(
    rows: Sequence[dict[str, Any]], candidates: dict[str, tuple[str, tuple[int, ...]]]
) -> list[dict[str, Any]]:
    """Give each row with a sketch its story: the earliest-seen near-duplicate's story, or its own URL."""
    batch = [(row["url"], row["_sketch"]) for row in rows if row.get("_sketch")]
    stories = assign_stories(batch, candidates)
    return [row | {"story_id": stories[row["url"]]} if row["url"] in stories else row for row in rows]


PAGE_COMPRESSION_LEVEL = 1  # see page_row
# The stages of process_fetched, whose CPU seconds a run's summary reports under these names.
WORKER_STAGES = ("extract", "compress", "sketch", "classify")


def page_rows(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Compressed raw pages of the fetched rows, for `pages`: the `_page` a pool worker made, or made here."""
    return [
        row.get("_page") or page_row(row)
        for row in rows
        if row.get("_page") or (row.get("fetch_status") == "fetched" and row.get("_body"))
    ]


def page_row(row: dict[str, Any]) -> dict[str, Any]:
    """The row's page for `pages`, compressed. zlib level 1: nearly as small as the default level 6 for about a
    third of its CPU (docs/benchmarks.md, "Ingest end to end"); the page is compressed once per fetch, in the hot
    loop, and the `compress` stage of `python -m bench.ingest` measures it."""
    return {
        "url": row["url"],
        "fetched_at": row["fetched_at"],
        "content_type": row.get("_content_type") or None,
        "compression": "zlib",
        "bytes": len(row["_body"]),
        "body": zlib.compress(row["_body"], PAGE_COMPRESSION_LEVEL),
    }


def stored_page(row: dict[str, Any]) -> bytes:
    if row.get("_compression") != "zlib":
        raise ValueError(f"unknown page compression {row.get('_compression')!r} for {row['url']}")
    return zlib.decompress(row["_page"])


def storable(row: dict[str, Any]) -> dict[str, Any]:
    """The row without the values that travel beside it between stages (page body, sketch)."""
    return {k: v for k, v in row.items() if not k.startswith("_")}


def _normalise_language(code: str | None) -> str | None:
    if not code:
        return None
    code = code.strip().lower().replace("_", "-").split("-")[0]
    return code if 2 <= len(code) <= 3 and code.isalpha() else None


# --- classification ----------------------------------------------------------------------------------------


def classify_rows(
    rulesets: Sequence[RuleSet],
    rows: Sequence[dict[str, Any]],
    feed_topics: Mapping[str, frozenset[str]] | None = None,
) -> list[tuple[str, StanceResult]]:
    """Each row with text, classified for every rule set, or only for its feed's topics when `feed_topics` names
    them (`[[feeds]] topics`)."""
    results = []
    for row in rows:
        if not row.get("text"):
            continue
        only = (feed_topics or {}).get(row.get("feed_url") or "")
        for ruleset in rulesets:
            if only is not None and ruleset.topic not in only:
                continue
            result = classify(ruleset, title=row.get("title") or "", text=row["text"], language=row.get("language"))
            results.append((row["url"], result))
    return results


# --- the CPU work of a batch, in pool workers --------------------------------------------------------------------

_worker_rulesets: list[RuleSet] = []
_worker_feed_topics: dict[str, frozenset[str]] = {}


def init_worker(rulesets: Sequence[RuleSet], feed_topics: Mapping[str, frozenset[str]] | None = None) -> None:
    """Pool worker set-up (`ExtractionPool(setup=...)`): the run's rule sets (and which feeds are limited to which
    topics), sent once rather than per task."""
    global _worker_rulesets, _worker_feed_topics
    _worker_rulesets = list(rulesets)
    _worker_feed_topics = dict(feed_topics or {})


def process_in_worker(
    rows: Sequence[dict[str, Any]], keep_html: bool
) -> tuple[list[dict[str, Any]], list[tuple[str, StanceResult]], dict[str, float]]:
    return process_fetched(rows, _worker_rulesets, keep_html, _worker_feed_topics)


def process_fetched(
    rows: Sequence[dict[str, Any]],
    rulesets: Sequence[RuleSet],
    keep_html: bool,
    feed_topics: Mapping[str, frozenset[str]] | None = None,
) -> tuple[list[dict[str, Any]], list[tuple[str, StanceResult]], dict[str, float]]:
    """All the CPU work a batch needs between fetching and writing: extraction, the compressed page (`_page`), the
    story sketch and classification. Rows carry their page in `_body`, which is dropped here, so that bodies
    travel no further than this. Returns the rows, their classifications and the CPU seconds (of this thread:
    a pool worker's own work, whatever else the machine runs) spent on each of those four stages."""
    done: list[dict[str, Any]] = []
    results: list[tuple[str, StanceResult]] = []
    seconds = dict.fromkeys(WORKER_STAGES, 0.0)
    clock = time.thread_time
    for row in rows:
        body = row.get("_body")
        started = clock()
        if row.get("fetch_status") == "fetched" and body:
            row = apply_extraction(row, extract_article(body, row["url"]))
            extracted = clock()
            seconds["extract"] += extracted - started
            if keep_html:
                row["_page"] = page_row(row)
            started = clock()
            seconds["compress"] += started - extracted
        row = with_sketch({k: v for k, v in row.items() if k != "_body"})
        sketched = clock()
        seconds["sketch"] += sketched - started
        results += classify_rows(rulesets, [row], feed_topics)
        seconds["classify"] += clock() - sketched
        done.append(row)
    return done, results, seconds
