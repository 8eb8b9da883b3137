"""Reads and bulk writes of the ingest pipeline. Rows go in as Arrow tables, one transaction per batch.

Articles and pages come and go as the types of warehouse/rows.py, whose fields name the columns; they become Arrow
tables column by column (`_load_rows`), never row by row.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from operator import attrgetter
from typing import Any

import duckdb
import pyarrow as pa

from stance.model import StanceResult
from warehouse import postgres
from warehouse.db import PAGES_ALIAS
from warehouse.postgres import is_postgres
from warehouse.rows import ARTICLE_COLUMNS, PAGE_COLUMNS, TEXT_COLUMNS, ArticleRow, ArticleText, PageRow, StoredPage

# Failures worth another try in a later run (the host may come back); others are final for that URL.
TRANSIENT_FETCH_ERRORS = ("timeout", "connect_error", "http_error", "host_backoff", "dns_error", "http_429")
MAX_FETCH_ATTEMPTS = 3

_ARTICLE_LIST = ", ".join(ARTICLE_COLUMNS)
_PREFIXED_ARTICLE_LIST = ", ".join(f"a.{c}" for c in ARTICLE_COLUMNS)
_TEXT_LIST = ", ".join(TEXT_COLUMNS)

_TS = pa.timestamp("us", tz="UTC")
# The Arrow type of each column of `articles` that is not text.
_ARTICLE_TYPES = {
    "feed_published_at": _TS, "discovered_at": _TS, "fetched_at": _TS, "published_at": _TS,
    "fetch_attempts": pa.int32(), "http_status": pa.int32(), "word_count": pa.int32(), "sketch": pa.list_(pa.int64()),
}  # fmt: skip
ARTICLE_SCHEMA = pa.schema([(name, _ARTICLE_TYPES.get(name, pa.string())) for name in ARTICLE_COLUMNS])


@dataclass(frozen=True, slots=True)
class FeedState:
    url: str
    etag: str | None
    last_modified: str | None
    body_hash: str | None
    consecutive_failures: int
    last_fetched_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class FeedOutcome:
    feed_url: str
    name: str
    outcome: str  # ok | not_modified | unchanged | failed
    http_status: int | None = None
    error: str | None = None
    detail: str = ""
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    title: str = ""
    site_url: str = ""
    entries: int = 0
    new_entries: int = 0


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    con.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def atomically(con: Any, work: Callable[[], None]) -> int:
    """Run `work` in one transaction. On the shared store, a transaction PostgreSQL aborts because another writer
    got there first (a deadlock, or a key it committed a moment before) is rolled back and run again, a few times;
    the DuckDB file has one writer and runs it once. Returns how many times it was retried."""
    for attempt in range(postgres.MAX_TRANSACTION_TRIES):
        try:
            with transaction(con):
                work()
            return attempt
        except Exception as exc:
            if not is_postgres(con) or not postgres.retryable(exc) or attempt + 1 == postgres.MAX_TRANSACTION_TRIES:
                raise
            postgres.pause(attempt)
    raise AssertionError("unreachable")


def _load(con: duckdb.DuckDBPyConnection, name: str, rows: Sequence[dict[str, Any]], schema: pa.Schema) -> None:
    """Register `rows` as a relation `name` for one INSERT ... SELECT (bulk, never row by row)."""
    con.register(name, pa.Table.from_pylist(list(rows), schema=schema))


def _load_rows(con: duckdb.DuckDBPyConnection, name: str, rows: Sequence[object], schema: pa.Schema) -> None:
    """Register dataclass rows (warehouse/rows.py) as a relation `name`: one column of the schema at a time,
    each read from the rows' attribute of that name."""
    columns = {column: list(map(attrgetter(column), rows)) for column in schema.names}
    con.register(name, pa.Table.from_pydict(columns, schema=schema))


