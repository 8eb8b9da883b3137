"""The weekly report as a Prefect flow: what `presswatch serve` schedules; publishes a Markdown artifact."""

from __future__ import annotations

from pathlib import Path

from prefect import flow
from prefect.artifacts import create_markdown_artifact

from flows.reporting import default_week, write_weekly_reports
from flows.settings import load_settings
from reports.week import Week


@flow(name="presswatch-weekly-report", log_prints=False, validate_parameters=False)
def weekly_report_flow(config_path: str, week: str | None = None) -> list[str]:
    """Write the weekly report(s) for `week` (default: the last complete ISO week) and publish them in the UI."""
    settings = load_settings(Path(config_path))
    chosen = Week.parse(week) if week else default_week()
    written = write_weekly_reports(settings, [chosen])
    for report in written:
        create_markdown_artifact(
            markdown=report.markdown,
            key=f"weekly-report-{report.topic}".lower(),
            description=f"presswatch weekly report {report.topic} {report.week}",
        )
    return [str(r.path) for r in written]
