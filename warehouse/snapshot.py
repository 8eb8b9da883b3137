"""Readers that run DuckDB's SQL (the weekly report, `export`, `review`) on either store.

On the DuckDB file they read it directly. On the shared PostgreSQL store they read a snapshot: one read-only,
repeatable-read transaction copies the tables those readers use into an in-memory DuckDB database that has the
file's schema and views (the same migrations build it), so the report's named queries, the analyst views and
Parquet export run unchanged. Article text, sketches and raw pages are left out (no reader of a snapshot needs them:
`text` keeps only whether there is any, which `stories` asks).

A reader of some weeks (a report, `review`) passes their `window`: the snapshot then holds the articles published
in it, the first copies of their stories, the articles that failed in it and the labelled ones, with their
classifications, evidence and voices, every label, feed and run, and each feed's latest successful fetch. Its cost
follows the window, not the warehouse. Without a window (`export`) everything is copied, at a cost in proportion
to the warehouse (docs/scaling.md has the figures). The analysts' own SQL (`presswatch sql`) runs on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import duckdb
import pyarrow as pa

from warehouse.db import PAGES_ALIAS, Location, _sql_file, connect, is_shared, migrate

# The tables a snapshot holds, with what replaces a column the readers do not need (None: copied as it is).
_LEFT_OUT: dict[str, dict[str, str]] = {
    "articles": {"text": "CASE WHEN text IS NULL THEN NULL ELSE '' END", "sketch": "NULL::bigint[]",
                 "feed_summary": "NULL::text"},
}  # fmt: skip
SNAPSHOT_TABLES = ("feeds", "feed_fetches", "articles", "classifications", "evidence", "voices", "labels", "runs")
_ROWS_PER_BATCH = 50_000  # Arrow batches into DuckDB: bounded memory for the copy of a large table


# The articles a windowed snapshot holds (PostgreSQL's SQL; evaluated once per table inside one repeatable-read
# transaction, so every table sees the same set).
_WINDOW_URLS = """
    SELECT url FROM articles WHERE published_at >= %(lo)s AND published_at < %(hi)s
    UNION SELECT story_id FROM articles
          WHERE published_at >= %(lo)s AND published_at < %(hi)s AND story_id IS NOT NULL
    UNION SELECT url FROM articles
          WHERE (fetch_status = 'failed' OR extract_status IN ('too_short', 'empty'))
            AND coalesce(published_at, feed_published_at, discovered_at) >= %(lo)s
            AND coalesce(published_at, feed_published_at, discovered_at) < %(hi)s
    UNION SELECT url FROM labels
"""
_WINDOWED = {
    "articles": f"WHERE url IN ({_WINDOW_URLS})",
    "classifications": f"WHERE url IN ({_WINDOW_URLS})",
    "evidence": f"WHERE url IN ({_WINDOW_URLS})",
    "voices": f"WHERE url IN ({_WINDOW_URLS})",
}
# What the report reads of the fetch log: each feed's latest successful fetch (report_feed_warnings).
_LATEST_OK_FETCHES = "DISTINCT ON (feed_url)", "WHERE outcome = 'ok' ORDER BY feed_url, fetched_at DESC"


@contextmanager
def reading(location: Location, window: tuple[datetime, datetime] | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only DuckDB connection on the warehouse: the file itself, or a snapshot of the shared store, of the
    articles of `window` ([start, end), UTC) when one is given."""
    if not is_shared(location):
        with connect(location, read_only=True) as con:
            yield con
        return
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        con.execute(f"ATTACH ':memory:' AS {PAGES_ALIAS}")
        con.execute(_sql_file("pages.sql"))
        migrate(con)
        copy_snapshot(str(location), con, window)
        yield con
    finally:
        con.close()


def copy_snapshot(
    url: str, target: duckdb.DuckDBPyConnection, window: tuple[datetime, datetime] | None = None
) -> dict[str, int]:
    """Copy SNAPSHOT_TABLES (of `window`, see above) from the PostgreSQL store into `target` (a DuckDB database
    with the same schema), as one consistent state; returns the rows per table."""
    from warehouse.postgres import open_connection

    source = open_connection(url, read_only=True)
    copied = {}
    try:
        source.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        for table in SNAPSHOT_TABLES:
            prefix, where, params = "", "", None
            if window is not None:
                params = {"lo": window[0], "hi": window[1]}
                where = _WINDOWED.get(table, "")
                if table == "feed_fetches":
                    prefix, where = _LATEST_OK_FETCHES
            copied[table] = _copy_table(source, target, table, prefix, where, params)
        source.execute("COMMIT")
    finally:
        source.close()
    return copied


def _copy_table(
    source: Any, target: duckdb.DuckDBPyConnection, table: str, prefix: str, where: str, params: Any
) -> int:
    empty = target.sql(f"SELECT * FROM {table} LIMIT 0").to_arrow_table()  # our table names only
    assert empty is not None
    schema = empty.schema
    replaced = _LEFT_OUT.get(table, {})
    columns = ", ".join(replaced.get(name, name) + (f" AS {name}" if name in replaced else "") for name in schema.names)
    cursor = source.raw.cursor(name=f"snapshot_{table}")  # server-side: the rows come a batch at a time
    cursor.execute(f"SELECT {prefix} {columns} FROM {table} {where}", params)  # our SQL; the window is bound
    total = 0
    while rows := cursor.fetchmany(_ROWS_PER_BATCH):
        batch = pa.Table.from_pydict(
            {name: [row[i] for row in rows] for i, name in enumerate(schema.names)}, schema=schema
        )
        target.register("snapshot_batch", batch)
        target.execute(f"INSERT INTO {table} SELECT * FROM snapshot_batch")
        target.unregister("snapshot_batch")
        total += len(rows)
    cursor.close()
    return total