def _article_rows(cursor: Any) -> list[ArticleRow]:
    """The cursor's rows (columns of `articles`, named as in its SELECT) as `ArticleRow`s."""
    return _article_rows_of([d[0] for d in cursor.description], cursor.fetchall())


def _article_rows_of(names: Sequence[str], values: Sequence[Sequence[Any]]) -> list[ArticleRow]:
    rows = [ArticleRow(**dict(zip(names, row, strict=True))) for row in values]
    if "sketch" not in names:
        return rows
    # Both engines return a list for the BIGINT[] column; the row's sketch is a tuple, as extractors/dedupe.py
    # makes it.
    return [replace(row, sketch=tuple(row.sketch)) if row.sketch is not None else row for row in rows]


def _article_texts(cursor: Any) -> list[ArticleText]:
    return [ArticleText(*row) for row in cursor.fetchall()]


# --- feeds -------------------------------------------------------------------------------------------------


def feed_states(con: duckdb.DuckDBPyConnection) -> dict[str, FeedState]:
    rows = con.execute("SELECT url, etag, last_modified, body_hash, consecutive_failures FROM feeds").fetchall()
    return {r[0]: FeedState(*r) for r in rows}


_FEED_OUTCOME_SCHEMA = pa.schema(
    [
        ("feed_url", pa.string()), ("name", pa.string()), ("outcome", pa.string()), ("http_status", pa.int32()),
        ("error", pa.string()), ("detail", pa.string()), ("etag", pa.string()), ("last_modified", pa.string()),
        ("body_hash", pa.string()), ("title", pa.string()), ("site_url", pa.string()), ("entries", pa.int32()),
        ("new_entries", pa.int32()),
    ]
)  # fmt: skip


def record_feed_outcomes(
    con: duckdb.DuckDBPyConnection, run_id: str, at: datetime, outcomes: Sequence[FeedOutcome]
) -> None:
    """Update each feed's state and health counters and log this fetch; call inside a transaction."""
    if not outcomes:
        return
    _load(con, "feed_batch", [asdict(o) for o in outcomes], _FEED_OUTCOME_SCHEMA)
    con.execute(
        "INSERT INTO feeds (url, name, added_at) SELECT feed_url, name, $at FROM feed_batch "
        "WHERE feed_url NOT IN (SELECT url FROM feeds)",
        {"at": at},
    )
    con.execute(
        """
        UPDATE feeds SET
            name = coalesce(nullif(b.name, ''), feeds.name),
            title = coalesce(nullif(b.title, ''), feeds.title),
            site_url = coalesce(nullif(b.site_url, ''), feeds.site_url),
            etag = CASE WHEN b.outcome IN ('ok', 'unchanged') THEN b.etag ELSE feeds.etag END,
            last_modified = CASE WHEN b.outcome IN ('ok', 'unchanged')
                                 THEN b.last_modified ELSE feeds.last_modified END,
            body_hash = coalesce(b.body_hash, feeds.body_hash),
            last_fetched_at = $at,
            last_success_at = CASE WHEN b.outcome <> 'failed' THEN $at ELSE feeds.last_success_at END,
            last_new_item_at = CASE WHEN b.new_entries > 0 THEN $at ELSE feeds.last_new_item_at END,
            last_status = b.http_status,
            consecutive_failures = CASE WHEN b.outcome = 'failed' THEN feeds.consecutive_failures + 1 ELSE 0 END,
            last_error = CASE WHEN b.outcome = 'failed' THEN b.error ELSE feeds.last_error END,
            last_error_detail = CASE WHEN b.outcome = 'failed' THEN b.detail ELSE feeds.last_error_detail END,
            not_modified_count = feeds.not_modified_count + CASE WHEN b.outcome = 'not_modified' THEN 1 ELSE 0 END
        FROM feed_batch b WHERE feeds.url = b.feed_url
        """,
        {"at": at},
    )
    con.execute(
        "DELETE FROM feed_fetches WHERE run_id = $run AND feed_url IN (SELECT feed_url FROM feed_batch)",
        {"run": run_id},
    )
    con.execute(
        "INSERT INTO feed_fetches SELECT $run, feed_url, $at, outcome, http_status, error, detail, entries, "
        "new_entries FROM feed_batch",
        {"run": run_id, "at": at},
    )
    con.unregister("feed_batch")


