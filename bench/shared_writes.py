"""Two writers at once on the shared warehouse: `python -m bench.shared_writes [--quick] [--json PATH]`.

Starts a PostgreSQL cluster of its own on loopback (tests/pgcluster.py: the machine's server binaries, a temporary
folder, removed afterwards) and measures the write path shards use, `warehouse.store.save_classifications` in
`store.atomically` (one transaction per batch of 200 results, retried when PostgreSQL aborts it for another
writer), in separate processes:

- one writer alone on PostgreSQL, and the same batches into a DuckDB file (the single-machine baseline);
- two writers at once on disjoint articles (two shards: the normal case), rows/s per writer and together;
- two writers at once on the same articles, cut into batches half a batch apart so that they keep meeting (two
  shards that listed the same stories: the worst case), with the retries PostgreSQL's conflicts cost, and a check
  that each key has one row afterwards.

Results go to bench/results/shared_writes.json (the recorded run behind docs/scaling.md) unless --json says where.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import platform
import shutil
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.common import OUT, ROOT, median
from bench.writes import BATCH, row_count, synthetic_results
from warehouse import store
from warehouse.db import connect

RESULTS = ROOT / "bench" / "results" / "shared_writes.json"


def _write(location: str, batches: list[list[Any]], start_at: float, queue: Any) -> None:
    """One writer process: wait for the common start, write every batch, report seconds and retries."""
    at = datetime.now(UTC)
    with connect(location) as con:
        while time.time() < start_at:
            time.sleep(0.001)
        late = time.time() - start_at
        started = time.perf_counter()
        retries = 0
        for batch in batches:
            retries += store.atomically(con, lambda b=batch: store.save_classifications(con, b, at))
        queue.put({"seconds": time.perf_counter() - started, "retries": retries, "late": late, "end": time.time()})


def _together(locations: list[str], work: list[list[list[Any]]]) -> list[dict[str, Any]]:
    """Each writer in its own process (no shared interpreter lock), all starting at the same moment."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    start_at = time.time() + 10.0  # after every process has imported, unpickled its batches and connected
    processes = [
        context.Process(target=_write, args=(location, batches, start_at, queue))
        for location, batches in zip(locations, work, strict=True)
    ]
    for process in processes:
        process.start()
    outcomes = [queue.get(timeout=600) for _ in processes]
    if max(o["late"] for o in outcomes) > 0.05:
        print(f"warning: a writer started late: {[round(o['late'], 3) for o in outcomes]} s", file=sys.stderr)
    for process in processes:
        process.join(timeout=60)
        if process.exitcode != 0:
            raise RuntimeError(f"a writer failed (exit {process.exitcode})")
    return outcomes


def _fresh(cluster: Any, name: str) -> str:
    url = str(cluster.create_database(name))
    with connect(url):
        pass  # migrated before the clock starts
    return url


def _rows_per_key(url: str) -> tuple[int, int]:
    with connect(url, read_only=True) as con:
        total, distinct = con.execute(
            "SELECT count(*), count(DISTINCT (url, topic, ruleset_version)) FROM classifications"
        ).fetchall()[0]
    return int(total), int(distinct)


def run(*, quick: bool) -> dict[str, Any]:
    from tests.pgcluster import PgCluster, server_bin

    binaries = server_bin()
    if binaries is None:
        raise SystemExit("PostgreSQL server binaries not found (apt-get install postgresql, or PRESSWATCH_PG_BIN)")
    per_writer, reps = (10, 1) if quick else (40, 3)
    results = synthetic_results(BATCH * per_writer * 2)
    batches = [results[i : i + BATCH] for i in range(0, len(results), BATCH)]
    first, second = batches[:per_writer], batches[per_writer:]
    # The same articles cut into batches half a batch apart: each of the second writer's batches shares keys with
    # two of the first's, so writers going at the same pace keep meeting on uncommitted rows.
    flat = [x for b in first for x in b]
    flat = flat[BATCH // 2 :] + flat[: BATCH // 2]
    shifted = [flat[i : i + BATCH] for i in range(0, len(flat), BATCH)]
    rows = row_count([x for b in first for x in b])
    work = OUT / "shared-writes"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    cluster = PgCluster(binaries).start()
    figures: dict[str, list[float]] = {
        "file_one": [], "pg_one": [], "disjoint_each": [], "disjoint_total": [], "same_each": [], "same_total": [],
    }  # fmt: skip
    retries_same: list[int] = []
    retries_disjoint: list[int] = []
    one_row_per_key = True
    try:
        for rep in range(reps):
            file = str(work / f"one-{rep}.duckdb")
            figures["file_one"].append(rows / _together([file], [first])[0]["seconds"])
            alone = _fresh(cluster, f"one_{rep}")
            figures["pg_one"].append(rows / _together([alone], [first])[0]["seconds"])
            disjoint = _fresh(cluster, f"disjoint_{rep}")
            outcome = _together([disjoint, disjoint], [first, second])
            figures["disjoint_each"] += [rows / o["seconds"] for o in outcome]
            figures["disjoint_total"].append(2 * rows / max(o["seconds"] for o in outcome))
            retries_disjoint += [o["retries"] for o in outcome]
            same = _fresh(cluster, f"same_{rep}")
            outcome = _together([same, same], [first, shifted])
            figures["same_each"] += [rows / o["seconds"] for o in outcome]
            figures["same_total"].append(2 * rows / max(o["seconds"] for o in outcome))
            retries_same += [o["retries"] for o in outcome]
            total, distinct = _rows_per_key(same)
            one_row_per_key = one_row_per_key and total == distinct == len(first) * BATCH
    finally:
        cluster.stop()
        shutil.rmtree(work, ignore_errors=True)
    summary = {
        "benchmark": "bench.shared_writes",
        "quick": quick,
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()}, {multiprocessing.cpu_count()} cores, Python {platform.python_version()}",
        "postgresql": binaries.parent.name,
        "workload": f"{per_writer} batches of {BATCH} classification results per writer, "
        f"{rows / (per_writer * BATCH):.1f} classification+evidence rows per result ({rows} rows per writer), "
        f"one transaction per batch; medians of {reps} repetitions",
        "rows_per_s": {name: round(median(values)) for name, values in figures.items()},
        "retries": {"disjoint": sum(retries_disjoint), "same_articles": sum(retries_same)},
        "batches_per_writer": per_writer * reps,
        "one_row_per_key_after_same_articles": one_row_per_key,
    }
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, one repetition (indicative only)")
    parser.add_argument("--json", type=Path, default=None, help=f"where to write the results (default {RESULTS})")
    args = parser.parse_args()
    summary = run(quick=args.quick)
    target = args.json or RESULTS
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    figures = summary["rows_per_s"]
    print(
        f"shared writes: one writer {figures['pg_one']:,} rows/s on PostgreSQL, {figures['file_one']:,} into a DuckDB "
        f"file; two writers on disjoint articles {figures['disjoint_each']:,} each, {figures['disjoint_total']:,} "
        f"together; on the same articles {figures['same_each']:,} each, {figures['same_total']:,} together, "
        f"{summary['retries']['same_articles']} retries in {2 * summary['batches_per_writer']} batches; one row per "
        f"key: {summary['one_row_per_key_after_same_articles']} -> {target}"
    )
    sys.exit(0 if summary["one_row_per_key_after_same_articles"] else 1)


if __name__ == "__main__":
    main()
