"""What a reader of the shared store copies: `python -m bench.shared_snapshot [--articles N] [--json PATH]`.

Starts its own PostgreSQL on loopback (tests/pgcluster.py), writes N synthetic classified articles published over
200 weeks through the store (one transaction per 1,000), then times `warehouse.snapshot.copy_snapshot` into an
in-memory DuckDB twice: everything (what `export` copies) and the 12-week window of a report of the latest week.
Results go to bench/results/shared_snapshot.json unless --json says where.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb

from bench.common import ROOT
from bench.writes import synthetic_results
from warehouse import store
from warehouse.db import PAGES_ALIAS, _sql_file, connect, migrate
from warehouse.rows import ArticleRow
from warehouse.snapshot import copy_snapshot

RESULTS = ROOT / "bench" / "results" / "shared_snapshot.json"
WEEKS = 200
BATCH = 1000


def _empty_target() -> duckdb.DuckDBPyConnection:
    target = duckdb.connect()
    target.execute("SET TimeZone = 'UTC'")
    target.execute(f"ATTACH ':memory:' AS {PAGES_ALIAS}")
    target.execute(_sql_file("pages.sql"))
    migrate(target)
    return target


def run(articles: int) -> dict[str, object]:
    from tests.pgcluster import PgCluster, server_bin

    binaries = server_bin()
    if binaries is None:
        raise SystemExit("PostgreSQL server binaries not found (apt-get install postgresql, or PRESSWATCH_PG_BIN)")
    cluster = PgCluster(binaries).start()
    try:
        url = cluster.create_database("snapshot")
        results = synthetic_results(articles)
        at = datetime(2026, 12, 1, tzinfo=UTC)
        rows = [
            ArticleRow(url=u, link=u, feed_url="http://feed.invalid/rss", host="feed.invalid", outlet="Outlet",
                       discovered_at=at - timedelta(minutes=i), fetch_status="fetched", fetch_attempts=1,
                       title="A title", text="word " * 600, published_at=at - timedelta(days=i % (7 * WEEKS)))
            for i, (u, _) in enumerate(results)
        ]  # fmt: skip
        with connect(url) as con:
            for i in range(0, articles, BATCH):
                part, stances = rows[i : i + BATCH], results[i : i + BATCH]
                store.atomically(con, lambda p=part, r=stances: (store.save_articles(con, p),
                                                                  store.save_classifications(con, r, at)))  # fmt: skip
        figures = {}
        for name, window in (("everything", None), ("report_window_12_weeks", (at - timedelta(weeks=12), at))):
            target = _empty_target()
            started = time.perf_counter()
            copied = copy_snapshot(url, target, window)
            seconds = time.perf_counter() - started
            target.close()
            figures[name] = {
                "seconds": round(seconds, 3),
                "articles": copied["articles"],
                "rows": sum(copied.values()),
                "rows_per_s": round(sum(copied.values()) / seconds),
            }
    finally:
        cluster.stop()
    return {
        "benchmark": "bench.shared_snapshot",
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()}, Python {platform.python_version()}",
        "postgresql": binaries.parent.name,
        "stored": f"{articles} articles published over {WEEKS} weeks, with classifications, evidence and voices",
        "snapshots": figures,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--json", type=Path, default=None, help=f"where to write the results (default {RESULTS})")
    args = parser.parse_args()
    summary = run(args.articles)
    target = args.json or RESULTS
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    for name, figure in summary["snapshots"].items():  # type: ignore[attr-defined]
        print(f"snapshot {name}: {figure['articles']} articles, {figure['rows']} rows in {figure['seconds']} s")


if __name__ == "__main__":
    main()
