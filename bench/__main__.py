"""Every benchmark, one summary table: `python -m bench [--quick]` (`make bench`).

Runs, each in its own process so that one's imports, caches and memory do not colour another's figures:
bench.ingest (end to end, orchestration, nothing new, memory), bench.growth, bench.report, bench.writes,
bench.classify_speed, and the other engineers' benchmarks bench.stance_eval, bench.extraction and bench.feeds
(their own output is shown, their exit codes collected). Prints one table (figure, target, baseline, pass/fail)
and exits non-zero when a target is missed or a benchmark failed. `--quick` uses small sizes (about 1.8 minutes
instead of about ten): its figures are indicative only. The full run's figures are kept in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

from bench.common import OUT, ROOT, Result, prefect_env

# (module, arguments for a full run, arguments for --quick); ours write their results as JSON.
OURS = ("bench.ingest", "bench.growth", "bench.report", "bench.writes")
OTHERS: tuple[tuple[str, list[str], list[str]], ...] = (
    ("bench.stance_eval", ["--quiet"], ["--quiet"]),
    ("bench.extraction", [], ["--quick"]),
    ("bench.feeds", [], ["--quick"]),
)
CLASSIFY_TARGET = 200  # articles/s on one core (issue 9); bench/classify_speed.py prints the figure
_CLASSIFY_LINE = re.compile(r"classify: (\d+) articles/s")


def _run(module: str, args: list[str]) -> tuple[int, str, float]:
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
    lines = []
    assert proc.stdout is not None
    for line in proc.stdout:
        print(f"  {line}", end="", flush=True)
        lines.append(line)
    code = proc.wait()
    seconds = time.perf_counter() - started
    print(f"  ({module}: {seconds:.0f} s)", flush=True)
    return code, "".join(lines), seconds


def _supports_quick(module: str) -> bool:
    source = ROOT / (module.replace(".", "/") + ".py")
    return '"--quick"' in source.read_text(encoding="utf-8")


def machine() -> str:
    mem = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f", {int(line.split()[1]) / 2**20:.1f} GB RAM"
    except OSError:
        pass
    from importlib.metadata import version

    versions = ", ".join(f"{p} {version(p)}" for p in ("prefect", "duckdb", "trafilatura", "httpx", "pyarrow"))
    return f"{os.cpu_count()} cores{mem}, {platform.platform()}, Python {platform.python_version()}; {versions}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, under two minutes; indicative figures")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    OUT.mkdir(parents=True, exist_ok=True)
    results: list[Result] = []
    failures: list[str] = []
    for module in OURS:
        path = OUT / f"{module.split('.')[1]}.json"
        path.unlink(missing_ok=True)
        code, _, _ = _run(module, [*(["--quick"] if args.quick else []), "--json", str(path)])
        if path.exists():
            results += [Result(**r) for r in json.loads(path.read_text(encoding="utf-8"))]
        if code not in (0, 1) or not path.exists():
            failures.append(f"{module} (exit {code})")
    code, output, _ = _run("bench.classify_speed", ["--articles", "300" if args.quick else "1000"])
    match = _CLASSIFY_LINE.search(output)
    if code != 0 or not match:
        failures.append(f"bench.classify_speed (exit {code})")
    else:
        rate = int(match.group(1))
        results.append(
            Result(
                "classification, one core" + (" (quick: indicative)" if args.quick else ""),
                f"{rate} articles/s",
                f">= {CLASSIFY_TARGET} articles/s",
                "none (bench/classify_speed.py)",
                rate >= CLASSIFY_TARGET,
            )
        )
    others: list[tuple[str, int, float]] = []
    for module, full, quick in OTHERS:
        extra = quick if args.quick else full
        if "--quick" in extra and not _supports_quick(module):
            extra = [a for a in extra if a != "--quick"]
        code, _, seconds = _run(module, extra)
        others.append((module, code, seconds))
        if code != 0:
            failures.append(f"{module} (exit {code})")

    elapsed = time.perf_counter() - started
    print(f"\n{'QUICK RUN: small sizes, figures are indicative only' if args.quick else 'FULL RUN'}")
    print(f"machine: {machine()}")
    print(f"total time: {elapsed / 60:.1f} min\n")
    print("| benchmark | figure | target | baseline (same run) | result |")
    print("|---|---|---|---|---|")
    for r in results:
        verdict = {True: "pass", False: "**MISS**", None: "info"}[r.passed]
        print(f"| {r.name} | {r.figure} | {r.target} | {r.baseline} | {verdict} |")
    for module, code, seconds in others:
        verdict = "pass" if code == 0 else "**FAIL**"
        print(f"| {module} | exit {code} ({seconds:.0f} s) | exit 0 | (its own output above) | {verdict} |")
    details = [r for r in results if r.detail]
    if details:
        print("\nDetails:")
        for r in details:
            print(f"- {r.name}: {r.detail}")
    missed = [r.name for r in results if r.passed is False]
    if missed or failures:
        print(f"\nMissed: {', '.join(missed + failures)}")
        return 1
    print("\nEvery target met.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
