"""`presswatch serve`: the scheduled deployments, run by Prefect's serve mechanism in this process."""

from __future__ import annotations

from datetime import timedelta

from prefect import serve

from flows.ingest import ingest_flow
from flows.report_flow import weekly_report_flow
from flows.settings import Settings

INGEST_INTERVAL = timedelta(hours=1)  # feeds of news sites update a few times an hour at most
REPORT_CRON = "0 6 * * 1"  # Mondays 06:00 UTC: the previous ISO week is complete and the working week begins


def serve_deployments(settings: Settings) -> None:
    config = str(settings.config_path.resolve())
    ingest = ingest_flow.to_deployment(
        name="presswatch-ingest", interval=INGEST_INTERVAL, parameters={"config_path": config}
    )
    report = weekly_report_flow.to_deployment(
        name="presswatch-weekly-report", cron=REPORT_CRON, parameters={"config_path": config}
    )
    serve(ingest, report)
