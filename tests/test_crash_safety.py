"""Killing an ingest with SIGKILL at any point, then running again, yields the warehouse one clean run yields;
two ingests at once never both run; Ctrl-C or SIGTERM stops `presswatch ingest` (the real command, with its own
temporary Prefect server) within seconds with one line, and the next run finishes the work."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.builders import loopback_settings
from tests.conftest import FIXTURES
from tests.loopback import LoopbackServer, Request
from warehouse import store
from warehouse.db import connect
from warehouse.rows import PageRow

ROOT = Path(__file__).parents[1]
SCRIPT = textwrap.dedent(
    """
    import sys
    from flows.ingest import run_ingest
    from flows.settings import load_settings
    summary = run_ingest(load_settings(__import__("pathlib").Path(sys.argv[1])), orchestrated=False, batch_size=1)
    print("done", summary.articles_classified)
    """
)


class StallingSite:
    """The fixture site, whose page requests can be made to hang (until released) from the n-th one on."""

    def __init__(self, server: LoopbackServer) -> None:
        self.server = server
        self.pages = 0
        self.stall_from: int | None = None
        self.reached = threading.Event()
        self.release = threading.Event()
        self.lock = threading.Lock()
        self.max_stall_s = 20.0  # bounded: the tests kill or release the client long before
        for path in ("/news/amnesty-vote.html", "/opinion/support.html", "/misc/harbour.html", "/news/teaser.html"):
            server.routes[path] = self._page(path)

    def _page(self, path: str) -> Any:
        def respond(request: Request) -> tuple[int, dict[str, str], bytes]:
            with self.lock:
                self.pages += 1
                stall = self.stall_from is not None and self.pages >= self.stall_from
            if stall:
                self.reached.set()
                self.release.wait(self.max_stall_s)
            body = (
                (self.server.root / path.lstrip("/")).read_text(encoding="utf-8").replace("__BASE__", self.server.base)
            )  # type: ignore[operator]
            return 200, {"Content-Type": "text/html; charset=utf-8"}, body.encode()

        return respond


def _start(config: Path) -> subprocess.Popen[str]:
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-c", SCRIPT, str(config)], cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip


def _state(path: Path) -> dict[str, Any]:
    with connect(path, read_only=True) as con:

        def rows(sql: str) -> list[tuple[Any, ...]]:
            return con.execute(sql).fetchall()

        return {
            "articles": rows("select url, fetch_status, fetch_error, extract_status, text, text_source, story_id, language from articles order by url"),
            "classifications": rows("select url, topic, ruleset_version, stance, score from classifications order by url"),
            "evidence": rows("select url, seq, rule_id, matched, weight, voice from evidence order by url, seq"),
            "duplicates": rows("select (select count(*) from articles) - (select count(distinct url) from articles), "
                               "(select count(*) from classifications) - (select count(distinct (url, topic, ruleset_version)) from classifications)"),
            "pages": rows("select url, bytes from pages order by url"),
        }  # fmt: skip


@pytest.fixture(scope="module")
def site_server() -> Iterator[LoopbackServer]:
    srv = LoopbackServer(root=FIXTURES / "site").start()
    yield srv
    srv.stop()


@pytest.fixture
def server(site_server: LoopbackServer) -> Iterator[LoopbackServer]:
    """The module's server with a fresh request log and no stalls left from an earlier test."""
    site_server.routes.clear()
    site_server.log.clear()
    yield site_server
    site_server.routes.clear()


@pytest.fixture(scope="module")
def clean_state(tmp_path_factory: pytest.TempPathFactory, site_server: LoopbackServer) -> dict[str, Any]:
    settings = loopback_settings(tmp_path_factory.mktemp("clean"), site_server)
    process = _start(settings.config_path)
    _out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    return _state(settings.warehouse_path)


