"""Past one machine, for real: a Prefect server, a `process` work pool with two workers, the shared PostgreSQL
warehouse and the bundled sample web, all on loopback. `presswatch deploy --shards 3` registers the shards, the
workers run them, and the `coverage` rows equal those of one `presswatch ingest` over the same web. A worker killed
mid-run (with its flow run: the machine dies) leaves its shard's work to the next run of that shard.

These start real long-running processes and wait for workers to poll, so they take a minute or two; they are
marked slow, and `make test` (CI) runs them."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

from flows import demo as demo_web
from flows.prefect_server import PrefectServer
from flows.settings import load_settings
from warehouse.analyst import run_query
from warehouse.db import WarehouseError

pytestmark = pytest.mark.slow
POOL = "presswatch-test"
# Workers poll every 2 s here; a flow run starts its own Python (1-2 s) and Prefect; three shards of the demo web on
# two workers then take well under a minute. Bounded far above that for a loaded CI machine.
RUNS_WAIT_S = 300


@pytest.fixture(scope="module")
def prefect_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Prefect server of its own on loopback. A deployment's concurrency slot is leased: a run whose machine died
    holds it until the lease runs out, 300 s by default; 30 s here (the least Prefect allows), looked for every 2 s."""
    home = tmp_path_factory.mktemp("prefect")
    quick_leases = {
        "PREFECT_SERVER_CONCURRENCY_INITIAL_DEPLOYMENT_LEASE_DURATION": "30",
        "PREFECT_SERVER_SERVICES_REPOSSESSOR_LOOP_SECONDS": "2",
    }
    with mock.patch.dict(os.environ, quick_leases), PrefectServer(home) as server:
        yield server.api_url


@pytest.fixture(scope="module")
def web() -> Iterator[dict[str, str]]:
    site = demo_web.demo_site_dir()
    outlets = demo_web.load_manifest(site)
    with demo_web.serve_site(site, outlets, port=0) as bases:
        yield bases


def _configs(folder: Path, bases: dict[str, str], pg_url: str) -> tuple[Path, Path]:
    """The demo's config over the served web twice: one into a DuckDB file, one into the shared store."""
    outlets = demo_web.load_manifest(demo_web.demo_site_dir())
    local = demo_web.write_demo_config(folder / "one", outlets, bases)
    shared = demo_web.write_demo_config(folder / "shared", outlets, bases)
    text = shared.read_text(encoding="utf-8")
    shared.write_text(text.replace("[warehouse]\n", f'[warehouse]\nurl = "{pg_url}"\n', 1), encoding="utf-8")
    return local, shared


def _environment(api_url: str, home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    return env | {
        "PREFECT_API_URL": api_url,
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "PREFECT_WORKER_QUERY_SECONDS": "2",
        "PREFECT_WORKER_PREFETCH_SECONDS": "2",
    }


def _deploy(config: Path, env: dict[str, str]) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-m", "flows.cli", "--config", str(config), "deploy", "--pool", POOL, "--shards", "3",
         "--run-now"],
        env=env, cwd=config.parent, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


class Worker:
    """`prefect worker start --pool NAME`, as an operator runs it on each machine."""

    def __init__(self, name: str, env: dict[str, str], cwd: Path) -> None:
        self.log = cwd / f"worker-{name}.log"
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "prefect", "worker", "start", "--pool", POOL, "--name", name, "--type",
                 "process"],
                env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip

    def kill_machine(self) -> None:
        """SIGKILL the worker and every process under it (the flow runs it started): no one says goodbye."""
        for pid in [*_descendants(self.process.pid), self.process.pid]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill_machine()


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


@pytest.fixture
def workers() -> Iterator[list[Worker]]:
    started: list[Worker] = []
    yield started
    for worker in started:
        worker.stop()


def _runs(pg_url: str) -> list[dict[str, Any]]:
    try:
        result = run_query(pg_url, "SELECT shard, status, started_at, summary FROM runs WHERE flow = 'ingest'")
    except WarehouseError:
        return []
    except Exception as exc:  # the tables may not exist yet
        if "does not exist" in str(exc):
            return []
        raise
    return [dict(zip(result.columns, row, strict=True)) for row in result.rows]


def _wait(predicate: Any, what: str, workers: list[Worker], timeout_s: float = RUNS_WAIT_S) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.5)
    logs = "\n".join(w.log.read_text(errors="replace")[-3000:] for w in workers)
    pytest.fail(f"timed out waiting for {what}\n{logs}")


