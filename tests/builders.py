"""Warehouse rows for tests, written through the real store functions into a real DuckDB file."""

from __future__ import annotations

import io
import sys
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb
import pytest

from flows.settings import Settings, load_settings
from stance.model import Evidence, StanceResult, Voice
from tests.loopback import LoopbackServer
from warehouse import store
from warehouse.db import PAGES_ALIAS, connect, migration_files, pages_path
from warehouse.rows import ArticleRow

RUN_AT = datetime(2015, 8, 17, 6, 0, tzinfo=UTC)


def article_row(
    url: str, *, outlet: str, title: str, published: datetime, text: str = "Body text.", **extra: Any
) -> ArticleRow:
    row = ArticleRow(
        url=url,
        link=url,
        feed_url="http://news.example/feed.rss",
        host="news.example",
        feed_title=title,
        discovered_at=published,
        fetch_status="fetched",
        fetch_attempts=1,
        fetched_at=published,
        http_status=200,
        extract_status="ok",
        outlet=outlet,
        title=title,
        published_at=published,
        date_source="feed",
        language="en",
        text=text,
        text_source="page",
        word_count=len(text.split()),
    )
    return replace(row, **extra)


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
    path: Path, rows: list[ArticleRow], results: list[tuple[str, StanceResult]], *, at: datetime = RUN_AT
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


# --- command line, loopback settings, stance fixtures: shared by several test modules -----------------------------


def run_cli(
    argv: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, stdin: str = ""
) -> tuple[int, str, str]:
    """Run `presswatch ARGV` through its real entry point: (exit code, stdout, stderr)."""
    from flows.cli import main

    monkeypatch.setattr(sys, "argv", ["presswatch", *argv])
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = 0
    try:
        main()
    except SystemExit as exc:
        code = int(exc.code or 0) if not isinstance(exc.code, str) else 1
    out, err = capsys.readouterr()
    return code, out, err


def loopback_settings(tmp_path: Path, server: LoopbackServer) -> Settings:
    """Settings for the loopback news site of tests/fixtures/site: four feeds (two good, one broken, one empty)."""
    lines = [
        "[warehouse]", 'path = "pw.duckdb"', "[reports]", 'dir = "reports"',
        "[fetch]", "allow_private_networks = true", "per_host_delay_s = 0.0", "timeout_s = 5.0",
    ]  # fmt: skip
    for path, name in [
        ("/feed.rss", "Harbour Ledger"),
        ("/feed.atom", ""),
        ("/broken.rss", "Broken"),
        ("/none.rss", ""),
    ]:
        lines += ["[[feeds]]", f'url = "{server.url(path)}"', f'name = "{name}"']
    config = tmp_path / "presswatch.toml"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return load_settings(config)


RULES = Path(__file__).resolve().parent.parent / "topics" / "amnesty-2015.toml"
STANCE_FIXTURES = Path(__file__).parent / "fixtures" / "stance"


@dataclass(frozen=True)
class Fixture:
    """One labelled text of tests/fixtures/stance: a header (title, language, expect), then the text."""

    name: str
    title: str
    language: str | None
    expect: str
    text: str


def read_fixture(path: Path) -> Fixture:
    head, body = path.read_text(encoding="utf-8").split("\n---\n", 1)
    meta = {key.strip(): value.strip() for key, value in (line.split(":", 1) for line in head.splitlines())}
    return Fixture(path.stem, meta["title"], meta["language"] or None, meta["expect"], body)


FIXTURE_FILES = sorted(STANCE_FIXTURES.glob("*.txt"))
