"""Every benchmark, one summary table: `python -m bench [--quick]` (`make bench`).

Runs, each in its own process so that one's imports, caches and memory do not colour another's figures:
bench.ingest (end to end, orchestration, nothing new, memory), bench.growth, bench.report, bench.writes,
bench.classify_speed, bench.stance_eval --all, bench.extraction and bench.feeds. Each writes its record to
bench/results/<name>.json; this reads them back and prints one table (figure, target, baseline, met / missed /
skipped). A result that measured nothing (no corpus, an empty one, no target) is skipped, never counted as met:
"Every target met." is printed only when nothing was skipped. Exits 1 when a target is missed or a benchmark
failed (crashed, or wrote no record), else 0. `--quick` uses small sizes (about two minutes instead of about ten):
its figures are indicative only, and its records say so. `python -m bench.docs` turns the records into the figure
tables of README.md and docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

from bench.common import ROOT, Result, prefect_env
from bench.records import RESULTS, read_record, record_results

# (module, arguments for a full run, arguments for --quick). Each writes its record to bench/results/<name>.json.
BENCHMARKS: tuple[tuple[str, list[str], list[str]], ...] = (
    ("bench.ingest", [], ["--quick"]),
    ("bench.growth", [], ["--quick"]),
    ("bench.report", [], ["--quick"]),
    ("bench.writes", [], ["--quick"]),
    ("bench.classify_speed", [], ["--quick"]),
    ("bench.stance_eval", ["--all"], ["--all"]),
    ("bench.extraction", [], ["--quick"]),
    ("bench.feeds", [], ["--quick"]),
)


def _run(module: str, args: list[str]) -> tuple[int, float]:
    started = time.perf_counter()
    print(f"\n=== python -m {module} {' '.join(args)}", flush=True)
    proc = subprocess.Popen(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        env=prefect_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        print(f"  {line}", end="", flush=True)
    code = proc.wait()
    seconds = time.perf_counter() - started
    print(f"  ({module}: {seconds:.0f} s)", flush=True)
    return code, seconds


def fresh_results(module: str, code: int, since: float, directory: Path = RESULTS) -> tuple[list[Result], str]:
    """The results a benchmark just recorded, and a failure (empty when none): a benchmark that crashed, or
    wrote no record in this run, has failed, whatever an older record says."""
    path = directory / f"{module.split('.')[1]}.json"
    if not path.exists() or path.stat().st_mtime < since:
        return [], f"{module} (exit {code}, no record written)"
    results = record_results(read_record(path))
    if code not in (0, 1):
        return results, f"{module} (exit {code})"
    return results, ""


def summarise(results: list[Result], failures: list[str]) -> tuple[list[str], int]:
    """The summary table and its last line, and the exit status: 1 when a target was missed or a benchmark
    failed, else 0. Skipped results are shown as skipped and counted apart: they are never "met"."""
    lines = ["| benchmark | figure | target | baseline (same run) | result |", "|---|---|---|---|---|"]
    for r in results:
        figure = r.figure if r.passed is not None else f"not measured: {r.skipped}"
        verdict = {"pass": "met", "MISS": "**MISSED**", "skipped": "skipped"}[r.verdict]
        lines.append(f"| {r.name} | {figure} | {r.target} | {r.baseline} | {verdict} |")
    for failure in failures:
        lines.append(f"| {failure} | failed | - | - | **FAILED** |")
    details = [r for r in results if r.detail]
    if details:
        lines += ["", "Details:", *(f"- {r.name}: {r.detail}" for r in details)]
    met = [r for r in results if r.passed is True]
    missed = [r.name for r in results if r.passed is False]
    skipped = [r.name for r in results if r.passed is None]
    lines.append("")
    if missed or failures:
        lines.append(f"Missed: {', '.join(missed + failures)}")
    if skipped:
        lines.append(
            f"{len(skipped)} of {len(results)} skipped (nothing measured, not counted as met): {', '.join(skipped)}"
        )
    if not missed and not failures:
        lines.append(
            "Every target met." if not skipped else f"{len(met)} targets met, none missed, {len(skipped)} skipped."
        )
    return lines, 1 if missed or failures else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, under two minutes; indicative figures")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    results: list[Result] = []
    failures: list[str] = []
    for module, full, quick in BENCHMARKS:
        launched = time.time()
        code, _ = _run(module, quick if args.quick else full)
        found, failure = fresh_results(module, code, launched)
        results += found
        if failure:
            failures.append(failure)
    elapsed = time.perf_counter() - started
    print(f"\n{'QUICK RUN: small sizes, figures are indicative only' if args.quick else 'FULL RUN'}")
    print(f"machine: {machine()}")
    print(f"total time: {elapsed / 60:.1f} min; records in {RESULTS.relative_to(ROOT)}/\n")
    lines, code = summarise(results, failures)
    print("\n".join(lines))
    return code


def machine() -> str:
    from bench.records import machine as facts
    from bench.records import versions

    m = facts()
    listed = ", ".join(f"{k} {v}" for k, v in versions().items())
    return f"{m['cores']} cores, {m['cpu'] or 'CPU model unknown'}, {m['ram_gib']} GiB RAM, {m['platform']}; {listed}"


if __name__ == "__main__":
    sys.exit(main())
