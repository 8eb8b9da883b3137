"""The shared warehouse on a real PostgreSQL cluster (started on loopback by the `pg_cluster` fixture): the
warehouse's contracts hold there as in the DuckDB file. Migrations, keyed writes, one transaction per batch, two
writers on one article, the analysts' read-only SQL and the run history."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from flows.ingest import run_ingest
from flows.pipeline import ArticleInFlight
from flows.settings import load_settings
from flows.writes import write_batch
from tests.builders import loopback_settings
from tests.conftest import FIXTURES
from tests.loopback import LoopbackServer
from warehouse import postgres, store
from warehouse.analyst import QueryError, run_query
from warehouse.db import WarehouseError, connect, migration_files
from warehouse.rows import ArticleRow
from warehouse.runs import recent_runs


@pytest.fixture
def site() -> Any:
    server = LoopbackServer(root=FIXTURES / "site").start()
    yield server
    server.stop()


def _coverage(location: Any) -> list[tuple[str, str, float]]:
    rows = run_query(location, "SELECT url, stance, score FROM coverage ORDER BY url, topic").rows
    return [(url, stance, round(float(score), 6)) for url, stance, score in rows]


def test_a_shared_warehouse_newer_than_this_software_is_refused(pg_url: str) -> None:
    with connect(pg_url) as con:
        con.execute("INSERT INTO schema_migrations VALUES (999, 'from the future', now())")
    with pytest.raises(WarehouseError, match=r"schema version 999, newer than this presswatch knows"), connect(pg_url):
        pass


def test_migrations_bring_postgres_to_the_files_schema_version_once(pg_url: str) -> None:
    newest = migration_files()[-1][0]
    assert postgres.migration_files()[-1][0] == newest, "each DuckDB migration needs its PostgreSQL twin"
    errors: list[BaseException] = []

    def open_as_writer() -> None:
        try:
            with connect(pg_url):
                pass
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=open_as_writer) for _ in range(3)]  # shards starting at once
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    with connect(pg_url, read_only=True) as con:
        assert postgres.schema_version(con) == newest
        versions = [row[0] for row in con.execute("SELECT version FROM schema_migrations ORDER BY 1").fetchall()]
        assert versions == [v for v, _, _ in postgres.migration_files()]
        views = {row[0] for row in con.execute("SELECT table_name FROM information_schema.views").fetchall()}
    assert {"coverage", "stories", "current_evidence", "current_voices", "article_problems", "run_history"} <= views


def test_an_ingest_into_postgres_stores_what_one_into_a_duckdb_file_does(
    tmp_path: Path, site: LoopbackServer, pg_url: str
) -> None:
    (tmp_path / "file").mkdir()
    local = loopback_settings(tmp_path / "file", site)
    shared = replace(local, warehouse_url=pg_url)
    first = run_ingest(shared, orchestrated=False)
    run_ingest(local, orchestrated=False)
    assert first.articles_classified > 0
    assert _coverage(pg_url) == _coverage(local.warehouse_path)
    again = run_ingest(shared, orchestrated=False)
    assert again.entries_new == 0 and again.articles_classified == 0  # keyed by canonical URL: nothing twice
    counts = "SELECT (SELECT count(*) FROM articles), (SELECT count(DISTINCT url) FROM articles)"
    total, distinct = run_query(pg_url, counts).rows[0]
    assert total == distinct
    problems = {row[0] for row in run_query(pg_url, "SELECT problem FROM article_problems").rows}
    assert problems == {row[0] for row in run_query(local.warehouse_path, "SELECT problem FROM article_problems").rows}


def _batch(tmp_path: Path, site: LoopbackServer, pg_url: str) -> tuple[list[ArticleRow], list[Any]]:
    """A real batch (rows and stances) of the fixture site, as an ingest run produced it."""
    local = loopback_settings(tmp_path, site)
    run_ingest(local, orchestrated=False)
    with connect(local.warehouse_path, read_only=True) as con:
        cursor = con.execute(f"SELECT {', '.join(store.ARTICLE_COLUMNS)} FROM articles WHERE text IS NOT NULL")
        names = [d[0] for d in cursor.description]
        rows = [ArticleRow(**dict(zip(names, row, strict=True))) for row in cursor.fetchall()]
    from flows.pipeline import classify_rows, load_rulesets

    rows = [replace(row, sketch=tuple(row.sketch or ())) for row in rows]
    return rows, classify_rows(load_rulesets(local), rows)


def test_two_writers_of_the_same_batch_at_once_leave_one_row_per_key(
    tmp_path: Path, site: LoopbackServer, pg_url: str
) -> None:
    rows, results = _batch(tmp_path, site, pg_url)
    assert len(rows) >= 3
    with connect(pg_url):
        pass  # migrated before the race
    start = threading.Barrier(4)
    retries: list[int] = []
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            with connect(pg_url) as con:
                start.wait()
                for _ in range(3):
                    retries.append(write_batch(con, [ArticleInFlight(row) for row in rows], results, keep_html=False))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    with connect(pg_url, read_only=True) as con:
        for table, key in [("articles", "url"), ("classifications", "url, topic, ruleset_version")]:
            total, distinct = con.execute(
                f"SELECT count(*), count(DISTINCT ({key})) FROM {table}"  # our table and key names
            ).fetchall()[0]
            assert total == distinct == len(rows), table
        evidence = con.execute("SELECT count(*) FROM evidence").fetchall()[0][0]
    assert evidence == sum(len(r.evidence) for _, r in results)


def test_a_batch_is_one_transaction_on_postgres(tmp_path: Path, site: LoopbackServer, pg_url: str) -> None:
    rows, _ = _batch(tmp_path, site, pg_url)
    with connect(pg_url) as con:

        def half_then_fail() -> None:
            store.save_articles(con, rows)
            raise RuntimeError("killed between the articles and their stances")

        with pytest.raises(RuntimeError):
            store.atomically(con, half_then_fail)
        assert con.execute("SELECT count(*) FROM articles").fetchall()[0][0] == 0


def test_analyst_sql_on_postgres_reads_and_never_writes(tmp_path: Path, site: LoopbackServer, pg_url: str) -> None:
    settings = replace(loopback_settings(tmp_path, site), warehouse_url=pg_url)
    run_ingest(settings, orchestrated=False)
    result = run_query(pg_url, "SELECT stance, count(*) AS n FROM coverage WHERE url LIKE $p GROUP BY 1", {"p": "%"})
    assert result.columns == ("stance", "n") and sum(n for _, n in result.rows) > 0
    for sql in (
        "DELETE FROM articles",
        "SELECT 1; DELETE FROM articles",
        "COMMIT; SET default_transaction_read_only = off; DELETE FROM articles",
        "CREATE TABLE x (a int)",
    ):
        with pytest.raises(QueryError):
            run_query(pg_url, sql)
    with pytest.raises(QueryError, match="read-only transaction"):  # a writing CTE: PostgreSQL refuses it
        run_query(pg_url, "WITH gone AS (DELETE FROM articles RETURNING 1) SELECT count(*) FROM gone")
    assert run_query(pg_url, "SELECT count(*) FROM articles").rows[0][0] > 0


def test_runs_on_postgres_show_each_shard_and_an_interrupted_one_is_closed_by_its_own_next_run(pg_url: str) -> None:
    at = datetime(2026, 12, 5, 12, tzinfo=UTC)
    with connect(pg_url) as con:
        store.start_run(con, "a", "ingest", at, "1/2")
        store.start_run(con, "b", "ingest", at, "2/2")
        assert store.close_interrupted_runs(con, "ingest", at, "1/2") == 1  # shard 2's run is still going
        store.finish_run(con, "b", at, "completed", {"entries_new": 3, "feeds_ok": 1})
    result = recent_runs(pg_url)
    rows = {row[result.columns.index("run_id")]: dict(zip(result.columns, row, strict=True)) for row in result.rows}
    assert rows["a"]["shard"] == "1/2" and rows["a"]["status"] == "failed"
    assert rows["b"]["shard"] == "2/2" and rows["b"]["status"] == "completed" and rows["b"]["new_articles"] == 3


def test_a_shared_store_url_is_one_setting(tmp_path: Path) -> None:
    config = tmp_path / "presswatch.toml"
    config.write_text('[warehouse]\nurl = "postgresql://pw@127.0.0.1:5432/presswatch"\n', encoding="utf-8")
    settings = load_settings(config)
    assert settings.store == "postgresql://pw@127.0.0.1:5432/presswatch"
    assert settings.warehouse_path == tmp_path / "data/presswatch.duckdb"  # this machine's data folder
    config.write_text('[warehouse]\nurl = "mysql://x"\n', encoding="utf-8")
    from flows.errors import ConfigError

    with pytest.raises(ConfigError, match=r"warehouse\.url"):
        load_settings(config)


def test_reports_export_and_review_read_the_shared_store_as_they_read_the_file(
    tmp_path: Path, site: LoopbackServer, pg_url: str
) -> None:
    import re

    from flows.reporting import weeks_with_data, write_weekly_reports
    from warehouse.export import export_views

    (tmp_path / "file").mkdir()
    local = loopback_settings(tmp_path / "file", site)
    shared = replace(local, warehouse_url=pg_url, reports_dir=tmp_path / "shared-reports")
    run_ingest(local, orchestrated=False)
    run_ingest(shared, orchestrated=False)
    weeks = weeks_with_data(local, "amnesty-2015")
    assert weeks and weeks_with_data(shared, "amnesty-2015") == weeks
    as_of = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC")  # each store's own last run
    texts = [
        [as_of.sub("<as of>", written.markdown) for written in write_weekly_reports(settings, weeks)]
        for settings in (local, shared)
    ]
    assert texts[0] == texts[1] and "## Data quality" in texts[1][0]
    indexes = [as_of.sub("<as of>", (s.reports_dir / "amnesty-2015" / "index.md").read_text()) for s in (local, shared)]
    assert indexes[0] == indexes[1] and str(weeks[0]) in indexes[1]
    from warehouse.review import least_sure

    for week in weeks:
        assert least_sure(pg_url, "amnesty-2015", week.start, week.end, 5) == least_sure(
            local.warehouse_path, "amnesty-2015", week.start, week.end, 5
        )
    exported = {
        name: {item.view: item.rows for item in export_views(location, tmp_path / name, "parquet")}
        for name, location in (("file", local.warehouse_path), ("shared", pg_url))
    }
    assert exported["file"] == exported["shared"] and exported["shared"]["coverage"] > 0


def test_labels_feeds_and_reclassify_write_the_shared_store(tmp_path: Path, site: LoopbackServer, pg_url: str) -> None:
    from flows.feeds import add_feed, feed_health, remove_feed, watched_feeds
    from flows.pipeline import load_rulesets
    from flows.stored import classify_stored
    from warehouse.labels import labelled_articles, save_label

    settings = replace(loopback_settings(tmp_path, site), warehouse_url=pg_url)
    run_ingest(settings, orchestrated=False)
    url, stance = run_query(pg_url, "SELECT url, stance FROM coverage WHERE relevant ORDER BY url LIMIT 1").rows[0]
    other = "opposed" if stance != "opposed" else "supportive"
    save_label(pg_url, url, "amnesty-2015", other, "checked by hand", "tester")
    save_label(pg_url, url, "amnesty-2015", other, "checked twice", "tester")  # replaces, by its key
    row = run_query(pg_url, "SELECT stance, machine_stance, human_stance FROM coverage WHERE url = $u", {"u": url})
    assert row.rows == [(other, stance, other)]
    assert [r["label"] for r in labelled_articles(pg_url, "amnesty-2015")] == [other]
    assert add_feed(settings, "https://feeds.example.org/more.rss", "More").startswith("added")
    assert "https://feeds.example.org/more.rss" in [f.url for f in watched_feeds(settings)]
    assert "https://feeds.example.org/more.rss" in [row[0] for row in feed_health(settings).rows]
    remove_feed(settings, "https://feeds.example.org/more.rss")
    assert "https://feeds.example.org/more.rss" not in [f.url for f in watched_feeds(settings)]
    before = run_query(pg_url, "SELECT count(*) FROM classifications").rows[0][0]
    redone = classify_stored(pg_url, load_rulesets(settings), force=True)
    assert redone > 0 and run_query(pg_url, "SELECT count(*) FROM classifications").rows[0][0] == before


def test_the_readers_commands_work_unchanged_on_the_shared_store(
    tmp_path: Path,
    site: LoopbackServer,
    pg_url: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import json

    from tests.builders import run_cli as run

    settings = loopback_settings(tmp_path, site)
    config = settings.config_path
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("[warehouse]\n", f'[warehouse]\nurl = "{pg_url}"\n', 1), encoding="utf-8")
    run_ingest(replace(settings, warehouse_url=pg_url), orchestrated=False)
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    code, out, err = run(["--config", str(config), "sql", "--format", "json", "select stance, count(*) AS n "
                          "from coverage group by 1 order by 1"], capsys, monkeypatch)  # fmt: skip
    assert code == 0, err
    assert sum(row["n"] for row in json.loads(out)) > 0
    code, _, err = run(["--config", str(config), "sql", "delete from articles"], capsys, monkeypatch)
    assert code == 1 and "read-only" in err
    code, out, err = run(["--config", str(config), "runs", "--format", "json"], capsys, monkeypatch)
    assert code == 0 and [(r["flow"], r["shard"], r["status"]) for r in json.loads(out)] == [
        ("ingest", "all", "completed")
    ]
    code, out, err = run(["--config", str(config), "report", "--all"], capsys, monkeypatch)
    assert code == 0, err
    assert all(Path(line).exists() for line in out.split())
    code, out, err = run(["--config", str(config), "export", "--out", str(tmp_path / "x")], capsys, monkeypatch)
    assert code == 0 and "coverage:" in out, err
    code, _, err = run(["--config", str(config), "deploy", "--pool", "p", "--shards", "2"], capsys, monkeypatch)
    assert code != 0 and "PREFECT_API_URL" in err  # deploy needs the Prefect server the workers use
    code, _, err = run(["--config", str(config), "backup"], capsys, monkeypatch)
    assert code != 0 and "pg_dump" in err


def test_reextract_rebuilds_from_the_pages_kept_in_the_shared_store(
    tmp_path: Path, site: LoopbackServer, pg_url: str
) -> None:
    from flows.pipeline import load_rulesets
    from flows.stored import reextract_stored

    settings = replace(loopback_settings(tmp_path, site), warehouse_url=pg_url)
    run_ingest(settings, orchestrated=False)
    before = _coverage(pg_url)
    pages = run_query(pg_url, "SELECT count(*) FROM pages").rows[0][0]
    assert pages > 0
    assert reextract_stored(pg_url, load_rulesets(settings)) == pages
    assert _coverage(pg_url) == before
