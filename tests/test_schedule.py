"""`presswatch serve`: its deployments exist with their schedules, and the ingest deployment runs to completion."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest

from tests.builders import loopback_settings
from tests.loopback import LoopbackServer
from warehouse.db import connect


@pytest.mark.flow
def test_serve_deployments_have_schedules_and_ingest_runs(
    tmp_path: Path, server: LoopbackServer, prefect_harness: None
) -> None:
    from prefect.client.orchestration import get_client
    from prefect.deployments import run_deployment
    from prefect.runner import Runner

    from flows.schedule import INGEST_DEPLOYMENT, REPORT_DEPLOYMENT, build_deployments

    settings = loopback_settings(tmp_path, server)
    deployments = {d.name: d for d in build_deployments(settings)}
    custom = {
        d.name: d for d in build_deployments(settings.with_overrides(ingest_every_minutes=15, report_cron="30 7 * * 2"))
    }
    assert custom[INGEST_DEPLOYMENT].schedules[0].schedule.interval == timedelta(minutes=15)
    assert custom[REPORT_DEPLOYMENT].schedules[0].schedule.cron == "30 7 * * 2"
    assert set(deployments) == {INGEST_DEPLOYMENT, REPORT_DEPLOYMENT}
    ingest_schedule = deployments[INGEST_DEPLOYMENT].schedules[0].schedule
    report_schedule = deployments[REPORT_DEPLOYMENT].schedules[0].schedule
    assert ingest_schedule.interval == timedelta(hours=1)
    assert report_schedule.cron == "0 6 * * 1"
    assert deployments[INGEST_DEPLOYMENT].parameters == {"config_path": str(settings.config_path.resolve())}

    async def run() -> str:
        runner = Runner(name="presswatch-test", limit=2)
        for deployment in deployments.values():
            await runner.aadd_deployment(deployment)
        flow_run = await run_deployment(f"presswatch-ingest/{INGEST_DEPLOYMENT}", timeout=0)
        await runner.start(run_once=True)
        async with get_client() as client:
            for _ in range(120):  # bounded wait for the run the runner started
                state = (await client.read_flow_run(flow_run.id)).state
                if state is not None and state.is_final():
                    return state.type.value
                await asyncio.sleep(0.5)
        return "TIMEOUT"

    assert asyncio.run(run()) == "COMPLETED"
    with connect(settings.warehouse_path, read_only=True) as con:
        assert con.execute("select count(*) from coverage").fetchall()[0][0] == 4


@pytest.mark.parametrize(
    ("every", "cron", "after", "ingest", "report"),
    [
        pytest.param(
            60, "0 6 * * 1", "2026-12-05T15:32:10", "2026-12-05T16:00", "2026-12-07T06:00", id="hourly-monday"
        ),
        pytest.param(
            15, "30 7 * * 2", "2026-12-07T06:00:01", "2026-12-07T06:15", "2026-12-08T07:30", id="quarter-hours"
        ),
        pytest.param(1, "0 6 * * 1", "2026-12-31T23:59:30", "2027-01-01T00:00", "2027-01-04T06:00", id="year-end"),
    ],
)
def test_next_runs_are_the_ones_prefects_scheduler_makes(
    tmp_path: Path, every: int, cron: str, after: str, ingest: str, report: str
) -> None:
    from datetime import UTC, datetime

    from flows.schedule import next_runs
    from flows.settings import Settings

    settings = Settings(config_path=tmp_path / "x.toml").with_overrides(ingest_every_minutes=every, report_cron=cron)
    upcoming = next_runs(settings, datetime.fromisoformat(after).replace(tzinfo=UTC))
    assert upcoming.ingest == datetime.fromisoformat(ingest).replace(tzinfo=UTC)
    assert upcoming.report == datetime.fromisoformat(report).replace(tzinfo=UTC)
