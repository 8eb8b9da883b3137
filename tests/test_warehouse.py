from __future__ import annotations

import json
import multiprocessing
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import astuple
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.builders import article_row, result, warehouse_at_version, write
from warehouse import store
from warehouse.analyst import QueryError, run_query
from warehouse.db import WarehouseError, WarehouseLockedError, connect, migration_files, pages_path, schema_version
from warehouse.rows import PAGE_COLUMNS, ArticleRow, PageRow

AUG11 = datetime(2015, 8, 11, 12, 0, tzinfo=UTC)


def test_migrations_are_recorded_and_reopening_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    with connect(path) as con:
        assert schema_version(con) == migration_files()[-1][0]
        tables = {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}
    assert {"articles", "classifications", "evidence", "voices", "feeds", "runs", "labels", "coverage"} <= tables
    with connect(path) as con:
        rows = con.execute("select count(*) from schema_migrations").fetchone()
    assert rows == (len(migration_files()),)


def test_a_warehouse_newer_than_this_software_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    with connect(path) as con:
        con.execute("INSERT INTO schema_migrations VALUES (999, 'from the future', now())")
    with pytest.raises(WarehouseError, match=r"schema version 999, newer than this presswatch knows"), connect(path):
        pass


def test_discovery_is_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    rows = [
        ArticleRow(url=f"http://a.example/{i}", link=f"http://a.example/{i}?utm_source=x", feed_url="f",
                   host="a.example", discovered_at=AUG11, fetch_status="pending", fetch_attempts=0)
        for i in range(5)
    ]  # fmt: skip
    with connect(path) as con:
        assert store.add_discovered(con, rows + rows[:2]) == 5
        assert store.add_discovered(con, rows) == 0
        assert store.known_urls(con, ["http://a.example/1", "http://b.example/"]) == {"http://a.example/1"}
        assert len(store.pending_articles(con, limit=100)) == 5


