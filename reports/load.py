"""The weekly report's rows, read from the warehouse with named queries (warehouse/sql/queries/report_*.sql, bound
parameters) into the typed rows of reports/model.py."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

import duckdb

from reports.model import (
    ARTICLES_PER_SIDE,
    OFF_TOPIC_LISTED,
    TREND_WEEKS,
    Agreement,
    ArticleLine,
    EvidenceLine,
    FailedShard,
    FailingFeed,
    FeedWarning,
    IndexWeek,
    OutletRow,
    PageProblem,
    TrendCount,
    VoiceCount,
    WeekData,
    featured_urls,
)
from reports.week import Week
from warehouse.queries import fetch_dicts, fetch_many_dicts, query_text

# Weeks read together by `load_weeks_data`: up to an ISO year (53 weeks at most). Each round of queries scans the
# big tables once, so larger chunks cost less in all, and the rows held are bounded by a year's articles (about
# 340,000 in DuckDB at a million over three years; in Python only those listed one by one).
CHUNK_WEEKS = 53

Row = TypeVar("Row")


def load_week_data(con: duckdb.DuckDBPyConnection, topic: str, week: Week) -> WeekData:
    """Everything one week's report needs (see `load_weeks_data`)."""
    return load_weeks_data(con, topic, [week])[str(week)]


def load_weeks_data(con: duckdb.DuckDBPyConnection, topic: str, weeks: Sequence[Week]) -> dict[str, WeekData]:
    """Everything the reports of `weeks` need, by week (`str(week)`).

    The weeks are read together: the topic's `coverage` rows from the trend start of the first week to the end
    of the last are read once into DuckDB (`report_coverage`, which ranks classifications among those articles
    only), and the per-week numbers are grouped by week from them, so that a run over many weeks costs a few
    queries per quarter, not a dozen per week. Only the articles a report lists one by one come to Python, with
    counts for the rest. Callers bound the span (`chunk_weeks`)."""
    if not weeks:
        return {}
    ordered = sorted(set(weeks), key=lambda w: w.start)
    start = _utc(ordered[0].start)
    trend_start, end = report_window(ordered)
    # A temporary table (in memory, allowed on a read-only connection): the queries below scan it natively.
    con.execute(
        "CREATE OR REPLACE TEMP TABLE report_window AS " + query_text("report_coverage"),
        {"topic": topic, "start": trend_start, "end": end},
    )
    try:
        articles = _by_week(
            fetch_many_dicts(
                con,
                "report_articles",
                {"start": start, "per_side": ARTICLES_PER_SIDE, "off_topic_listed": OFF_TOPIC_LISTED},
            ),
            _article_line,
        )
        outlets = _by_week(fetch_dicts(con, "report_outlets", {"start": start}), lambda r: OutletRow(**r))
        summary = {row["week"]: row for row in fetch_dicts(con, "report_week_summary", {"start": start})}
        trend = _rows(con, "report_trend", TrendCount)
        collected = {row["week"]: int(row["articles"]) for row in fetch_dicts(con, "report_collected")}
        voices = _by_week(fetch_dicts(con, "report_voices", {"start": start}), lambda r: VoiceCount(**r))
        # Only the articles chosen per side show evidence: read theirs, not that of every article of the weeks.
        week_of = {url: w for w in ordered for url in featured_urls(articles.get(str(w), []))}
        evidence: dict[str, dict[str, list[EvidenceLine]]] = defaultdict(lambda: defaultdict(list))
        for row in fetch_dicts(con, "report_evidence", {"urls": list(week_of)}):
            evidence[str(week_of[row["url"]])][row["url"]].append(
                EvidenceLine(row["snippet"], row["matched"], row["rule_id"], float(row["weight"]), row["voice"])
            )
    finally:
        con.execute("DROP TABLE IF EXISTS temp.report_window")
    problems = _by_week(fetch_dicts(con, "report_problems", {"start": start, "end": end}), lambda r: PageProblem(**r))
    failing_feeds = tuple(_rows(con, "report_failing_feeds", FailingFeed))
    failed_shards = tuple(_rows(con, "report_failed_shards", FailedShard))
    feed_warnings = tuple(_rows(con, "report_feed_warnings", FeedWarning))
    last_run = load_last_run(con)
    [agreement] = _rows(con, "report_label_agreement", Agreement, {"topic": topic})
    data = {}
    for week in ordered:
        key = str(week)
        shown = {str(Week.of(week.start - timedelta(weeks=n))) for n in range(TREND_WEEKS)}
        previous = str(week.previous())
        week_summary = summary.get(key, {})
        mean_confidence = week_summary.get("mean_confidence")
        data[key] = WeekData(
            articles=tuple(articles.get(key, [])),
            evidence={url: tuple(lines) for url, lines in evidence.get(key, {}).items()},
            outlets=tuple(outlets.get(key, [])),
            stories=int(week_summary.get("stories", 0)),
            ruleset_versions=tuple(week_summary.get("ruleset_versions", [])),
            mean_confidence=None if mean_confidence is None else float(mean_confidence),
            previous_counts={r.stance: r.articles for r in trend if r.week == previous},
            trend=tuple(r for r in trend if r.week in shown),
            collected={w: n for w, n in collected.items() if w in shown},
            voices=tuple(voices.get(key, [])),
            problems=tuple(problems.get(key, [])),
            failing_feeds=failing_feeds,
            failed_shards=failed_shards,
            feed_warnings=feed_warnings,
            last_run=last_run,
            agreement=agreement,
        )
    return data