# --- articles ----------------------------------------------------------------------------------------------


def add_discovered(con: duckdb.DuckDBPyConnection, rows: Sequence[ArticleRow]) -> int:
    """Insert newly discovered articles (fetch_status 'pending'); URLs already known are left alone.

    Returns how many were new. The anti-join runs in DuckDB on the primary-key index, not in Python.
    """
    if not rows:
        return 0
    _load_rows(con, "discovered", rows, ARTICLE_SCHEMA)
    if is_postgres(con):
        # Two shards may list the same article at the same moment: the key decides, and the one that comes
        # second leaves it alone (its feed's shard fetches it).
        cursor = con.execute(
            f"INSERT INTO articles ({_ARTICLE_LIST}) SELECT {_ARTICLE_LIST} FROM "
            "(SELECT DISTINCT ON (url) * FROM discovered ORDER BY url, discovered_at) d "
            "ORDER BY url ON CONFLICT (url) DO NOTHING"
        )
        con.unregister("discovered")
        return int(cursor.rowcount)
    before = _count(con, "articles")
    con.execute(
        f"INSERT INTO articles ({_ARTICLE_LIST}) SELECT {_ARTICLE_LIST} FROM "
        "(SELECT DISTINCT ON (url) * FROM discovered ORDER BY url, discovered_at) d "
        "WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.url = d.url)"
    )
    con.unregister("discovered")
    return _count(con, "articles") - before


def known_urls(con: duckdb.DuckDBPyConnection, urls: Sequence[str]) -> set[str]:
    """Which of `urls` the warehouse already holds (a join on the primary key, not a scan into Python)."""
    if not urls:
        return set()
    _load(con, "probe", [{"url": u} for u in set(urls)], pa.schema([("url", pa.string())]))
    found = {row[0] for row in con.execute("SELECT p.url FROM probe p JOIN articles a USING (url)").fetchall()}
    con.unregister("probe")
    return found


_PENDING = f"""
    (fetch_status = 'pending'
     OR (fetch_status = 'failed' AND fetch_error IN ({", ".join("?" for _ in TRANSIENT_FETCH_ERRORS)})
         AND fetch_attempts < ?)
     OR (fetch_status = 'failed' AND fetch_error LIKE 'http_5%' AND fetch_attempts < ?))
"""
_PENDING_ARGS = [*TRANSIENT_FETCH_ERRORS, MAX_FETCH_ATTEMPTS, MAX_FETCH_ATTEMPTS]


def _feeds_filter(feeds: Sequence[str] | None) -> tuple[str, list[Any]]:
    """A shard's articles: those its feeds listed first (`feed_url`). None: every article."""
    if feeds is None:
        return "", []
    return "AND feed_url = ANY(?)", [list(feeds)]


def pending_articles(
    con: duckdb.DuckDBPyConnection,
    limit: int,
    after: tuple[datetime, str] | None = None,
    feeds: Sequence[str] | None = None,
) -> list[ArticleRow]:
    """Articles discovered but not yet fetched, and transient failures still worth a retry, oldest first.

    `after` (the `discovered_at` and `url` of the last row of the previous page) reads them page by page: a run
    never holds all of them at once, and a row it has just written back as a transient failure lies behind the
    cursor, so it is retried by the next run, not again by this one."""
    cursor_sql, cursor_args = "", []
    if after is not None:
        cursor_sql = "AND (discovered_at > ? OR (discovered_at = ? AND url > ?))"
        cursor_args = [after[0], after[0], after[1]]
    feeds_sql, feeds_args = _feeds_filter(feeds)
    cursor = con.execute(
        f"""
        SELECT {", ".join(c for c in ARTICLE_COLUMNS if c != "sketch")} FROM articles
        WHERE {_PENDING} {feeds_sql} {cursor_sql}
        ORDER BY discovered_at, url
        LIMIT ?
        """,
        [*_PENDING_ARGS, *feeds_args, *cursor_args, limit],
    )
    return _article_rows(cursor)


