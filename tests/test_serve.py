"""`presswatch serve` as a user runs it: no Prefect server configured, a one-minute schedule, a real scheduled run.

These start the real command in a child process (with its own Prefect server) and wait for the server's scheduler,
so they take a minute or two; they are marked slow, and `make test` (CI) runs them."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FIXTURES
from tests.loopback import LoopbackServer, Request
from warehouse.db import WarehouseError, connect, exclusive_run

pytestmark = pytest.mark.slow
# The first scheduled run falls on the next whole minute; the runner polls every 10 s; a fresh Prefect server needs
# 12-16 s to create its database. Bounded well above that for a loaded CI machine.
SCHEDULED_RUN_WAIT_S = 240


@pytest.fixture
def site() -> Iterator[LoopbackServer]:
    srv = LoopbackServer(root=FIXTURES / "site").start()
    yield srv
    srv.stop()


@pytest.fixture
def launch() -> Iterator[Any]:
    """Start serve; whatever a test does, the child and its Prefect server are gone afterwards."""
    started: list[Serve] = []

    def start(config: Path, *args: str) -> Serve:
        started.append(Serve(config, *args))
        return started[-1]

    yield start
    for serve in started:
        if serve.process.poll() is None:
            serve.process.send_signal(signal.SIGTERM)
            try:
                serve.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                serve.process.kill()


def _config(tmp_path: Path, site: LoopbackServer, *extra: str) -> Path:
    lines = [
        "[warehouse]", 'path = "data/pw.duckdb"', "[reports]", 'dir = "data/reports"',
        "[fetch]", "allow_private_networks = true", "per_host_delay_s = 0.0", "timeout_s = 5.0",
        "[schedule]", "ingest_every_minutes = 1",
        "[[feeds]]", f'url = "{site.url("/feed.rss")}"', 'name = "Harbour Ledger"',
        *extra,
    ]  # fmt: skip
    config = tmp_path / "presswatch.toml"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return config


class Serve:
    """`presswatch serve` in a child process, its output collected as it comes."""

    def __init__(self, config: Path, *args: str) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}  # as a user has it
        self.process = subprocess.Popen(
            [sys.executable, "-m", "flows.cli", "--config", str(config), "serve", *args],
            cwd=config.parent,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.stdout: list[str] = []
        self.stderr: list[str] = []
        for stream, sink in ((self.process.stdout, self.stdout), (self.process.stderr, self.stderr)):
            threading.Thread(target=lambda s=stream, k=sink: k.extend(iter(s.readline, "")), daemon=True).start()

    def wait_for(self, predicate: Any, timeout_s: float, what: str) -> Any:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            result = predicate()
            if result:
                return result
            if self.process.poll() is not None:
                pytest.fail(f"serve exited ({self.process.returncode}) waiting for {what}:\n{''.join(self.stderr)}")
            time.sleep(0.5)
        self.process.kill()
        pytest.fail(f"timed out waiting for {what}:\n{''.join(self.stdout)}\n{''.join(self.stderr)}")

    def stop(self, sig: int) -> tuple[int, float]:
        started = time.monotonic()
        self.process.send_signal(sig)
        try:
            code = self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            pytest.fail("serve did not stop within 30 s")
        time.sleep(0.2)  # the reader threads drain the pipes
        return code, time.monotonic() - started


def _completed_ingests(warehouse: Path) -> list[dict[str, Any]]:
    try:
        with connect(warehouse, read_only=True, wait_s=0.5) as con:
            rows = con.execute(
                "select started_at, summary from runs where flow = 'ingest' and status = 'completed'"
            ).fetchall()
    except WarehouseError:  # not created yet, or an ingest holds it right now
        return []
    return [{"started_at": r[0], "summary": json.loads(r[1])} for r in rows]


def _assert_released(warehouse: Path) -> None:
    for name in ("serve", "ingest"):
        with exclusive_run(warehouse, name):
            pass


def test_serve_runs_a_scheduled_ingest_with_no_prefect_server_configured(
    tmp_path: Path, site: LoopbackServer, launch: Any
) -> None:
    config = _config(tmp_path, site)
    warehouse = tmp_path / "data" / "pw.duckdb"
    serve = launch(config)
    serve.wait_for(lambda: any(line.startswith("next ingest:") for line in serve.stdout), 180, "the start message")
    announced = "".join(serve.stdout)
    assert "(every 1 min)" in announced
    assert "next report: Mon " in announced and "06:00 UTC" in announced

    runs = serve.wait_for(lambda: _completed_ingests(warehouse), SCHEDULED_RUN_WAIT_S, "a scheduled ingest")
    summary = runs[0]["summary"]
    assert summary["feeds_ok"] == 1
    assert summary["articles_classified"] >= 1  # the run did the work, not only started
    database = tmp_path / "data" / "prefect" / "prefect.db"
    assert database.exists(), "the Prefect server keeps its database beside the warehouse"

    code, took = serve.stop(signal.SIGTERM)
    assert code == 0
    assert took < 20
    errors = "".join(serve.stderr)
    assert "Traceback" not in errors
    assert errors.strip().splitlines()[-1].startswith("presswatch serve: stopped (SIGTERM)")
    _assert_released(warehouse)
    assert not (tmp_path / "data" / "prefect" / "server.pid").exists(), "the Prefect server was stopped"


def test_ctrl_c_during_an_ingest_stops_serve_in_seconds_with_one_line(
    tmp_path: Path, site: LoopbackServer, launch: Any
) -> None:
    # The article pages answer only after a long wait, so that Ctrl-C lands while the ingest (started by
    # --run-now, not by the schedule) is fetching them.
    def slow_page(request: Request) -> tuple[int, dict[str, str], bytes]:
        time.sleep(4)
        text = (FIXTURES / "site" / request.path.lstrip("/")).read_text(encoding="utf-8")
        return 200, {"Content-Type": "text/html; charset=utf-8"}, text.replace("__BASE__", site.base).encode()

    site.routes.update({path: slow_page for path in ("/news/amnesty-vote.html", "/opinion/support.html")})
    config = _config(tmp_path, site)
    warehouse = tmp_path / "data" / "pw.duckdb"
    serve = launch(config, "--run-now")
    serve.wait_for(lambda: any(line.startswith("next ingest: now") for line in serve.stdout), 180, "the start message")
    serve.wait_for(lambda: any(r.path.endswith(".html") for r in site.log), 120, "the ingest to fetch articles")

    code, took = serve.stop(signal.SIGINT)
    assert code == 130
    assert took < 20
    errors = "".join(serve.stderr)
    assert "Traceback" not in errors
    assert errors.strip().splitlines()[-1].startswith("presswatch serve: stopped (SIGINT)")
    _assert_released(warehouse)
