"""Weekly report: the plain function the CLI calls, and the Prefect flow the schedule runs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from flows import pipeline
from flows.settings import Settings, software_version
from reports.weekly import (
    Week,
    build_report,
    format_as_of,
    load_week_data,
    render_chart,
    render_index,
    render_markdown,
    write_index,
    write_report,
)
from warehouse.db import connect
from warehouse.queries import fetch_dicts


@dataclass(frozen=True, slots=True)
class WrittenReport:
    topic: str
    week: Week
    path: Path
    markdown: str
    relevant: int


def weeks_with_data(settings: Settings, topic: str) -> list[Week]:
    with connect(settings.warehouse_path, read_only=True) as con:
        return [Week.parse(r["week"]) for r in fetch_dicts(con, "report_weeks", {"topic": topic})]


def write_weekly_reports(settings: Settings, weeks: list[Week], topics: list[str] | None = None) -> list[WrittenReport]:
    """Render and write one report per (topic, week), reading the warehouse on a read-only connection."""
    written = []
    rulesets = pipeline.load_rulesets(settings, topics)
    with connect(settings.warehouse_path, read_only=True) as con:
        data = {(rs.topic, str(w)): load_week_data(con, rs.topic, w) for rs in rulesets for w in weeks}
    for ruleset in rulesets:
        for week in weeks:
            report = build_report(
                data[(ruleset.topic, str(week))],
                topic=ruleset.topic,
                topic_title=ruleset.title,
                week=week,
                software_version=software_version(),
                milestones=[(m.date, m.label) for m in ruleset.milestones],
            )
            text = render_markdown(report)
            path = write_report(text, settings.reports_dir, ruleset.topic, week, render_chart(report))
            written.append(WrittenReport(ruleset.topic, week, path, text, report.relevant))
        write_topic_index(settings, ruleset.topic, ruleset.title)
    return written


def write_topic_index(settings: Settings, topic: str, title: str) -> Path:
    """Rewrite `<reports>/<topic>/index.md` from the warehouse: every week with data, linked when written."""
    with connect(settings.warehouse_path, read_only=True) as con:
        rows = fetch_dicts(con, "report_index", {"topic": topic})
        as_of = format_as_of(fetch_dicts(con, "report_last_run")[0]["last_run"])
    folder = settings.reports_dir / topic
    existing = {p.stem for p in folder.glob("*-W*.md")} if folder.exists() else set()
    text = render_index(rows, topic=topic, title=title, data_as_of=as_of, existing=existing)
    return write_index(text, settings.reports_dir, topic)


def default_week(today: datetime | None = None) -> Week:
    return Week.last_complete((today or datetime.now(UTC)).date())