def count_pending(con: duckdb.DuckDBPyConnection, feeds: Sequence[str] | None = None) -> int:
    feeds_sql, feeds_args = _feeds_filter(feeds)
    query = f"SELECT count(*) FROM articles WHERE {_PENDING} {feeds_sql}"
    return int(con.execute(query, [*_PENDING_ARGS, *feeds_args]).fetchall()[0][0])


def unclassified_articles(
    con: duckdb.DuckDBPyConnection, topic: str, version: str, limit: int, after: str = ""
) -> list[ArticleText]:
    """Fetched articles with text that have no classification for this topic and ruleset version, in URL order
    after `after` (keyset paging: rows a caller leaves unclassified, e.g. of a feed limited to other topics, are
    not handed out again)."""
    cursor = con.execute(
        f"""
        SELECT {_TEXT_LIST} FROM articles a
        WHERE text IS NOT NULL AND url > ? AND NOT EXISTS (
            SELECT 1 FROM classifications c WHERE c.url = a.url AND c.topic = ? AND c.ruleset_version = ?)
        ORDER BY url LIMIT ?
        """,
        [after, topic, version, limit],
    )
    return _article_texts(cursor)


def stored_texts(con: duckdb.DuckDBPyConnection, limit: int, offset: int) -> list[ArticleText]:
    cursor = con.execute(
        f"SELECT {_TEXT_LIST} FROM articles WHERE text IS NOT NULL ORDER BY url LIMIT ? OFFSET ?", [limit, offset]
    )
    return _article_texts(cursor)


def save_articles(con: duckdb.DuckDBPyConnection, rows: Sequence[ArticleRow]) -> None:
    """Replace the given articles' rows (delete, then insert the batch); call inside a transaction."""
    if not rows:
        return
    _load_rows(con, "article_batch", rows, ARTICLE_SCHEMA)
    con.execute("DELETE FROM articles WHERE url IN (SELECT url FROM article_batch)")
    con.execute(f"INSERT INTO articles ({_ARTICLE_LIST}) SELECT {_ARTICLE_LIST} FROM article_batch")
    con.unregister("article_batch")


# --- raw pages -------------------------------------------------------------------------------------------------

_PAGE_TYPES = {"fetched_at": _TS, "bytes": pa.int32(), "body": pa.binary()}
_PAGE_SCHEMA = pa.schema([(name, _PAGE_TYPES.get(name, pa.string())) for name in PAGE_COLUMNS])
_PAGE_LIST = ", ".join(PAGE_COLUMNS)


def save_pages(con: duckdb.DuckDBPyConnection, pages: Sequence[PageRow]) -> None:
    """Store compressed raw pages, replacing a URL's earlier page. In a transaction of their own: they live in the
    warehouse's pages file, and DuckDB writes one file per transaction (warehouse/db.py)."""
    if not pages:
        return
    _load_rows(con, "page_batch", pages, _PAGE_SCHEMA)
    con.execute(f"DELETE FROM {PAGES_ALIAS}.pages WHERE url IN (SELECT url FROM page_batch)")
    con.execute(f"INSERT INTO {PAGES_ALIAS}.pages ({_PAGE_LIST}) SELECT {_PAGE_LIST} FROM page_batch")
    con.unregister("page_batch")


