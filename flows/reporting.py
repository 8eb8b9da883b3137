"""Writing the weekly reports of the configured topics from the configured warehouse: which topics, which weeks
have data, and each (topic, week)'s report and the topic's index written to the reports folder. The plain
functions `presswatch report` and `presswatch demo` call; the Prefect flow the schedule runs wraps them
(flows/weekly_report_flow.py, kept apart so that `presswatch report` does not import Prefect)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from flows import pipeline
from flows.errors import UnknownTopicError, load_rule_file
from flows.settings import Settings, software_version
from reports.files import write_index, write_report, written_weeks
from reports.load import chunk_weeks, load_index, load_last_run, load_weeks, load_weeks_data, report_window
from reports.model import build_report
from reports.render import render_chart, render_index, render_markdown
from reports.week import Week
from stance.rules import Topic, load_topic
from warehouse.db import connect
from warehouse.snapshot import reading


@dataclass(frozen=True, slots=True)
class WrittenReport:
    topic: str
    week: Week
    path: Path
    markdown: str
    relevant: int


def report_topics(settings: Settings, names: list[str] | None = None) -> list[Topic]:
    """The topics to report on (default: every enabled topic), read from their rule files' topic tables."""
    found = []
    for name in names or settings.topics:
        path = pipeline.topic_path(settings, name)
        if not path.exists():
            raise UnknownTopicError(f"unknown topic {name!r}: no rule file {path}")
        found.append(load_rule_file(load_topic, path))
    return found


def weeks_with_data(settings: Settings, topic: str) -> list[Week]:
    return all_weeks_with_data(settings, [topic])


def all_weeks_with_data(settings: Settings, topics: Sequence[str] | None = None) -> list[Week]:
    """The weeks with articles of any of `topics` (default: the enabled ones), oldest first: what `report --all`
    and `demo` write."""
    weeks: set[Week] = set()
    # On the shared store, PostgreSQL answers this whole-history question itself (no snapshot).
    with connect(settings.store, read_only=True) as con:
        for topic in settings.topics if topics is None else topics:
            weeks.update(load_weeks(con, topic))
    return sorted(weeks, key=lambda week: week.start)


def write_weekly_reports(settings: Settings, weeks: list[Week], topics: list[str] | None = None) -> list[WrittenReport]:
    """Render and write one report per (topic, week), reading the warehouse on a read-only connection.

    Weeks are read up to an ISO year at a time (`chunk_weeks`, `load_weeks_data`: a few set-based queries per chunk,
    not a dozen per week) and written before the next chunk is read, so memory stays bounded for `--all`."""
    written = []
    chosen = report_topics(settings, topics)
    version = software_version()
    for subject in chosen:
        milestones = [(m.date, m.label) for m in subject.milestones]
        for chunk in chunk_weeks(weeks):
            # On the shared store, a snapshot of the chunk's window only (warehouse/snapshot.py).
            with reading(settings.store, report_window(chunk)) as con:
                data = load_weeks_data(con, subject.topic, chunk)
            for week in chunk:
                report = build_report(
                    data.pop(str(week)),
                    topic=subject.topic,
                    topic_title=subject.title,
                    week=week,
                    software_version=version,
                    milestones=milestones,
                )
                text = render_markdown(report)
                path = write_report(text, settings.reports_dir, subject.topic, week, render_chart(report))
                written.append(WrittenReport(subject.topic, week, path, text, report.relevant))
    order = {(t.topic, str(w)): i for i, (t, w) in enumerate((t, w) for t in chosen for w in weeks)}
    written.sort(key=lambda r: order[(r.topic, str(r.week))])
    for subject in chosen:
        write_topic_index(settings, subject.topic, subject.title)
    return written


def write_topic_index(settings: Settings, topic: str, title: str) -> Path:
    """Rewrite `<reports>/<topic>/index.md` from the warehouse: every week with data, linked when written."""
    with connect(settings.store, read_only=True) as con:
        weeks = load_index(con, topic)
        last_run = load_last_run(con)
    existing = written_weeks(settings.reports_dir, topic)
    text = render_index(weeks, topic=topic, title=title, last_run=last_run, existing=existing)
    return write_index(text, settings.reports_dir, topic)


def default_week(today: datetime | None = None) -> Week:
    return Week.last_complete((today or datetime.now(UTC)).date())
