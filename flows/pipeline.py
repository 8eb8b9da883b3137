"""The ingest stages as plain functions: values in, values out. Prefect tasks in flows/ingest.py wrap them.

An article moves through them as an `ArticleInFlight`: its `articles` row (warehouse/rows.py) as far as the
stages have filled it, with the fetched page and its compressed copy for `pages` beside it until the batch is written.

Each stage is idempotent and keyed by canonical URL: discovered articles are stored before anything is fetched,
and a batch's fetch, extraction and classification are written in one transaction, so a run killed at any point
is finished by the next one with nothing lost and nothing counted twice.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
import zlib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
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
from warehouse.rows import ArticleRow, ArticleText, DateSource, FetchStatus, PageRow, StoredPage, TextSource
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


def discovered_rows(entries: Sequence[FeedEntry], feed_titles: dict[str, str], at: datetime) -> list[ArticleRow]:
    return [
        ArticleRow(
            url=entry.url,
            link=entry.link,
            feed_url=entry.feed_url,
            host=urlsplit(entry.url).hostname or "",
            feed_title=entry.title,
            feed_summary=entry.summary,
            feed_author=entry.author,
            feed_published_at=entry.published_at,
            discovered_at=at,
            fetch_status="pending",
            fetch_attempts=0,
            outlet=feed_titles.get(entry.feed_url) or None,
        )
        for entry in entries
    ]


def count_new_per_feed(entries: Sequence[FeedEntry], known: set[str]) -> dict[str, int]:
    new: dict[str, int] = {}
    seen = set(known)
    for entry in entries:
        if entry.url not in seen:
            seen.add(entry.url)
            new[entry.feed_url] = new.get(entry.feed_url, 0) + 1
    return new


# --- articles ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ArticleInFlight:
    """One article of a batch between its fetch and its write: the row, and what travels beside it (never stored
    in `articles`)."""

    row: ArticleRow
    body: bytes = b""  # the fetched page, until extraction (process_fetched drops it: bodies travel no further)
    content_type: str = ""  # the page's Content-Type, for `pages`
    page: PageRow | None = None  # the page for `pages`, compressed where it was extracted (`[warehouse] keep_html`)

    @property
    def has_page(self) -> bool:
        """Whether there is a fetched page to extract."""
        return self.row.fetch_status == "fetched" and bool(self.body)


def page_requests(pending: Sequence[ArticleRow]) -> list[FetchRequest]:
    # Fetch the link as the feed wrote it: some sites need their own parameters; the canonical URL stays the key.
    return [FetchRequest(url=row.link, kind="page") for row in pending]


def apply_fetch(row: ArticleRow, result: FetchResult, at: datetime) -> ArticleInFlight:
    """The row after its page's fetch, with the page beside it."""
    if result.ok and not result.not_modified:
        status: FetchStatus = "fetched"
        error, detail = None, None
    else:
        status = "failed"
        error = result.error or "not_modified"
        detail = result.detail or "the server answered 304 to an unconditional request"
    fetched = replace(
        row,
        fetch_attempts=row.fetch_attempts + 1,
        fetched_at=at,
        final_url=result.final_url,
        http_status=result.status,
        fetch_status=status,
        fetch_error=error,
        fetch_detail=detail,
    )
    return ArticleInFlight(fetched, result.body, result.content_type)


def apply_extraction(row: ArticleRow, article: Article) -> ArticleRow:
    """Merge extracted text and metadata into the article row; the feed's own data fills the gaps."""
    text_source: TextSource
    if article.status == "ok":
        text, text_source = article.text, "page"
    else:
        # A teaser or paywall: classify what the feed said about the article, and say so.
        text = "\n\n".join(part for part in (row.feed_summary, article.text) if part)
        text_source = "feed_summary"
    published, date_source = best_date(row.feed_published_at, article.published_date, row.discovered_at)
    language = _normalise_language(article.language)
    if not language and text:
        language = guess_language(text)
    return replace(
        row,
        extract_status=article.status,
        extract_detail=article.detail or None,
        title=article.title or row.feed_title or "",
        author=article.author or row.feed_author or None,
        description=article.description or None,
        outlet=article.site_name or row.outlet or row.host,
        text=text or None,
        text_source=text_source if text else None,
        word_count=len(text.split()) if text else 0,
        content_hash=hashlib.sha256(" ".join(text.split()).lower().encode()).hexdigest() if text else None,
        published_at=published,
        date_source=date_source,
        language=language,
    )