def _crash_stranded_flow_runs(api_url: str) -> int:
    """What Prefect's UI "change state" (or a zombie-run automation) does for runs whose machine died: mark them
    Crashed, which frees their deployment's concurrency slot at once instead of when its lease runs out (Prefect
    renews it for 300 s at a time while the run lives; docs/scaling.md)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterState, FlowRunFilterStateType
    from prefect.client.schemas.objects import StateType
    from prefect.settings import PREFECT_API_URL, temporary_settings
    from prefect.states import Crashed

    with temporary_settings({PREFECT_API_URL: api_url}), get_client(sync_client=True) as client:
        alive = FlowRunFilterStateType(any_=[StateType.RUNNING, StateType.PENDING])
        runs = client.read_flow_runs(flow_run_filter=FlowRunFilter(state=FlowRunFilterState(type=alive)))
        for run in runs:
            client.set_flow_run_state(run.id, Crashed(message="the worker's machine died"), force=True)
    return len(runs)


def _coverage(location: Any) -> list[tuple[str, str, float]]:
    rows = run_query(location, "SELECT url, stance, score FROM coverage ORDER BY url, topic").rows
    return [(url, stance, round(float(score), 6)) for url, stance, score in rows]


def _reference(config: Path) -> list[tuple[str, str, float]]:
    from flows.ingest import run_ingest

    settings = load_settings(config)
    run_ingest(settings, orchestrated=False)
    return _coverage(settings.warehouse_path)


def test_three_shards_on_two_workers_store_what_one_ingest_does(
    tmp_path: Path, prefect_api: str, web: dict[str, str], pg_url: str, workers: list[Worker]
) -> None:
    local, shared = _configs(tmp_path, web, pg_url)
    env = _environment(prefect_api, tmp_path / "prefect-home")
    workers += [Worker("machine-a", env, tmp_path), Worker("machine-b", env, tmp_path)]
    names = _deploy(shared, env)
    assert names == [
        "presswatch-ingest/presswatch-ingest-shard-1-of-3", "presswatch-ingest/presswatch-ingest-shard-2-of-3",
        "presswatch-ingest/presswatch-ingest-shard-3-of-3", "presswatch-weekly-report/presswatch-weekly-report",
    ]  # fmt: skip
    expected = _reference(local)
    assert len(expected) >= 40

    def every_shard_done() -> bool:
        runs = _runs(pg_url)
        return {r["shard"] for r in runs if r["status"] == "completed"} == {"1/3", "2/3", "3/3"}

    _wait(every_shard_done, "a completed run of each of the 3 shards", workers)
    assert _coverage(pg_url) == expected
    both = [w.log.read_text(errors="replace") for w in workers]
    assert all("presswatch-ingest" in log or "Worker" in log for log in both)


def test_a_shard_killed_mid_run_is_finished_by_its_next_run(
    tmp_path: Path, prefect_api: str, web: dict[str, str], pg_url: str, workers: list[Worker]
) -> None:
    local, shared = _configs(tmp_path, web, pg_url)
    env = _environment(prefect_api, tmp_path / "prefect-home")
    workers.append(Worker("machine-a", env, tmp_path))
    _deploy(shared, env)
    _wait(lambda: [r for r in _runs(pg_url) if r["status"] == "running"], "a shard's run to start", workers)
    workers[0].kill_machine()
    assert _crash_stranded_flow_runs(prefect_api) >= 1
    # The shards whose runs the kill cut short (one may have completed in the moment before it): nothing closed
    # their runs, their process is gone.
    cut_short = sorted({r["shard"] for r in _runs(pg_url) if r["status"] == "running"})
    assert cut_short
    killed = cut_short[0]
    assert [r["status"] for r in _runs(pg_url) if r["shard"] == killed] == ["running"]
    expected = _reference(local)
    workers.append(Worker("machine-b", env, tmp_path))
    _deploy(shared, env)  # the next runs (a schedule would start them the same way)

    def killed_shard_finished() -> bool:
        runs = [r for r in _runs(pg_url) if r["shard"] == killed]
        done = {r["shard"] for r in _runs(pg_url) if r["status"] == "completed"} == {"1/3", "2/3", "3/3"}
        return done and any(r["status"] == "completed" for r in runs) and all(r["status"] != "running" for r in runs)

    _wait(killed_shard_finished, f"shard {killed}'s next run to complete", workers)
    runs = sorted((r for r in _runs(pg_url) if r["shard"] == killed), key=lambda r: r["started_at"])
    assert runs[0]["status"] == "failed" and "interrupted" in runs[0]["summary"]
    assert _coverage(pg_url) == expected
    total, distinct = run_query(pg_url, "SELECT count(*), count(DISTINCT url) FROM articles").rows[0]
    assert total == distinct