def load_weeks(con: duckdb.DuckDBPyConnection, topic: str) -> list[Week]:
    """The ISO weeks with classified articles of `topic`, oldest first."""
    return [Week.parse(row["week"]) for row in fetch_dicts(con, "report_weeks", {"topic": topic})]


def load_index(con: duckdb.DuckDBPyConnection, topic: str) -> list[IndexWeek]:
    """The headline numbers of every week with classified articles of `topic`, newest first."""
    return _rows(con, "report_index", IndexWeek, {"topic": topic})


def load_last_run(con: duckdb.DuckDBPyConnection) -> datetime | None:
    """When the latest completed ingest run finished: the data's "as of" (None: no run has completed)."""
    last_run: datetime | None = fetch_dicts(con, "report_last_run")[0]["last_run"]
    return last_run


def report_window(weeks: Sequence[Week]) -> tuple[datetime, datetime]:
    """[start, end) in UTC of the articles a report of `weeks` reads: from the first week of the first week's trend
    chart to the end of the last week (a snapshot of the shared store copies this much, warehouse/snapshot.py)."""
    first = min(w.start for w in weeks)
    return _utc(first - timedelta(weeks=TREND_WEEKS - 1)), _utc(max(w.end for w in weeks))


def chunk_weeks(weeks: Sequence[Week], span: int = CHUNK_WEEKS) -> list[list[Week]]:
    """Sorted weeks in groups that each cover at most `span` consecutive weeks: one `load_weeks_data` call each."""
    chunks: list[list[Week]] = []
    for week in sorted(set(weeks), key=lambda w: w.start):
        if chunks and week.start - chunks[-1][0].start < timedelta(weeks=span):
            chunks[-1].append(week)
        else:
            chunks.append([week])
    return chunks


def _rows(
    con: duckdb.DuckDBPyConnection, query: str, row: Callable[..., Row], params: dict[str, Any] | None = None
) -> list[Row]:
    """The named query's rows as `row` values: its columns are the fields' names."""
    return [row(**values) for values in fetch_dicts(con, query, params)]


def _by_week(rows: list[dict[str, Any]], row: Callable[[dict[str, Any]], Row]) -> dict[str, list[Row]]:
    """Rows (in query order) grouped by their `week` column, each made a `row` value from its other columns."""
    grouped: dict[str, list[Row]] = defaultdict(list)
    for values in rows:
        grouped[values.pop("week")].append(row(values))
    return grouped


def _article_line(row: dict[str, Any]) -> ArticleLine:
    return ArticleLine(
        url=row["url"],
        outlet=row["outlet"] or "",
        title=row["title"] or row["url"],
        published=row["published"] or "",  # the UTC date, formatted by the query
        language=row["language"] or "und",
        stance=row["stance"],
        machine_stance=row["machine_stance"],
        human_stance=row["human_stance"],
        score=float(row["score"]),
        confidence=float(row["confidence"]),
        flags=tuple(row["flags"] or ()),
        text_source=row["text_source"] or "page",
        story_id=row.get("story_id") or row["url"],
        story_origin_outlet=row.get("story_origin_outlet") or "",
        evidence=(),  # the report's own choice of them, reports/model.py `build_report`
    )


def _utc(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)