def stored_pages(con: duckdb.DuckDBPyConnection, after_url: str, limit: int) -> list[StoredPage]:
    """Articles with a stored page, in URL order after `after_url` (keyset paging), each with its page's body
    (compressed) and compression."""
    cursor = con.execute(
        f"SELECT {_PREFIXED_ARTICLE_LIST}, p.compression, p.body "
        "FROM articles a JOIN pages p USING (url) WHERE a.url > ? ORDER BY a.url LIMIT ?",
        [after_url, limit],
    )
    found = cursor.fetchall()
    width = len(ARTICLE_COLUMNS)
    articles = _article_rows_of(ARTICLE_COLUMNS, [row[:width] for row in found])
    return [StoredPage(article, row[width], row[width + 1]) for article, row in zip(articles, found, strict=True)]


# --- stories (wire copies) ----------------------------------------------------------------------------------

_PROBE_SCHEMA = pa.schema([("url", pa.string()), ("h", pa.int64())])
_SKETCH_SCHEMA = pa.schema([("url", pa.string()), ("h", pa.int64()), ("seen_at", pa.timestamp("us", tz="UTC"))])


def story_candidates(
    con: duckdb.DuckDBPyConnection, sketches: dict[str, tuple[int, ...]], min_shared: int, since: datetime
) -> dict[str, tuple[str, tuple[int, ...]]]:
    """Articles seen at or after `since` that share at least `min_shared` sketch values with one of `sketches`:
    url -> (story, sketch).

    Two steps whose cost does not grow with the warehouse: one scan of the `h` values seen since `since` (DuckDB
    skips the older row groups by their min/max `seen_at`, and filters the rest by a Bloom filter of the batch's
    values) finds the few stored articles that share values; their whole sketches then come from
    `articles.sketch` through the articles' primary key."""
    if not sketches:
        return {}
    _load(con, "probe_sketch", [{"url": u, "h": h} for u, sk in sketches.items() for h in sk], _PROBE_SCHEMA)
    hits = [
        row[0]
        for row in con.execute(
            """
            SELECT DISTINCT url FROM (
                SELECT s.url FROM sketches s JOIN probe_sketch p ON s.h = p.h AND s.url <> p.url
                WHERE s.seen_at >= $since
                GROUP BY p.url, s.url HAVING count(*) >= $min
            ) shared
            """,
            {"min": min_shared, "since": since},
        ).fetchall()
    ]
    con.unregister("probe_sketch")
    if not hits:
        return {}
    rows = [
        row
        for chunk in _chunks(hits)
        for row in con.execute(
            "SELECT url, coalesce(story_id, url), sketch FROM articles WHERE url = ANY($urls)", {"urls": chunk}
        ).fetchall()
    ]
    found = {url: (story, tuple(hashes)) for url, story, hashes in rows if hashes is not None}
    missing = [url for url, _story, hashes in rows if hashes is None]
    if missing:
        # Rows written into `sketches` without `articles.sketch` (by hand or by another tool): read them there.
        stories = {url: story for url, story, _ in rows}
        aggregate = "array_agg" if is_postgres(con) else "list"
        for url, hashes in con.execute(
            f"SELECT url, {aggregate}(h ORDER BY h) FROM sketches WHERE url = ANY($urls) GROUP BY url",
            {"urls": missing},
        ).fetchall():
            found[url] = (stories[url], tuple(hashes))
    return found


def sketched_urls(con: duckdb.DuckDBPyConnection, urls: Sequence[str]) -> list[str]:
    """Which of `urls` may already have rows in `sketches` (stored with a story): a primary-key lookup."""
    if not urls:
        return []
    return [
        row[0]
        for chunk in _chunks(urls)
        for row in con.execute(
            "SELECT url FROM articles WHERE url = ANY($urls) AND (story_id IS NOT NULL OR sketch IS NOT NULL)",
            {"urls": chunk},
        ).fetchall()
    ]


# DuckDB turns a list of at most 50 keys into a filter the primary-key index answers (its
# dynamic_or_filter_threshold); a longer list scans the table: 0.7 s for 200 URLs at a million articles
# against a few milliseconds for four lists of 50.
_KEY_LIST = 50