def test_classifications_replace_same_version_and_keep_older_versions(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    url = "http://a.example/1"
    row = article_row(url, outlet="A", title="T", published=AUG11)
    write(path, [row], [(url, result("supportive", 0.5, snippet="a historic step", weight=2.0, version="v1"))])
    write(path, [row], [(url, result("supportive", 0.6, snippet="a historic step", weight=2.0, version="v1"))])
    later = datetime(2015, 9, 1, tzinfo=UTC)
    write(path, [row], [(url, result("opposed", -0.4, snippet="a betrayal", weight=-2.0, version="v2"))], at=later)
    with connect(path) as con:
        assert con.execute("select count(*) from articles").fetchone() == (1,)
        assert con.execute("select ruleset_version, score from classifications order by 1").fetchall() == [
            ("v1", 0.6),
            ("v2", -0.4),
        ]
        assert con.execute("select count(*) from evidence").fetchone() == (2,)
        assert con.execute("select stance, ruleset_version, week from coverage").fetchall() == [
            ("opposed", "v2", "2015-W33")
        ]


def test_human_label_wins_in_coverage_with_machine_beside_it(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    url = "http://a.example/1"
    write(path, [article_row(url, outlet="A", title="T", published=AUG11)], [(url, result("neutral", 0.05))])
    from warehouse.labels import save_label

    save_label(path, url, "amnesty-2015", "opposed", "the headline calls it a betrayal", "tester")
    with connect(path) as con:
        assert con.execute("select stance, machine_stance, human_stance, relevant from coverage").fetchall() == [
            ("opposed", "neutral", "opposed", True)
        ]


def test_written_rows_read_back_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    url = "http://a.example/ünï"
    text = "Line one.\n\nLine «two» | with pipes and 'quotes' \u2014 done."
    write(
        path, [article_row(url, outlet="Ä", title="T|t", published=AUG11, text=text)], [(url, result("off_topic", 0.0))]
    )
    with connect(path, read_only=True) as con:
        assert con.execute("select url, outlet, title, text, published_at from articles").fetchone() == (
            url, "Ä", "T|t", text, AUG11,
        )  # fmt: skip
        assert con.execute("select relevant, stance, flags from coverage").fetchone() == (False, "off_topic", [])


@pytest.mark.parametrize(
    "statement",
    [
        pytest.param("DROP TABLE articles", id="drop"),
        pytest.param("DELETE FROM articles", id="delete"),
        pytest.param("UPDATE articles SET title = 'x'", id="update"),
        pytest.param("INSERT INTO labels VALUES ('u', 't', 'neutral', NULL, now(), NULL)", id="insert"),
        pytest.param("CREATE TABLE x (a INT)", id="create"),
        pytest.param("ATTACH ':memory:' AS other", id="attach"),
        pytest.param("COPY articles TO '{tmp}/leak.csv'", id="copy-to"),
        pytest.param("SELECT * FROM read_csv('/etc/passwd')", id="read-file"),
        pytest.param("INSTALL httpfs", id="install"),
        pytest.param("LOAD httpfs", id="load"),
        pytest.param("SET enable_external_access = true", id="re-enable"),
    ],
)
def test_analyst_sql_cannot_change_or_leak(tmp_path: Path, statement: str) -> None:
    path = tmp_path / "w.duckdb"
    url = "http://a.example/1"
    write(path, [article_row(url, outlet="A", title="T", published=AUG11)], [(url, result("neutral", 0.0))])
    before = path.read_bytes()
    with pytest.raises(QueryError) as info:
        run_query(path, statement.format(tmp=tmp_path))
    message = str(info.value)
    assert message.splitlines()[0].strip()
    if "read_csv" not in statement:  # a write or a setting: refused before DuckDB with what to do instead
        assert "read-only" in message and "presswatch label" in message
    assert path.read_bytes() == before
    assert not (tmp_path / "leak.csv").exists()


def test_analyst_sql_with_parameters(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    url = "http://a.example/1"
    write(path, [article_row(url, outlet="A", title="T", published=AUG11)], [(url, result("supportive", 0.4))])
    found = run_query(path, "select url, stance from coverage where outlet = $outlet", {"outlet": "A"})
    assert found.columns == ("url", "stance") and found.rows == [(url, "supportive")]


def _hold_lock(path: str, ready: multiprocessing.synchronize.Event, release: multiprocessing.synchronize.Event) -> None:
    con = duckdb.connect(path)
    ready.set()
    release.wait(10)
    con.close()


@contextmanager
def _held_elsewhere(target: Any, path: Path) -> Iterator[int]:
    """Run `target(path, ready, release)` in another process until the block ends; yields its pid."""
    ctx = multiprocessing.get_context("spawn")
    ready, release = ctx.Event(), ctx.Event()
    holder = ctx.Process(target=target, args=(str(path), ready, release))
    holder.start()
    try:
        assert ready.wait(30)
        yield holder.pid or 0
    finally:
        release.set()
        holder.join(10)


def test_locked_warehouse_gives_a_clear_error_after_waiting(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    with connect(path):
        pass
    locked = pytest.raises(WarehouseLockedError, match="locked by another presswatch process")
    with _held_elsewhere(_hold_lock, path), locked, connect(path, read_only=True, wait_s=0.5):
        pass
    with connect(path, read_only=True, wait_s=5) as con:  # free again
        assert con.execute("select 1").fetchall() == [(1,)]


def test_runs_summary_is_json(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    write(path, [], [])
    with connect(path) as con:
        summary = con.execute("select summary from runs").fetchone()
    assert summary is not None and json.loads(summary[0]) == {"articles": 0}


def test_a_version_1_warehouse_upgrades_in_place_without_losing_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    con = warehouse_at_version(path, 1)
    con.execute(
        "INSERT INTO articles (url, link, feed_url, host, discovered_at, fetch_status, text) VALUES "
        "('http://a.example/1', 'http://a.example/1', 'f', 'a.example', now(), 'fetched', 'Some text here.')"
    )
    con.close()
    with connect(path) as con:
        assert schema_version(con) == migration_files()[-1][0] > 1
        assert con.execute("select url, story_id from articles").fetchall() == [("http://a.example/1", None)]
        assert store.unsketched_articles(con, limit=10)[0].url == "http://a.example/1"


def test_pages_are_stored_without_duckdb_compression(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    body = bytes(range(256)) * 40
    with connect(path) as con:
        store.save_pages(con, [_page("http://a.example/1", body)])
        con.execute("CHECKPOINT raw")
        methods = con.execute(
            "select distinct compression from pragma_storage_info('raw.pages') where column_name = 'body'"
            " and segment_type = 'BLOB'"
        ).fetchall()
        assert con.execute("select body from pages").fetchall() == [(body,)]
    assert methods == [("Uncompressed",)]  # zlib output: DuckDB's own compression only cost time


def _page(url: str, body: bytes = b"x") -> PageRow:
    return PageRow(url=url, fetched_at=datetime(2015, 8, 11, tzinfo=UTC), content_type="text/html",
                   compression="zlib", bytes=10 * len(body), body=body)  # fmt: skip


def test_raw_pages_live_in_their_own_file_in_small_row_groups(tmp_path: Path) -> None:
    """Wide page rows in the warehouse's own row groups made every checkpoint hold the run's pages in memory."""
    path = tmp_path / "w.duckdb"
    for batch in range(3):
        with connect(path) as con, store.transaction(con):
            store.save_pages(con, [_page(f"http://a.example/{batch}-{i}") for i in range(1500)])
    assert pages_path(path) == tmp_path / "w.pages.duckdb" and pages_path(path).exists()
    with connect(path) as con:
        assert con.execute("select count(*) from pages").fetchall() == [(4500,)]
        groups = con.execute("select max(count), count(distinct row_group_id) from pragma_storage_info('raw.pages')")
        assert groups.fetchall()[0] == (1500, 3)  # in the warehouse's own row groups they would be merged into one
        tables = con.execute("select database_name, table_name from duckdb_tables() where table_name = 'pages'")
        assert tables.fetchall() == [("raw", "pages")]
    with connect(path, read_only=True) as con:  # readers see them too
        assert con.execute("select count(*) from pages where url like 'http://a.example/2-%'").fetchall() == [(1500,)]


def test_writer_sessions_bound_duckdbs_memory_and_readers_keep_the_default(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"

    def limit(con: duckdb.DuckDBPyConnection) -> str:
        return str(con.execute("select current_setting('memory_limit')").fetchall()[0][0])

    with connect(path) as con:
        assert limit(con) == "256.0 MiB"
    with connect(path, read_only=True) as con:
        assert limit(con) != "256.0 MiB"


def test_a_version_6_warehouse_moves_its_pages_into_their_own_file(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    con = warehouse_at_version(path, 6)
    pages = [_page(f"http://a.example/{i}", bytes([i]) * 100) for i in range(5)]
    con.executemany("INSERT INTO pages VALUES (?, ?, ?, ?, ?, ?)", [list(astuple(p)) for p in pages])
    con.close()
    with connect(path, read_only=True) as con:  # a reader before the upgrade: the pages are still the table
        assert con.execute("select count(*) from pages").fetchall() == [(5,)]
    assert not pages_path(path).exists()
    with connect(path) as con:
        assert schema_version(con) == migration_files()[-1][0] >= 7
        moved = con.execute(
            "select url, fetched_at, content_type, compression, bytes, body from raw.pages order by url"
        )
        assert [PageRow(**dict(zip(PAGE_COLUMNS, row, strict=True))) for row in moved.fetchall()] == pages
        assert con.execute("select count(*) from duckdb_tables() where table_name = 'pages' and database_name = 'old'"
                           ).fetchall() == [(0,)]  # fmt: skip
        assert con.execute("select count(*) from pages").fetchall() == [(5,)]


def test_a_second_run_is_refused_while_one_holds_the_run_lock(tmp_path: Path) -> None:
    from warehouse.db import exclusive_run

    path = tmp_path / "w.duckdb"
    with _held_elsewhere(_hold_run_lock, path) as pid:
        refused = pytest.raises(WarehouseLockedError, match=f"another presswatch ingest is running .*pid {pid}")
        with refused, exclusive_run(path):
            pass
    with exclusive_run(path):  # released when its holder ended
        pass


def _hold_run_lock(
    path: str, ready: multiprocessing.synchronize.Event, release: multiprocessing.synchronize.Event
) -> None:
    from warehouse.db import exclusive_run

    with exclusive_run(Path(path)):
        ready.set()
        release.wait(10)


@pytest.mark.parametrize("query", ["", "   ", ";", " ; ;", "-- only a comment"])
def test_analyst_sql_says_an_empty_query_is_empty(tmp_path: Path, query: str) -> None:
    path = tmp_path / "w.duckdb"
    write(path, [], [])
    with pytest.raises(QueryError, match="no SQL to run"):
        run_query(path, query)


def test_analyst_sql_syntax_error_keeps_the_caret_under_the_mistake(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    write(path, [], [])
    with pytest.raises(QueryError) as info:
        run_query(path, "select * frm articles")
    lines = str(info.value).splitlines()
    source = next(line for line in lines if line.startswith("LINE 1: "))
    caret = lines[lines.index(source) + 1]
    assert source[caret.index("^") :].startswith("articles")
