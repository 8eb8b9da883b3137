"""Ctrl-C and SIGTERM during `presswatch ingest` (the real command, its own temporary Prefect server): out within
seconds with one line, and the next run finishes the work."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.loopback import LoopbackServer
from tests.test_crash_safety import StallingSite, _state, clean_state, server, site_server  # noqa: F401
from tests.test_ingest_flow import _config

pytestmark = pytest.mark.slow
ROOT = Path(__file__).parents[1]


def _ingest(config: Path, home: Path) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")} | {
        "PREFECT_HOME": str(home), "PYTHONPATH": str(ROOT)}  # fmt: skip
    return subprocess.Popen([sys.executable, "-m", "flows.cli", "--config", str(config), "ingest"], cwd=ROOT,
                            env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip


@pytest.mark.parametrize(("sig", "status"), [pytest.param(signal.SIGINT, 130, id="ctrl-c"),
                                             pytest.param(signal.SIGTERM, 143, id="sigterm")])  # fmt: skip
def test_an_interrupted_ingest_stops_in_seconds_with_one_line_and_the_next_run_finishes_it(
    tmp_path: Path,
    server: LoopbackServer,
    clean_state: dict,
    sig: int,
    status: int,  # noqa: F811
) -> None:
    site = StallingSite(server)
    site.stall_from = 2  # one article fetched, the second hangs
    site.max_stall_s = 60.0
    settings = _config(tmp_path, server)
    home = tmp_path / "prefect"
    process = _ingest(settings.config_path, home)
    try:
        assert site.reached.wait(120), process.stderr.read() if process.poll() is not None else "no stall"
        started = time.monotonic()
        process.send_signal(sig)
        _out, err = process.communicate(timeout=30)
        took = time.monotonic() - started
    finally:
        site.release.set()
        if process.poll() is None:
            process.kill()
    assert process.returncode == status
    assert took < 10
    assert "Traceback" not in err
    last = err.strip().splitlines()[-1]
    assert last.startswith("presswatch: interrupted; ") and "next run" in last
    site.stall_from = None
    rerun = _ingest(settings.config_path, home)
    _out, err = rerun.communicate(timeout=180)
    assert rerun.returncode == 0, err
    assert _state(settings.warehouse_path) == clean_state