def _chunks(urls: Sequence[str]) -> Iterator[list[str]]:
    urls = list(urls)
    for start in range(0, len(urls), _KEY_LIST):
        yield urls[start : start + _KEY_LIST]


def save_sketches(
    con: duckdb.DuckDBPyConnection,
    sketches: dict[str, tuple[int, ...]],
    seen: Mapping[str, datetime],
    replace: Sequence[str] = (),
) -> None:
    """Append the sketches' values, each with its article's discovery time from `seen`; rows of the `replace`
    URLs (sketched before) are deleted first. New articles, the common case, cost an append only: `sketches` has
    no index to update and no key to check, and appends in discovery order keep each row group's `seen_at` range
    narrow (story_candidates relies on it)."""
    if replace:
        con.execute("DELETE FROM sketches WHERE url = ANY($urls)", {"urls": list(replace)})
    if not sketches:
        return
    rows = [{"url": u, "h": h, "seen_at": seen[u]} for u in sorted(sketches, key=seen.__getitem__) for h in sketches[u]]
    _load(con, "sketch_batch", rows, _SKETCH_SCHEMA)
    con.execute("INSERT INTO sketches SELECT DISTINCT url, h, seen_at FROM sketch_batch ORDER BY seen_at")
    con.unregister("sketch_batch")


def unsketched_articles(con: duckdb.DuckDBPyConnection, limit: int) -> list[ArticleRow]:
    """Articles with text but no story yet (stored before schema version 2, or by a killed run)."""
    cursor = con.execute(
        f"SELECT {_ARTICLE_LIST} FROM articles WHERE text IS NOT NULL AND story_id IS NULL "
        "ORDER BY discovered_at, url LIMIT ?",
        [limit],
    )
    return _article_rows(cursor)


# --- classifications ---------------------------------------------------------------------------------------

_CLASSIFICATION_SCHEMA = pa.schema(
    [
        ("url", pa.string()), ("topic", pa.string()), ("ruleset_version", pa.string()), ("classified_at", _TS),
        ("relevant", pa.bool_()), ("stance", pa.string()), ("score", pa.float64()), ("confidence", pa.float64()),
        ("language", pa.string()), ("flags", pa.list_(pa.string())),
    ]
)  # fmt: skip
_EVIDENCE_SCHEMA = pa.schema(
    [
        ("url", pa.string()), ("topic", pa.string()), ("ruleset_version", pa.string()), ("seq", pa.int32()),
        ("rule_id", pa.string()), ("kind", pa.string()), ("matched", pa.string()), ("snippet", pa.string()),
        ("weight", pa.float64()), ("voice", pa.string()), ("language", pa.string()),
    ]
)  # fmt: skip
_VOICE_SCHEMA = pa.schema(
    [
        ("url", pa.string()), ("topic", pa.string()), ("ruleset_version", pa.string()), ("name", pa.string()),
        ("side", pa.string()), ("mentions", pa.int32()), ("snippet", pa.string()),
    ]
)  # fmt: skip


