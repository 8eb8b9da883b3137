"""Warehouse rows for tests, written through the real store functions into a real DuckDB file."""

from __future__ import annotations

from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb

from stance.model import Evidence, StanceResult, Voice
from warehouse import store
from warehouse.db import PAGES_ALIAS, connect, migration_files, pages_path

RUN_AT = datetime(2015, 8, 17, 6, 0, tzinfo=UTC)


def article_row(
    url: str, *, outlet: str, title: str, published: datetime, text: str = "Body text.", **extra: Any
) -> dict[str, Any]:
    row = {
        "url": url,
        "link": url,
        "feed_url": "http://news.example/feed.rss",
        "host": "news.example",
        "feed_title": title,
        "discovered_at": published,
        "fetch_status": "fetched",
        "fetch_attempts": 1,
        "fetched_at": published,
        "http_status": 200,
        "extract_status": "ok",
        "outlet": outlet,
        "title": title,
        "published_at": published,
        "date_source": "feed",
        "language": "en",
        "text": text,
        "text_source": "page",
        "word_count": len(text.split()),
    }
    row.update(extra)
    return row


def result(
    stance: str,
    score: float,
    *,
    snippet: str = "",
    weight: float = 0.0,
    voice: str = "own",
    flags: tuple[str, ...] = (),
    voices: tuple[Voice, ...] = (),
    version: str = "test0version",
    language: str = "en",
) -> StanceResult:
    evidence = ()
    if snippet:
        evidence = (Evidence("en.test.rule", "stance", snippet.split()[0], snippet, weight, voice, language),)  # type: ignore[arg-type]
    return StanceResult(
        topic="amnesty-2015",
        relevant=stance != "off_topic",
        stance=stance,  # type: ignore[arg-type]
        score=score,
        confidence=min(1.0, abs(score) + 0.3),
        ruleset_version=version,
        language=language,
        flags=flags,
        evidence=evidence,
        voices=voices,
    )


def write(
    path: Path, rows: list[dict[str, Any]], results: list[tuple[str, StanceResult]], *, at: datetime = RUN_AT
) -> None:
    with connect(path) as con, store.transaction(con):
        store.save_articles(con, rows)
        store.save_classifications(con, results, at)
        store.start_run(con, "run-1", "ingest", at)
        store.finish_run(con, "run-1", at, "completed", {"articles": len(rows)})


def warehouse_at_version(path: Path, version: int) -> duckdb.DuckDBPyConnection:
    """A warehouse file as an older presswatch left it: migrations up to `version` only, opened with plain DuckDB
    (presswatch's `connect` would upgrade it). The caller adds rows and closes it."""
    con = duckdb.connect(str(path))
    con.execute("SET TimeZone = 'UTC'")
    con.execute(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL)"
    )
    if version >= 7:  # the raw pages' own file, attached as presswatch attaches it
        con.execute(f"ATTACH '{pages_path(path)}' AS {PAGES_ALIAS}")
        con.execute(resources.files("warehouse").joinpath("sql", "pages.sql").read_text(encoding="utf-8"))
    for number, name, sql in migration_files():
        if number <= version:
            con.execute(sql)
            con.execute("INSERT INTO schema_migrations VALUES (?, ?, now())", [number, name])
    return con