def best_date(feed_date: datetime | None, page_date: str | None, discovered: datetime) -> tuple[datetime, DateSource]:
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


def extract_rows(articles: Sequence[ArticleInFlight], pool: ExtractionPool | None = None) -> list[ArticleRow]:
    """Extract the fetched pages of a batch on all cores for big batches; the rows, each with its sketch."""
    todo = [article for article in articles if article.has_page]
    extracted = extract_many([(a.body, a.row.url) for a in todo], pool=pool)
    by_url = {a.row.url: apply_extraction(a.row, found) for a, found in zip(todo, extracted, strict=True)}
    return [with_sketch(by_url.get(a.row.url, a.row)) for a in articles]


def with_sketch(row: ArticleRow) -> ArticleRow:
    """The row with the near-duplicate sketch of its text (none without text)."""
    return replace(row, sketch=sketch(row.text) if row.text else None)


def apply_stories(rows: Sequence[ArticleRow], candidates: dict[str, tuple[str, tuple[int, ...]]]) -> list[ArticleRow]:
    """Give each row with a sketch its story: the earliest-seen near-duplicate's story, or its own URL."""
    batch = [(row.url, row.sketch) for row in rows if row.sketch]
    stories = assign_stories(batch, candidates)
    return [replace(row, story_id=stories[row.url]) if row.url in stories else row for row in rows]


PAGE_COMPRESSION_LEVEL = 1  # see page_row
# The stages of process_fetched, whose CPU seconds a run's summary reports under these names.
WORKER_STAGES = ("extract", "compress", "sketch", "classify")


def page_rows(articles: Sequence[ArticleInFlight]) -> list[PageRow]:
    """Compressed raw pages of the fetched articles, for `pages`: the page a pool worker made, or made here."""
    return [article.page or page_row(article) for article in articles if article.page or article.has_page]


def page_row(article: ArticleInFlight) -> PageRow:
    """The article's page for `pages`, compressed. zlib level 1: nearly as small as the default level 6 for about
    a third of its CPU (docs/benchmarks.md, "Ingest end to end"); the page is compressed once per fetch, in the hot
    loop, and the `compress` stage of `python -m bench.ingest` measures it."""
    assert article.row.fetched_at is not None, "a fetched article has its fetch time"
    return PageRow(
        url=article.row.url,
        fetched_at=article.row.fetched_at,
        content_type=article.content_type or None,
        compression="zlib",
        bytes=len(article.body),
        body=zlib.compress(article.body, PAGE_COMPRESSION_LEVEL),
    )


def stored_page(stored: StoredPage) -> ArticleInFlight:
    """A stored article with its page uncompressed, ready to be extracted again."""
    if stored.compression != "zlib":
        raise ValueError(f"unknown page compression {stored.compression!r} for {stored.article.url}")
    return ArticleInFlight(replace(stored.article, fetch_status="fetched"), zlib.decompress(stored.body))


def _normalise_language(code: str | None) -> str | None:
    if not code:
        return None
    code = code.strip().lower().replace("_", "-").split("-")[0]
    return code if 2 <= len(code) <= 3 and code.isalpha() else None


# --- classification ----------------------------------------------------------------------------------------