def save_classifications(
    con: duckdb.DuckDBPyConnection, results: Sequence[tuple[str, StanceResult]], at: datetime
) -> None:
    """Store (url, result) pairs with their evidence and voices, replacing earlier rows of the same ruleset
    version (earlier versions are kept for comparison); call inside a transaction."""
    if not results:
        return
    classifications: list[dict[str, Any]] = []
    evidence: list[dict[str, Any]] = []
    voices: list[dict[str, Any]] = []
    for url, r in results:
        key: dict[str, Any] = {"url": url, "topic": r.topic, "ruleset_version": r.ruleset_version}
        classifications.append(
            key | {"classified_at": at, "relevant": r.relevant, "stance": r.stance, "score": r.score,
                   "confidence": r.confidence, "language": r.language, "flags": list(r.flags)}
        )  # fmt: skip
        for seq, e in enumerate(r.evidence):
            evidence.append(
                key | {"seq": seq, "rule_id": e.rule_id, "kind": e.kind, "matched": e.matched, "snippet": e.snippet,
                       "weight": e.weight, "voice": e.voice, "language": e.language}
            )  # fmt: skip
        seen: set[str] = set()
        for v in r.voices:
            if v.name not in seen:
                seen.add(v.name)
                voices.append(key | {"name": v.name, "side": v.side, "mentions": v.mentions, "snippet": v.snippet})
    _load(con, "c_batch", classifications, _CLASSIFICATION_SCHEMA)
    _load(con, "e_batch", evidence, _EVIDENCE_SCHEMA)
    _load(con, "v_batch", voices, _VOICE_SCHEMA)
    same_key = (
        "EXISTS (SELECT 1 FROM c_batch b WHERE b.url = t.url AND b.topic = t.topic "
        "AND b.ruleset_version = t.ruleset_version)"
    )
    # Evidence and voices are written with their classification, so when no classification of the batch exists
    # yet (new articles: the usual case) their much larger tables need no scan.
    replaced = con.execute(f"SELECT count(*) FROM classifications t WHERE {same_key}").fetchall()[0][0]
    if replaced:
        for table in ("classifications", "evidence", "voices"):
            con.execute(f"DELETE FROM {table} t WHERE {same_key}")
    con.execute("INSERT INTO classifications SELECT * FROM c_batch")
    con.execute("INSERT INTO evidence SELECT * FROM e_batch")
    con.execute("INSERT INTO voices SELECT * FROM v_batch")
    for name in ("c_batch", "e_batch", "v_batch"):
        con.unregister(name)


# --- runs --------------------------------------------------------------------------------------------------


def close_interrupted_runs(con: duckdb.DuckDBPyConnection, flow: str, at: datetime, shard: str | None = None) -> int:
    """Mark runs of this flow and shard left 'running' by a process that died as failed; call while holding the
    run lock (another shard's running run is its own business)."""
    same = "flow = ? AND status = 'running' AND shard IS NOT DISTINCT FROM ?"
    found = con.execute(f"SELECT count(*) FROM runs WHERE {same}", [flow, shard]).fetchall()[0][0]
    con.execute(
        "UPDATE runs SET status = 'failed', finished_at = ?, "
        'summary = coalesce(summary, \'{"error": "interrupted: the process ended before the run finished"}\') '
        f"WHERE {same}",
        [at, flow, shard],
    )
    return int(found)


def completed_runs(con: duckdb.DuckDBPyConnection, flow: str) -> int:
    query = "SELECT count(*) FROM runs WHERE flow = ? AND status = 'completed'"
    return int(con.execute(query, [flow]).fetchall()[0][0])


def start_run(con: duckdb.DuckDBPyConnection, run_id: str, flow: str, at: datetime, shard: str | None = None) -> None:
    con.execute(
        "INSERT INTO runs (run_id, flow, started_at, finished_at, status, summary, shard) "
        "VALUES (?, ?, ?, NULL, 'running', NULL, ?) ON CONFLICT (run_id) DO UPDATE SET flow = excluded.flow, "
        "started_at = excluded.started_at, finished_at = NULL, status = 'running', summary = NULL, "
        "shard = excluded.shard",
        [run_id, flow, at, shard],
    )


def finish_run(con: duckdb.DuckDBPyConnection, run_id: str, at: datetime, status: str, summary: dict[str, Any]) -> None:
    con.execute(
        "UPDATE runs SET finished_at = ?, status = ?, summary = ? WHERE run_id = ?",
        [at, status, json.dumps(summary, default=str), run_id],
    )


def count_rows(con: duckdb.DuckDBPyConnection, table: str, where: str = "true") -> int:
    """Rows of one of our tables matching a fixed condition written in our code (never user input)."""
    return int(con.execute(f"SELECT count(*) FROM {table} WHERE {where}").fetchall()[0][0])


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    # fetchall, not fetchone: DuckDB 2 refuses further work on a connection with an unfinished result.
    return int(con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0])
