"""Benchmark records: each benchmark's figures as JSON under bench/results/, one file per benchmark.

A record holds the run's results (figure, target, baseline, verdict, or why it was skipped) with what is needed to
judge them later: the machine (cores, CPU model, RAM), the date (UTC), the git commit and the versions of Python,
DuckDB, trafilatura and Prefect. Every run overwrites its benchmark's file; the figure tables of README.md and
docs/benchmarks.md are generated from the committed files (`python -m bench.docs`), so that no figure in the docs
lacks a record.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import asdict
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from bench.common import ROOT, Result

RESULTS = ROOT / "bench" / "results"
VERSIONED = ("duckdb", "trafilatura", "prefect")


def machine() -> dict[str, Any]:
    """Cores, CPU model and RAM as far as this system tells them (Linux /proc; None where unreadable)."""
    cpu = None
    ram_gib = None
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal"):
                ram_gib = round(int(line.split()[1]) / 2**20, 1)
                break
    except (OSError, ValueError, IndexError):
        pass
    return {
        "cores": os.cpu_count(),
        "cpu": cpu or platform.processor() or None,
        "ram_gib": ram_gib,
        "platform": platform.platform(),
    }


def versions() -> dict[str, str | None]:
    found: dict[str, str | None] = {"python": platform.python_version()}
    for name in VERSIONED:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = None
    return found


def git_commit(root: Path = ROOT) -> dict[str, Any]:
    """The checked-out commit, and whether tracked files other than the records and Markdown (docs, README,
    CHANGELOG) differ from it: then the figures come from uncommitted code."""

    def git(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)

    head = git("rev-parse", "HEAD")
    if head.returncode != 0:
        return {"commit": None, "dirty": None}
    changed = git("status", "--porcelain", "--untracked-files=no", "--", ".", ":(exclude)bench/results")
    paths = [line[3:] for line in changed.stdout.splitlines()]
    dirty = [p for p in paths if not p.endswith(".md")]
    return {"commit": head.stdout.strip(), "dirty": bool(dirty)}


def write_record(
    benchmark: str,
    results: Sequence[Result],
    *,
    quick: bool,
    argv: Sequence[str] | None = None,
    directory: Path = RESULTS,
) -> Path:
    """Write `directory/<benchmark>.json` (replacing the last run's) and return its path."""
    args = list(sys.argv[1:] if argv is None else argv)
    record = {
        "benchmark": benchmark,
        "command": " ".join(["python -m", f"bench.{benchmark}", *args]),
        "quick": quick,
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        **git_commit(),
        "machine": machine(),
        "versions": versions(),
        "results": [{**asdict(r), "verdict": r.verdict} for r in results],
    }
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{benchmark}.json"
    path.write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"record: {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}", flush=True)
    return path


def read_record(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def record_results(record: dict[str, Any]) -> list[Result]:
    fields = set(Result.__dataclass_fields__)
    return [Result(**{k: v for k, v in r.items() if k in fields}) for r in record["results"]]


def read_records(directory: Path = RESULTS) -> dict[str, dict[str, Any]]:
    """Every record in `directory`, by benchmark name."""
    return {path.stem: read_record(path) for path in sorted(directory.glob("*.json"))}