def classify_rows(
    rulesets: Sequence[RuleSet],
    rows: Sequence[ArticleRow | ArticleText],
    feed_topics: Mapping[str, frozenset[str]] | None = None,
) -> list[tuple[str, StanceResult]]:
    """Each row with text, classified for every rule set, or only for its feed's topics when `feed_topics` names
    them (`[[feeds]] topics`)."""
    results = []
    for row in rows:
        if not row.text:
            continue
        only = (feed_topics or {}).get(row.feed_url or "")
        for ruleset in rulesets:
            if only is not None and ruleset.topic not in only:
                continue
            result = classify(ruleset, title=row.title or "", text=row.text, language=row.language)
            results.append((row.url, result))
    return results


# --- the CPU work of a batch, in pool workers --------------------------------------------------------------------

# A warm pool pays its start-up once and then extracts on every core; against the time a page takes, it pays for
# itself from around fifty pages in a run. Start-up and pages/s on one core and on all: `python -m bench.extraction`
# (bench/results/extraction.json).
RUN_POOL_MIN_PAGES = 50

# What process_fetched returns: the articles, their classifications, and CPU seconds per stage.
Processed = tuple[list[ArticleInFlight], list[tuple[str, StanceResult]], dict[str, float]]

_worker_rulesets: list[RuleSet] = []
_worker_feed_topics: dict[str, frozenset[str]] = {}


@contextmanager
def run_pool(
    pages: int, rulesets: Sequence[RuleSet] = (), feed_topics: Mapping[str, frozenset[str]] | None = None
) -> Iterator[ExtractionPool | None]:
    """One extraction pool for a whole run, when the run has enough pages to pay for its start-up. Its workers
    hold the run's rule sets, so that they classify what they extract; they warm up while the first pages are
    being fetched (the pool is not waited for)."""
    if pages < RUN_POOL_MIN_PAGES or (os.cpu_count() or 1) < 2:
        yield None
        return
    setup_args = (list(rulesets), dict(feed_topics or {}))
    with ExtractionPool(wait=False, setup=init_worker, setup_args=setup_args) as pool:
        yield pool


def init_worker(rulesets: Sequence[RuleSet], feed_topics: Mapping[str, frozenset[str]] | None = None) -> None:
    """Pool worker set-up (`ExtractionPool(setup=...)`): the run's rule sets (and which feeds are limited to which
    topics), sent once rather than per task."""
    global _worker_rulesets, _worker_feed_topics
    _worker_rulesets = list(rulesets)
    _worker_feed_topics = dict(feed_topics or {})


def process_in_worker(articles: Sequence[ArticleInFlight], keep_html: bool) -> Processed:
    return process_fetched(articles, _worker_rulesets, keep_html, _worker_feed_topics)


def process_fetched(
    articles: Sequence[ArticleInFlight],
    rulesets: Sequence[RuleSet],
    keep_html: bool,
    feed_topics: Mapping[str, frozenset[str]] | None = None,
) -> Processed:
    """All the CPU work a batch needs between fetching and writing: extraction, the compressed page (`page`), the
    story sketch and classification. The fetched page (`body`) is dropped here, so that bodies travel no further
    than this. Returns the articles, their classifications and the CPU seconds (of this thread: a pool worker's
    own work, whatever else the machine runs) spent on each of those four stages."""
    done: list[ArticleInFlight] = []
    results: list[tuple[str, StanceResult]] = []
    seconds = dict.fromkeys(WORKER_STAGES, 0.0)
    clock = time.thread_time
    for article in articles:
        row, page = article.row, article.page
        started = clock()
        if article.has_page:
            row = apply_extraction(row, extract_article(article.body, row.url))
            extracted = clock()
            seconds["extract"] += extracted - started
            if keep_html:
                page = page_row(article)
            started = clock()
            seconds["compress"] += started - extracted
        row = with_sketch(row)
        sketched = clock()
        seconds["sketch"] += sketched - started
        results += classify_rows(rulesets, [row], feed_topics)
        seconds["classify"] += clock() - sketched
        done.append(replace(article, row=row, body=b"", page=page))
    return done, results, seconds
