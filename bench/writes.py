"""Warehouse write speed: `python -m bench.writes [--quick] [--json PATH]`.

Classifications with their evidence (and voices) of synthetic articles are written in batches of 200 results, one
transaction per batch, with `warehouse.store.save_classifications` (Arrow table -> INSERT ... SELECT), into a fresh
warehouse file. Target: at least 50,000 classification+evidence rows per second (voices are written too, and
their time counts, but they are not counted as rows). Baseline in the same run: the same rows inserted row by row
with `executemany` (one transaction per batch) into another fresh warehouse, for the first batches only (it is
about a hundred times slower). Repetitions alternate between the two paths; figures are medians.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from bench.common import OUT, Result, exit_code, median, print_result
from bench.records import RESULTS, write_record
from bench.synthetic import Corpus, article_text
from stance.classify import classify
from stance.model import StanceResult
from stance.rules import load_ruleset
from warehouse import store
from warehouse.db import connect

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "topics" / "amnesty-2015.toml"
TARGET_ROWS_PER_S = 50_000
BATCH = 200


def synthetic_results(count: int) -> list[tuple[str, StanceResult]]:
    """(url, result) pairs: 400 distinct synthetic articles classified once, repeated under new URLs."""
    ruleset = load_ruleset(RULES)
    corpus = Corpus("writes", feeds=100, articles_per_feed=4)
    distinct = []
    for f in range(corpus.feeds):
        for i in range(corpus.articles_per_feed):
            title, _stance, text = article_text(corpus, f, i)
            distinct.append(classify(ruleset, title=title, text=text, language="en"))
    return [(f"http://bench.invalid/{n}.html", distinct[n % len(distinct)]) for n in range(count)]


def row_count(results: list[tuple[str, StanceResult]]) -> int:
    return sum(1 + len(r.evidence) for _, r in results)


def bulk(path: Path, batches: list[list[tuple[str, StanceResult]]]) -> float:
    at = datetime.now(UTC)
    with connect(path) as con:
        started = time.perf_counter()
        for batch in batches:
            with store.transaction(con):
                store.save_classifications(con, batch, at)
        return time.perf_counter() - started


def row_by_row(path: Path, batches: list[list[tuple[str, StanceResult]]]) -> float:
    at = datetime.now(UTC)
    with connect(path) as con:
        started = time.perf_counter()
        for batch in batches:
            classifications = [
                (url, r.topic, r.ruleset_version, at, r.relevant, r.stance, r.score, r.confidence, r.language,
                 list(r.flags))
                for url, r in batch
            ]  # fmt: skip
            evidence = [
                (url, r.topic, r.ruleset_version, seq, e.rule_id, e.kind, e.matched, e.snippet, e.weight, e.voice,
                 e.language)
                for url, r in batch
                for seq, e in enumerate(r.evidence)
            ]  # fmt: skip
            voices = [
                (url, r.topic, r.ruleset_version, v.name, v.side, v.mentions, v.snippet)
                for url, r in batch
                for v in {v.name: v for v in reversed(r.voices)}.values()
            ]
            with store.transaction(con):
                con.executemany("INSERT INTO classifications VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", classifications)
                con.executemany("INSERT INTO evidence VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", evidence)
                if voices:
                    con.executemany("INSERT INTO voices VALUES (?, ?, ?, ?, ?, ?, ?)", voices)
        return time.perf_counter() - started


def bulk_on_big(path: Path, batches: list[list[tuple[str, StanceResult]]]) -> float:
    """The bulk path on a warehouse that already holds a million classifications, inside one transaction that
    is rolled back (the cached warehouse stays as it was)."""
    at = datetime.now(UTC)
    with connect(path) as con:
        con.execute("BEGIN TRANSACTION")
        started = time.perf_counter()
        for batch in batches:
            store.save_classifications(con, batch, at)
        elapsed = time.perf_counter() - started
        con.execute("ROLLBACK")
    return elapsed


def run(*, quick: bool) -> list[Result]:
    work = OUT / "writes"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    batches_n, baseline_n, reps = (10, 1, 3) if quick else (50, 2, 3)
    results = synthetic_results(BATCH * batches_n)
    batches = [results[i : i + BATCH] for i in range(0, len(results), BATCH)]
    rows = row_count(results)
    base_rows = row_count([x for b in batches[:baseline_n] for x in b])
    bulk_rates, base_rates = [], []
    for rep in range(reps):
        bulk_rates.append(rows / bulk(work / f"bulk-{rep}.duckdb", batches))
        base_rates.append(base_rows / row_by_row(work / f"rows-{rep}.duckdb", batches[:baseline_n]))
    # Rewriting the same results (a reclassification with an unchanged ruleset) replaces rows instead of adding.
    rewrite_rate = rows / bulk(work / "bulk-0.duckdb", [[(u, replace(r)) for u, r in b] for b in batches])
    shutil.rmtree(work, ignore_errors=True)
    on_big = ""
    if not quick:
        from bench.fill import template

        big, _built = template(1_000_000, OUT / "cache")
        big_rate = row_count([x for b in batches[:10] for x in b]) / bulk_on_big(big, batches[:10])
        on_big = f"; into the 1,000,000-article warehouse (10 batches, rolled back): {big_rate:,.0f} rows/s"
    rate, base = median(bulk_rates), median(base_rates)
    tag = " (quick: indicative)" if quick else ""
    result = Result(
        f"warehouse writes, classification+evidence rows{tag}",
        f"{rate:,.0f} rows/s = {rate / base:.0f}x row by row",
        f">= {TARGET_ROWS_PER_S:,} rows/s",
        f"row-by-row executemany {base:,.0f} rows/s",
        rate >= TARGET_ROWS_PER_S,
        f"{batches_n} batches of {BATCH} results, {rows / len(results):.1f} rows per result, medians of {reps}; "
        f"replacing the same rows again: {rewrite_rate:,.0f} rows/s{on_big}",
    )
    print_result(result)
    return [result]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--results-dir", type=Path, default=RESULTS, help="where to write the record (JSON)")
    args = parser.parse_args(argv)
    results = run(quick=args.quick)
    write_record("writes", results, quick=args.quick, argv=argv, directory=args.results_dir)
    return exit_code(results)


if __name__ == "__main__":
    sys.exit(main())
