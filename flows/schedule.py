"""`presswatch serve`: the scheduled deployments, run by a Prefect runner in this process.

Scheduled runs are created by a Prefect server's scheduler (flows/prefect_server.py says why presswatch starts
one of its own when none is configured); the runner here polls for them and runs each in a child process.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from prefect.schedules import Cron, Interval

from flows.ingest import ingest_flow
from flows.settings import Settings
from flows.weekly_report_flow import weekly_report_flow

INGEST_DEPLOYMENT = "presswatch-ingest"
REPORT_DEPLOYMENT = "presswatch-weekly-report"
# Interval runs fall on whole multiples of the interval counted from midnight UTC (hourly at :00, every 15 min at
# :00/:15/...), the same after every restart of `serve`: a restart then leaves the schedule, and the runs the
# server already planned, unchanged.
INTERVAL_ANCHOR = datetime(2015, 1, 1, tzinfo=UTC)
# After a stop is asked for, how long the runner may take to cancel its runs before `serve` exits anyway; an
# interrupted ingest is finished by the next one (crash safety), so nothing waits on it.
STOP_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class NextRuns:
    ingest: datetime
    report: datetime


def build_deployments(settings: Settings) -> list[Any]:
    """The two deployments `serve` registers (schedules from `[schedule]`), both on this config."""
    config = str(settings.config_path.resolve())
    interval = timedelta(minutes=settings.ingest_every_minutes)
    # paused=False: a runner stopped before pauses its deployments; serving again must resume them.
    return [
        ingest_flow.to_deployment(
            name=INGEST_DEPLOYMENT,
            schedule=Interval(interval, anchor_date=INTERVAL_ANCHOR, timezone="UTC"),
            parameters={"config_path": config},
            paused=False,
        ),
        weekly_report_flow.to_deployment(
            name=REPORT_DEPLOYMENT,
            schedule=Cron(settings.report_cron, timezone="UTC"),
            parameters={"config_path": config},
            paused=False,
        ),
    ]


def next_runs(settings: Settings, after: datetime) -> NextRuns:
    """When the server's scheduler will start the next ingest and report: computed with Prefect's own schedule
    classes, the ones its scheduler uses."""
    from prefect.server.schemas.schedules import CronSchedule, IntervalSchedule

    interval = IntervalSchedule.model_validate(
        {"interval": timedelta(minutes=settings.ingest_every_minutes), "anchor_date": INTERVAL_ANCHOR}
    )
    cron = CronSchedule(cron=settings.report_cron, timezone="UTC")

    async def first(schedule: Any) -> datetime:
        dates = await schedule.get_dates(n=1, start=after)
        return datetime.fromisoformat(str(dates[0])).astimezone(UTC)

    async def both() -> NextRuns:
        return NextRuns(ingest=await first(interval), report=await first(cron))

    return asyncio.run(both())


def serve_deployments(settings: Settings, *, run_now: bool = False, on_ready: Callable[[], None] | None = None) -> str:
    """Register the deployments and run them until SIGTERM or Ctrl-C; returns the name of the signal that stopped
    serving. `run_now` also starts an ingest at once. `on_ready` is called once the deployments are registered."""
    return asyncio.run(_serve(build_deployments(settings), run_now, on_ready))


async def _serve(deployments: list[Any], run_now: bool, on_ready: Callable[[], None] | None) -> str:
    from prefect.deployments.flow_runs import arun_deployment
    from prefect.runner import Runner

    runner = Runner(name="presswatch-serve", pause_on_shutdown=True, limit=2)
    for deployment in deployments:
        await runner.aadd_deployment(deployment)
    if run_now:
        await arun_deployment(f"{ingest_flow.name}/{INGEST_DEPLOYMENT}", timeout=0)
    serving = asyncio.create_task(runner.start())
    # Runner.start installs its own SIGTERM handler before its first await; one turn of the loop later ours
    # replace it, so that SIGTERM and Ctrl-C both end here, in order, with one line and no traceback.
    await asyncio.sleep(0)
    stopped = asyncio.Event()
    received: list[str] = []
    loop = asyncio.get_running_loop()

    def on_signal(sig: signal.Signals) -> None:
        received.append(sig.name)
        stopped.set()

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, on_signal, sig)
    if on_ready is not None:
        on_ready()
    done, _ = await asyncio.wait({serving, asyncio.create_task(stopped.wait())}, return_when=asyncio.FIRST_COMPLETED)
    if serving in done:
        serving.result()  # the runner stopped by itself: its error, if any, is the user's to see
        return "runner stopped"
    # Prefect logs the cancellations it is asked to make (tracebacks included); the user asked for them.
    logging.getLogger("prefect").setLevel(logging.CRITICAL)
    try:
        await asyncio.wait_for(runner.astop(), STOP_TIMEOUT_S)
        await asyncio.wait_for(serving, STOP_TIMEOUT_S)
    except (Exception, asyncio.CancelledError):  # stopping: whatever the runner raises now, the user asked for it
        serving.cancel()
    return received[0]
