"""Ctrl-C and SIGTERM during a command that writes the warehouse: stop within a second, with one line.

Every stage is idempotent and each batch is written in its own transaction, so an interrupted run is exactly a run
killed at that moment, which the next run finishes (tests/test_crash_safety.py kills runs with SIGKILL at each
stage). Waiting for threads that are fetching pages, for Prefect to record the crash and for its temporary server
to stop took over two minutes and printed tracebacks. So the first signal ends the process at once: it stops the
extraction workers and Prefect's temporary server (children of this process), says what happens to the unfinished
work, and exits with the conventional status (130 for Ctrl-C, 143 for SIGTERM).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Iterator
from types import FrameType


def _children_stopped() -> None:
    for child in multiprocessing.active_children():
        with contextlib.suppress(Exception):
            child.kill()
    # Prefect's temporary server, when this process started one: a child process of its own.
    with contextlib.suppress(Exception):
        from prefect.server.api.server import SubprocessASGIServer

        for server in list(SubprocessASGIServer._instances.values()):
            process = getattr(server, "server_process", None)
            if process is not None:
                process.kill()


@contextlib.contextmanager
def interruptible(what_remains: Callable[[], str]) -> Iterator[None]:
    """Within this block, SIGINT or SIGTERM prints `presswatch: interrupted; <what_remains()>` and exits at once."""

    def stop(signum: int, frame: FrameType | None) -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C while stopping changes nothing
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        _children_stopped()
        try:
            remains = what_remains()
        except Exception:
            remains = "what was not yet written stays pending and the next run does it"
        sys.stderr.write(f"presswatch: interrupted; {remains}\n")
        sys.stderr.flush()
        os._exit(130 if signum == signal.SIGINT else 143)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
