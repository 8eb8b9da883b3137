"""Progress on long work for a person watching a terminal; silent under Prefect workers, in CI and in pipes.

The CLI installs a reporter before it runs a flow (flow parameters must be serialisable, so the reporter is
process-wide); stages call `advance`. With no reporter installed, nothing is printed.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Protocol
from urllib.parse import urlsplit


class Reporter(Protocol):
    def start(self, stage: str, total: int) -> None: ...
    def advance(self, stage: str, count: int) -> None: ...
    def waiting(self, stage: str, hosts: list[str]) -> None: ...


_reporter: Reporter | None = None


def start(stage: str, total: int) -> None:
    if _reporter is not None:
        _reporter.start(stage, total)


def advance(stage: str, count: int = 1) -> None:
    if _reporter is not None:
        _reporter.advance(stage, count)


def fetch_watcher(stage: str) -> Callable[[str, str], None] | None:
    """A fetcher's `watch` hook that advances `stage` per finished request and names the hosts still awaited (a
    feed that accepts the connection and never answers is otherwise silent until its timeout); None when nobody
    is watching."""
    if _reporter is None:
        return None
    reporter = _reporter
    in_flight: dict[str, float] = {}
    lock = threading.Lock()

    def watch(event: str, url: str) -> None:
        with lock:
            if event == "start":
                in_flight[url] = time.monotonic()
            else:
                in_flight.pop(url, None)
            oldest = sorted(in_flight, key=in_flight.__getitem__)[:2]
        if event == "done":
            reporter.advance(stage, 1)
        reporter.waiting(stage, [urlsplit(u).hostname or u for u in oldest])

    return watch


def wanted() -> bool:
    """A person is watching: stderr is a terminal and we are not in CI."""
    return sys.stderr.isatty() and not os.environ.get("CI") and os.environ.get("TERM") != "dumb"


class _RichReporter:
    def __init__(self, progress: Any) -> None:
        self.progress = progress
        self.tasks: dict[str, Any] = {}

    def start(self, stage: str, total: int) -> None:
        if stage in self.tasks:
            self.progress.update(self.tasks[stage], total=total)
        else:
            self.tasks[stage] = self.progress.add_task(stage, total=total, hosts="")

    def advance(self, stage: str, count: int) -> None:
        if stage in self.tasks:
            self.progress.advance(self.tasks[stage], count)

    def waiting(self, stage: str, hosts: list[str]) -> None:
        if stage in self.tasks:
            self.progress.update(self.tasks[stage], hosts=", ".join(hosts))


@contextmanager
def shown() -> Iterator[None]:
    """Show a progress bar on stderr for the duration of the block, when a person is watching."""
    global _reporter
    if not wanted():
        yield
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("{task.description:>10}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
        TextColumn("[dim]{task.fields[hosts]}"),
    )
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        _reporter = _RichReporter(bar)
        try:
            yield
        finally:
            _reporter = None