@pytest.mark.parametrize(
    ("stall_from", "extra_delay"),
    [
        pytest.param(1, 0.0, id="after-feeds"),
        pytest.param(3, 0.0, id="mid-articles"),
        pytest.param(3, 0.05, id="mid-write-early"),
        pytest.param(4, 0.2, id="mid-write-late"),
    ],
)
def test_sigkill_then_rerun_equals_a_clean_run(
    tmp_path: Path, server: LoopbackServer, clean_state: dict[str, Any], stall_from: int, extra_delay: float
) -> None:
    site = StallingSite(server)
    site.stall_from = stall_from
    settings = loopback_settings(tmp_path, server)
    process = _start(settings.config_path)
    try:
        assert site.reached.wait(60), process.stderr.read() if process.poll() is not None else "no stall reached"
        time.sleep(extra_delay)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(10)
    finally:
        site.release.set()
        if process.poll() is None:
            process.kill()
    site.stall_from = None
    rerun = _start(settings.config_path)
    _out, err = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, err
    assert _state(settings.warehouse_path) == clean_state
    with connect(settings.warehouse_path, read_only=True) as con:
        statuses = [r[0] for r in con.execute("select status from runs order by started_at").fetchall()]
    assert statuses == ["failed", "completed"]  # the killed run is marked, not left 'running'


def test_two_ingests_at_once_one_runs_the_other_says_why(tmp_path: Path, server: LoopbackServer) -> None:
    site = StallingSite(server)
    site.stall_from = 1
    settings = loopback_settings(tmp_path, server)
    # The first run's stalled page must outlast the second run however slowly the machine starts it: with the
    # usual 5 s fetch timeout, a loaded machine timed the page out first and the run stored 2 articles, not 4.
    config = settings.config_path
    config.write_text(config.read_text(encoding="utf-8").replace("timeout_s = 5.0", "timeout_s = 120.0"), "utf-8")
    site.max_stall_s = 110.0  # released as soon as the second run has answered
    first = _start(settings.config_path)
    try:
        assert site.reached.wait(60)
        second = _start(settings.config_path)
        _out, err = second.communicate(timeout=60)
        assert second.returncode != 0
        assert "another presswatch ingest is running" in err and f"pid {first.pid}" in err
    finally:
        site.release.set()
    _out, err = first.communicate(timeout=120)
    assert first.returncode == 0, err
    with connect(settings.warehouse_path, read_only=True) as con:
        # Integrity: every table (of the warehouse and of the raw pages' file) scans completely and no key is
        # duplicated.
        for catalog, schema, table in con.execute(
            "select table_catalog, table_schema, table_name from information_schema.tables"
            " where table_type = 'BASE TABLE'"
        ).fetchall():
            con.execute(f'select * from "{catalog}"."{schema}"."{table}"').fetchall()
        assert con.execute("select count(*) - count(distinct url) from articles").fetchall() == [(0,)]
        assert con.execute("select count(*) from coverage").fetchall()[0][0] == 4


def test_pages_written_without_their_articles_are_replaced_by_the_next_run(
    tmp_path: Path, server: LoopbackServer, clean_state: dict[str, Any]
) -> None:
    """A batch's raw pages are committed in their own transaction just before its articles (they live in another
    file): a run killed between the two leaves pages whose articles are still pending. The next run fetches those
    articles and stores their pages again, and the warehouse is the one a clean run makes."""
    StallingSite(server)
    settings = loopback_settings(tmp_path, server)
    stale = [
        PageRow(url=url, fetched_at=datetime(2015, 8, 11, tzinfo=UTC), content_type="text/html",
                compression="zlib", bytes=1, body=zlib.compress(b"<p>an older copy</p>"))
        for url, _bytes in clean_state["pages"]
    ]  # fmt: skip
    assert stale
    with connect(settings.warehouse_path) as con, store.transaction(con):
        store.save_pages(con, stale)
    assert _state(settings.warehouse_path)["articles"] == []
    rerun = _start(settings.config_path)
    _out, err = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, err
    assert _state(settings.warehouse_path) == clean_state


def _ingest(config: Path, home: Path) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")} | {
        "PREFECT_HOME": str(home), "PYTHONPATH": str(ROOT)}  # fmt: skip
    return subprocess.Popen([sys.executable, "-m", "flows.cli", "--config", str(config), "ingest"], cwd=ROOT,
                            env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize(("sig", "status"), [pytest.param(signal.SIGINT, 130, id="ctrl-c"),
                                             pytest.param(signal.SIGTERM, 143, id="sigterm")])  # fmt: skip
def test_an_interrupted_ingest_stops_in_seconds_with_one_line_and_the_next_run_finishes_it(
    tmp_path: Path, server: LoopbackServer, clean_state: dict[str, Any], sig: int, status: int
) -> None:
    site = StallingSite(server)
    site.stall_from = 2  # one article fetched, the second hangs
    site.max_stall_s = 60.0
    settings = loopback_settings(tmp_path, server)
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
