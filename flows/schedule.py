"""`presswatch serve`: the scheduled deployments, run by Prefect's serve mechanism in this process."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from prefect import serve

from flows.ingest import ingest_flow
from flows.report_flow import weekly_report_flow
from flows.settings import Settings

INGEST_INTERVAL = timedelta(hours=1)  # feeds of news sites update a few times an hour at most
REPORT_CRON = "0 6 * * 1"  # Mondays 06:00 UTC: the previous ISO week is complete and the working week begins
INGEST_DEPLOYMENT = "presswatch-ingest"
REPORT_DEPLOYMENT = "presswatch-weekly-report"


def build_deployments(settings: Settings) -> list[Any]:
    """The two deployments `serve` registers: hourly ingest and the Monday report, both on this config."""
    config = str(settings.config_path.resolve())
    return [
        ingest_flow.to_deployment(name=INGEST_DEPLOYMENT, interval=INGEST_INTERVAL, parameters={"config_path": config}),
        weekly_report_flow.to_deployment(name=REPORT_DEPLOYMENT, cron=REPORT_CRON, parameters={"config_path": config}),
    ]


def serve_deployments(settings: Settings) -> None:
    serve(*build_deployments(settings))
