"""Growth: ingest time per new article with 10,000 vs 1,000,000 stored articles: `python -m bench.growth`.

Two warehouses are filled with synthetic classified articles (bench/fill.py: articles, classifications, evidence,
voices and 64-value sketches, through the real schema); the million-article one is built once and kept under
bench/out/cache (rows added by a run are removed again), since filling it takes minutes. Then the same kind of
synthetic corpus (400 new articles from 100 feeds on 40 loopback hosts, 50 ms latency) is ingested into each,
alternating, twice, each time with fresh URLs. Target: time per new article with 1,000,000 stored within 1.20x of
the time with 10,000 (median of the repetitions); the stages that touch the warehouse (discover, write) are shown
apart, since extraction (flat by construction) dominates the total. `--quick`: 1,000 vs 20,000 stored,
100 new articles, once: indicative.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from bench.common import OUT, Result, exit_code, median, print_result
from bench.fill import fill_warehouse, template
from bench.ingest import HOSTS, LATENCY_S, PER_HOST_CONCURRENCY, run_worker
from bench.records import RESULTS, write_record
from bench.synthetic import Corpus, ServerFarm, write_config

TARGET_RATIO = 1.20
SIZES = {False: (10_000, 1_000_000, 100, 4, 2), True: (1_000, 20_000, 50, 2, 1)}  # small, big, feeds, per feed, reps
WAREHOUSE_STAGES = ("discover", "write")


def run(*, quick: bool) -> list[Result]:
    small_n, big_n, feeds, per_feed, reps = SIZES[quick]
    work = OUT / "growth"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    small = work / "small.duckdb"
    fill_warehouse(small, small_n)
    if quick:
        big, built = work / "big.duckdb", None
        fill_warehouse(big, big_n)
    else:
        print(f"- the {big_n:,}-article warehouse (built once, then reused from bench/out/cache) ...", flush=True)
        big, built = template(big_n, OUT / "cache")
        if built is not None:
            print(f"  built in {built:.0f} s", flush=True)
    corpora = [Corpus(f"g{rep}{side}", feeds, per_feed) for rep in range(reps) for side in ("s", "b")]
    per_article: dict[str, list[float]] = {"s": [], "b": []}
    per_article_wh: dict[str, list[float]] = {"s": [], "b": []}
    stages: dict[str, list[str]] = {"s": [], "b": []}
    empty_runs: list[str] = []
    with ServerFarm(HOSTS, LATENCY_S, corpora) as farm:
        for rep in range(reps):
            order = ("s", "b") if rep % 2 == 0 else ("b", "s")
            for side in order:
                name = f"g{rep}{side}"
                print(f"- ingest of {feeds * per_feed} new articles into {small_n if side == 's' else big_n:,} ...",
                      flush=True)  # fmt: skip
                config = write_config(
                    str(work / name),
                    farm.feed_urls(name),
                    warehouse=str(small if side == "s" else big),
                    per_host_concurrency=PER_HOST_CONCURRENCY,
                )
                run_ = run_worker(config, "direct")["runs"][0]
                new = run_["summary"]["entries_new"]
                if not new:  # nothing ingested: no time per article to compare
                    empty_runs.append(name)
                    continue
                per_article[side].append(run_["wall"] / new)
                secs = run_["summary"]["stage_seconds"]
                per_article_wh[side].append(sum(secs.get(s, 0.0) for s in WAREHOUSE_STAGES) / new)
                stages[side].append(", ".join(f"{k} {v:.2f}s" for k, v in secs.items()))
    if not quick:
        from bench.fill import remove_added
        from warehouse.db import connect

        with connect(big) as con:
            remove_added(con)
    tag = " (quick: indicative)" if quick else ""
    name = f"growth: time per new article, {big_n:,} vs {small_n:,} stored{tag}"
    if empty_runs:
        result = Result.skip(
            name, f"no new article was ingested in run(s) {', '.join(empty_runs)}", target=f"<= {TARGET_RATIO}x"
        )
        print_result(result)
        shutil.rmtree(work, ignore_errors=True)
        return [result]
    ratio = median([b / s for b, s in zip(per_article["b"], per_article["s"], strict=True)])
    wh_ratio = median([b / s for b, s in zip(per_article_wh["b"], per_article_wh["s"], strict=True)])
    result = Result(
        name,
        f"{median(per_article['b']) * 1000:.1f} ms = {ratio:.2f}x",
        f"<= {TARGET_RATIO}x",
        f"{small_n:,} stored: {median(per_article['s']) * 1000:.1f} ms",
        ratio <= TARGET_RATIO,
        f"warehouse stages (discover+write) per article: {median(per_article_wh['b']) * 1000:.1f} ms vs "
        f"{median(per_article_wh['s']) * 1000:.1f} ms = {wh_ratio:.2f}x; last runs: big [{stages['b'][-1]}], "
        f"small [{stages['s'][-1]}]",
    )
    print_result(result)
    shutil.rmtree(work, ignore_errors=True)
    return [result]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--results-dir", type=Path, default=RESULTS, help="where to write the record (JSON)")
    args = parser.parse_args(argv)
    results = run(quick=args.quick)
    write_record("growth", results, quick=args.quick, argv=argv, directory=args.results_dir)
    return exit_code(results)


if __name__ == "__main__":
    sys.exit(main())
