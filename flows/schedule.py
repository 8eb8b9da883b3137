"""`presswatch serve`: the scheduled deployments, run by Prefect's serve mechanism in this process."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from prefect import serve

from flows.ingest import ingest_flow
from flows.report_flow import weekly_report_flow
from flows.settings import Settings

INGEST_DEPLOYMENT = "presswatch-ingest"
REPORT_DEPLOYMENT = "presswatch-weekly-report"


def build_deployments(settings: Settings) -> list[Any]:
    """The two deployments `serve` registers (schedules from `[schedule]`), both on this config."""
    config = str(settings.config_path.resolve())
    interval = timedelta(minutes=settings.ingest_every_minutes)
    return [
        ingest_flow.to_deployment(name=INGEST_DEPLOYMENT, interval=interval, parameters={"config_path": config}),
        weekly_report_flow.to_deployment(
            name=REPORT_DEPLOYMENT, cron=settings.report_cron, parameters={"config_path": config}
        ),
    ]


def serve_deployments(settings: Settings) -> None:
    serve(*build_deployments(settings))
