"""Shared pieces of the benchmark scripts: results, output folders, Prefect's environment, memory sampling."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"  # git-ignored: warehouses, configs and the Prefect home of benchmark runs
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


@dataclass(frozen=True, slots=True)
class Result:
    """One line of the summary table. A result that measured nothing (no corpus, an empty one, zero items, no
    target) is skipped: `passed` is None and `skipped` says why; it never counts as met."""

    name: str
    figure: str
    target: str
    baseline: str
    passed: bool | None  # None: skipped, nothing was judged against a target
    detail: str = ""
    skipped: str = ""  # why nothing was measured or judged; set exactly when `passed` is None

    def __post_init__(self) -> None:
        if (self.passed is None) != bool(self.skipped):
            raise ValueError(f"{self.name}: a result is skipped (with a reason) exactly when it has no verdict")

    @classmethod
    def skip(cls, name: str, reason: str, *, target: str = "", detail: str = "") -> Result:
        return cls(name, "not measured", target or "-", "-", None, detail, reason)

    @property
    def verdict(self) -> str:
        return {True: "pass", False: "MISS", None: "skipped"}[self.passed]


def print_result(r: Result) -> None:
    if r.passed is None:
        print(f"[SKIPPED] {r.name}: {r.skipped}", flush=True)
    else:
        print(f"[{r.verdict.upper()}] {r.name}: {r.figure} (target {r.target}; baseline {r.baseline})", flush=True)
    if r.detail:
        print(f"       {r.detail}", flush=True)


def exit_code(results: Sequence[Result]) -> int:
    """A benchmark's exit status: 1 when a target was missed, else 0 (skipped results say so in their output and
    record; `python -m bench` counts them apart from the met ones)."""
    return 1 if any(r.passed is False for r in results) else 0


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def prefect_env(home: Path | None = None) -> dict[str, str]:
    """Environment for a process that runs Prefect flows: a project Prefect home (kept between benchmark runs so
    that its one-off initialisation is not timed again), no telemetry, quiet logs."""
    env = dict(os.environ)
    env.setdefault("PREFECT_HOME", str(home or OUT / "prefect-home"))
    env.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    env.setdefault("DO_NOT_TRACK", "1")
    env.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    env.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    env["PYTHONUNBUFFERED"] = "1"  # progress lines of child benchmarks appear as they happen
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def run_json(args: list[str], *, env: dict[str, str] | None = None, timeout_s: float = 900) -> dict[str, Any]:
    """Run `python -m ...` in a fresh process that prints one JSON object as its last stdout line."""
    proc = subprocess.run(
        [sys.executable, *args], env=env or prefect_env(), cwd=ROOT, capture_output=True, text=True, timeout=timeout_s
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} exited {proc.returncode}:\n{proc.stderr[-3000:]}")
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise RuntimeError(f"{' '.join(args)} printed no result:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return json.loads(lines[-1])


# --- memory ------------------------------------------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            text = Path(f"/proc/{pid}/task/{task}/children").read_text()
            found += [int(c) for c in text.split()]
    except OSError:
        pass
    return found


def tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants (extraction workers included), from /proc."""
    total = 0
    stack = [pid]
    seen: set[int] = set()
    while stack and len(seen) < 10_000:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        try:
            total += int(Path(f"/proc/{current}/statm").read_text().split()[1]) * PAGE_SIZE
        except (OSError, ValueError, IndexError):
            continue
        stack += _children(current)
    return total


class PeakRss:
    """Samples the RSS of this process tree every `interval_s` in a thread; `peak` is the largest sum seen."""

    def __init__(self, interval_s: float = 0.1) -> None:
        self.interval_s = interval_s
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def _run(self) -> None:
        pid = os.getpid()
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_rss(pid))
            self._stop.wait(self.interval_s)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.peak = max(self.peak, tree_rss(os.getpid()))


def mb(n: float) -> str:
    return f"{n / 2**20:,.0f} MB"


class Stopwatch:
    def __enter__(self) -> Stopwatch:
        self.started = time.perf_counter()
        self.seconds = 0.0
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.started
