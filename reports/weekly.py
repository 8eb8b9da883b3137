"""The weekly report: warehouse rows -> report model (pure) -> Markdown (Jinja2) -> file (atomic)."""

from __future__ import annotations

import os
import re
import tempfile
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

import duckdb
import jinja2

from extractors.errors import PresswatchError
from reports import markdown
from reports.chart import WeekBar, trend_svg
from warehouse.queries import fetch_dicts, fetch_many_dicts, query_text

SIDES = ("supportive", "opposed", "neutral")
TREND_WEEKS = 12  # the chart shows the report week and the eleven before it
ARTICLES_PER_SIDE = 10  # the report lists the clearest pieces; the rest are one SQL query away
# Feeds carry far more off-topic articles than relevant ones: the report counts them all and lists the first few.
OFF_TOPIC_LISTED = 20
# Weeks read together by `load_weeks_data`: up to an ISO year (53 weeks at most). Each round of queries scans the
# big tables once, so larger chunks cost less in all, and the rows held are bounded by a year's articles (about
# 340,000 in DuckDB at a million over three years; in Python only those listed one by one).
CHUNK_WEEKS = 53


class WeekError(PresswatchError, ValueError):
    """Text that is not an ISO week (YYYY-Www) that exists; a ValueError too, for callers that catch that."""


@dataclass(frozen=True, slots=True)
class Week:
    year: int
    number: int

    @classmethod
    def parse(cls, value: str) -> Week:
        try:
            year_s, week_s = value.strip().upper().split("-W")
            year, number = int(year_s), int(week_s)
        except ValueError:
            raise WeekError(f"invalid ISO week {value!r}: expected YYYY-Www, e.g. 2015-W33") from None
        if not 1 <= year <= 9999:
            raise WeekError(f"invalid ISO week {value!r}: the year must be between 1 and 9999")
        weeks = date(year, 12, 28).isocalendar().week  # 28 December always falls in a year's last ISO week
        if not 1 <= number <= weeks:
            raise WeekError(f"{year} has {weeks} ISO weeks: {value.strip()} does not exist")
        return cls(year, number)

    @classmethod
    def of(cls, day: date) -> Week:
        iso = day.isocalendar()
        return cls(iso.year, iso.week)

    @classmethod
    def last_complete(cls, today: date) -> Week:
        return cls.of(today - timedelta(days=today.isoweekday()))

    @property
    def start(self) -> date:
        return date.fromisocalendar(self.year, self.number, 1)

    @property
    def end(self) -> date:  # exclusive
        return self.start + timedelta(days=7)

    def previous(self) -> Week:
        return Week.of(self.start - timedelta(days=7))

    def __str__(self) -> str:
        return f"{self.year}-W{self.number:02d}"


@dataclass(frozen=True, slots=True)
class EvidenceLine:
    snippet: str
    matched: str
    rule_id: str
    weight: float
    voice: str


class ArticleLine(NamedTuple):
    """One article as a report lists it. A named tuple, not a frozen dataclass: a report over every week builds
    one per listed article (a quarter of a million in the benchmark), and a tuple is built several times faster."""

    url: str
    outlet: str
    title: str
    published: str
    language: str
    stance: str
    machine_stance: str
    human_stance: str | None
    score: float
    confidence: float
    flags: tuple[str, ...]
    text_source: str
    story_id: str
    story_origin_outlet: str
    evidence: tuple[EvidenceLine, ...]

    @property
    def changed(self) -> bool:
        """A human label that differs from the machine's answer."""
        return self.human_stance is not None and self.human_stance != self.machine_stance


@dataclass(frozen=True, slots=True)
class StanceRow:
    stance: str
    count: int
    share: float | None
    previous: int
    previous_share: float | None


@dataclass(frozen=True, slots=True)
class WeeklyReport:
    topic: str
    topic_title: str
    week: str
    start: date
    end: date  # inclusive, for display
    relevant: int
    stories: int  # distinct stories among the relevant articles: wire copies count once
    off_topic: int
    outlets: int
    stance_rows: tuple[StanceRow, ...]
    outlet_rows: tuple[tuple[str, int, int, int, int], ...]  # outlet, supportive, opposed, neutral, off_topic
    articles: dict[str, tuple[ArticleLine, ...]]  # per stance, clearest first
    off_topic_articles: tuple[ArticleLine, ...]
    failing_feeds: tuple[dict[str, Any], ...]
    problems: tuple[dict[str, Any], ...]
    no_rules: tuple[ArticleLine, ...]
    uncertain: tuple[ArticleLine, ...]
    corrected: tuple[ArticleLine, ...]
    ruleset_versions: tuple[str, ...]
    software_version: str
    data_as_of: str
    feed_warnings: tuple[dict[str, Any], ...] = ()
    trend: tuple[WeekBar, ...] = ()
    voices: tuple[dict[str, Any], ...] = ()
    agreement: dict[str, Any] | None = None  # classifier vs human labels, all weeks
    summary: str = ""  # one plain sentence at the top
    # Mean confidence of the week's machine labels of relevant articles: with calibrated rules, the share of them
    # expected to be right (None: no such labels).
    expected_accuracy: float | None = None
    previous_relevant: int = 0  # relevant placements in the week before
    subject_voices: tuple[dict[str, Any], ...] = ()  # the organisation the topic is about, quoted in its own coverage
    # Shards of a sharded deployment whose latest run failed (shard, failed_at, error, last_completed as text).
    failed_shards: tuple[dict[str, str], ...] = ()

    @property
    def chart_name(self) -> str:
        return f"{self.week}-trend.svg"

    @property
    def to_review(self) -> int:
        """Relevant articles without a human label whose own-voice total is within the uncertain margin of the
        threshold: the first that `presswatch review` lists (it orders by confidence, which grows with the margin).
        Complete: `report_articles` lists every flagged article."""
        return sum(1 for a in self.uncertain if a.human_stance is None and "no_rules_for_language" not in a.flags)


def load_week_data(con: duckdb.DuckDBPyConnection, topic: str, week: Week) -> dict[str, Any]:
    """Everything one week's report needs (see `load_weeks_data`)."""
    return load_weeks_data(con, topic, [week])[str(week)]


def load_weeks_data(con: duckdb.DuckDBPyConnection, topic: str, weeks: Sequence[Week]) -> dict[str, dict[str, Any]]:
    """Everything the reports of `weeks` need, by week (`str(week)`), read with named queries (bound parameters).

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
            )
        )
        outlets = _by_week(fetch_dicts(con, "report_outlets", {"start": start}))
        summary = {row["week"]: row for row in fetch_dicts(con, "report_week_summary", {"start": start})}
        trend = fetch_dicts(con, "report_trend")
        collected = {row["week"]: int(row["articles"]) for row in fetch_dicts(con, "report_collected")}
        voices = _by_week(fetch_dicts(con, "report_voices", {"start": start}))
        # Only the articles chosen per side show evidence: read theirs, not that of every article of the weeks.
        week_of = {url: w for w in ordered for url in featured_urls(articles.get(str(w), []))}
        evidence: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in fetch_dicts(con, "report_evidence", {"urls": list(week_of)}):
            evidence[str(week_of[row["url"]])].append(row)
    finally:
        con.execute("DROP TABLE IF EXISTS temp.report_window")
    problems = _by_week(fetch_dicts(con, "report_problems", {"start": start, "end": end}))
    failing_feeds = fetch_dicts(con, "report_failing_feeds")
    failed_shards = fetch_dicts(con, "report_failed_shards")
    feed_warnings = fetch_dicts(con, "report_feed_warnings")
    last_run = fetch_dicts(con, "report_last_run")[0]["last_run"]
    agreement = fetch_dicts(con, "report_label_agreement", {"topic": topic})[0]
    data = {}
    for week in ordered:
        key = str(week)
        shown = {str(Week.of(week.start - timedelta(weeks=n))) for n in range(TREND_WEEKS)}
        previous = str(week.previous())
        week_summary = summary.get(key, {})
        data[key] = {
            "articles": articles.get(key, []),
            "outlets": outlets.get(key, []),
            "stories": int(week_summary.get("stories", 0)),
            "ruleset_versions": list(week_summary.get("ruleset_versions", [])),
            "mean_confidence": week_summary.get("mean_confidence"),
            "previous_counts": [
                {"stance": r["stance"], "articles": r["articles"]} for r in trend if r["week"] == previous
            ],
            "evidence": evidence.get(key, []),
            "failing_feeds": failing_feeds,
            "failed_shards": failed_shards,
            "feed_warnings": feed_warnings,
            "problems": problems.get(key, []),
            "last_run": last_run,
            "trend": [r for r in trend if r["week"] in shown],
            "collected": {w: n for w, n in collected.items() if w in shown},
            "voices": voices.get(key, []),
            "agreement": agreement,
        }
    return data


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


def featured_urls(rows: Sequence[dict[str, Any]]) -> list[str]:
    """The URLs of the articles a report lists with their evidence (`choose_articles`), from article rows."""
    chosen = choose_articles([_article_line(row, ()) for row in rows if row["stance"] != "off_topic"])
    return [a.url for side in SIDES for a in chosen[side]]


def choose_articles(lines: Sequence[ArticleLine]) -> dict[str, tuple[ArticleLine, ...]]:
    """Per side, the clearest articles first, at most ARTICLES_PER_SIDE of them."""
    by_side: dict[str, tuple[ArticleLine, ...]] = {}
    for side in SIDES:
        chosen = [a for a in lines if a.stance == side]
        if side == "supportive":
            chosen.sort(key=lambda a: (-a.score, a.url))
        elif side == "opposed":
            chosen.sort(key=lambda a: (a.score, a.url))
        else:
            chosen.sort(key=lambda a: (a.published, a.url))
        by_side[side] = tuple(chosen[:ARTICLES_PER_SIDE])
    return by_side


def _by_week(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Rows (in query order) grouped by their `week` column, which is removed."""
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        grouped[row.pop("week")].append(row)
    return grouped


def build_report(
    data: dict[str, Any],
    *,
    topic: str,
    topic_title: str,
    week: Week,
    software_version: str,
    milestones: Sequence[tuple[date, str]] = (),
) -> WeeklyReport:
    """Pure: turn the rows of `load_week_data` into the report model.

    `articles` holds the articles listed one by one (off-topic, flagged, labelled, and at least the clearest
    per side), in publication order; `outlets` the week's counts per outlet and stance, in the order of each
    outlet's first article; `stories` and `ruleset_versions` describe all the week's articles."""
    evidence: dict[str, list[EvidenceLine]] = defaultdict(list)
    for e in data["evidence"]:
        evidence[e["url"]].append(
            EvidenceLine(e["snippet"], e["matched"], e["rule_id"], float(e["weight"]), e["voice"])
        )
    lines = [_article_line(row, evidence.get(row["url"], [])) for row in data["articles"]]
    relevant = [a for a in lines if a.stance != "off_topic"]
    per_outlet = [
        (r["outlet"], int(r["supportive"]), int(r["opposed"]), int(r["neutral"]), int(r["off_topic"]))
        for r in data["outlets"]
    ]
    counts = {side: sum(r[i] for r in per_outlet) for i, side in enumerate(SIDES, start=1)}
    relevant_count = sum(counts.values())
    previous = {r["stance"]: int(r["articles"]) for r in data["previous_counts"]}
    prev_total = sum(previous.get(s, 0) for s in SIDES)
    stance_rows = tuple(
        StanceRow(
            stance=s,
            count=counts[s],
            share=counts[s] / relevant_count if relevant_count else None,
            previous=previous.get(s, 0),
            previous_share=previous.get(s, 0) / prev_total if prev_total else None,
        )
        for s in SIDES
    )
    outlet_rows = tuple(sorted(per_outlet, key=lambda r: (-(r[1] + r[2] + r[3]), r[0].lower())))
    last_run = data.get("last_run")
    # The organisation the topic is about (named in its title) is quoted in nearly every article: shown apart.
    subject = [v for v in data["voices"] if str(v["name"]).casefold() in topic_title.casefold()]
    others = [v for v in data["voices"] if v not in subject]
    return WeeklyReport(
        trend=trend_bars(data["trend"], week, milestones, data.get("collected")),
        voices=tuple(others),
        subject_voices=tuple(subject),
        summary=summary_sentence(counts, relevant_count),
        expected_accuracy=None if data.get("mean_confidence") is None else float(data["mean_confidence"]),
        previous_relevant=prev_total,
        agreement=dict(data.get("agreement") or {}),
        topic=topic,
        topic_title=topic_title,
        week=str(week),
        start=week.start,
        end=week.end - timedelta(days=1),
        relevant=relevant_count,
        stories=int(data["stories"]),
        off_topic=sum(r[4] for r in per_outlet),
        outlets=sum(1 for r in per_outlet if r[1] + r[2] + r[3]),
        stance_rows=stance_rows,
        outlet_rows=outlet_rows,
        articles=choose_articles(relevant),
        off_topic_articles=tuple(a for a in lines if a.stance == "off_topic"),
        failing_feeds=tuple(data["failing_feeds"]),
        failed_shards=tuple(
            {
                "shard": str(row["shard"]),
                "failed_at": format_as_of(row["failed_at"]),
                "error": str(row["error"]),
                "last_completed": format_as_of(row["last_completed"]),
            }
            for row in data.get("failed_shards", ())
        ),
        feed_warnings=tuple(
            {**warning, "detail": warning_in_words(str(warning.get("detail") or ""))}
            for warning in data.get("feed_warnings", ())
        ),
        problems=tuple(data["problems"]),
        no_rules=tuple(a for a in lines if "no_rules_for_language" in a.flags),
        uncertain=tuple(a for a in relevant if "uncertain" in a.flags),
        corrected=tuple(a for a in lines if a.human_stance is not None),
        ruleset_versions=tuple(sorted(set(data["ruleset_versions"]))),
        software_version=software_version,
        data_as_of=format_as_of(last_run),
    )


# Shares and changes of fewer relevant articles than this are not compared week to week: one article more or
# less would swing them by tens of points.
MIN_COMPARABLE = 5


def summary_sentence(counts: dict[str, int], relevant: int) -> str:
    """The week in one plain sentence, the largest side first, with a warning when the sample is small."""
    if not relevant:
        return "No relevant coverage was found this week."
    words = {"supportive": "supported it", "opposed": "opposed it", "neutral": "reported it without taking a side"}
    ordered = sorted(SIDES, key=lambda side: (-counts[side], SIDES.index(side)))
    parts = [f"{counts[side]} {words[side]}" for side in ordered if counts[side]]
    sentence = (
        f"Of {relevant} relevant article{'s' if relevant != 1 else ''}, "
        + (parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1])
        + "."
    )
    if relevant < 2 * MIN_COMPARABLE:
        sentence += " So few articles make the shares rough: read them as counts."
    return sentence


_XML_BREAK = ("no element found", "mismatched tag", "not well-formed", "junk after document", "unclosed token")


def warning_in_words(detail: str) -> str:
    """A feed parser's warning (docs/fetching.md) as a reader of the report would say it."""
    out = []
    for part in (p.strip() for p in detail.split(";") if p.strip()):
        if any(marker in part for marker in _XML_BREAK):
            out.append("the feed is not well-formed XML and breaks off; the entries before the break were read")
        elif match := re.match(r"(\d+) entr(?:y|ies) without a usable http\(s\) link", part):
            n = int(match.group(1))
            out.append(f"{n} entr{'y' if n == 1 else 'ies'} could not be read (no usable link)")
        elif match := re.match(r"(\d+) entr(?:y|ies) dated in the future", part):
            out.append(f"{match.group(1)} entries are dated in the future; their dates were ignored")
        else:
            out.append(part)
    return "; ".join(out)


def trend_bars(
    rows: Sequence[dict[str, Any]],
    week: Week,
    milestones: Sequence[tuple[date, str]],
    collected: dict[str, int] | None = None,
) -> tuple[WeekBar, ...]:
    """The chart's weeks: the report week and the ones before it, with empty weeks shown as empty; with
    `collected` (articles stored per week, any relevance), weeks with nothing stored are marked as such."""
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for row in rows:
        counts[row["week"]][row["stance"]] = int(row["articles"])
    weeks = [Week.of(week.start - timedelta(weeks=n)) for n in range(TREND_WEEKS - 1, -1, -1)]
    marks: dict[str, list[str]] = defaultdict(list)
    for day, label in milestones:
        marks[str(Week.of(day))].append(label)
    return tuple(
        WeekBar(
            str(w),
            counts.get(str(w), {}),
            tuple(marks.get(str(w), ())),
            current=w == week,
            collected=None if collected is None else collected.get(str(w), 0) > 0,
        )
        for w in weeks
    )


def _article_line(row: dict[str, Any], evidence: Sequence[EvidenceLine]) -> ArticleLine:
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
        evidence=tuple(_deciding(evidence, row["stance"])[:2]),
    )


def _deciding(evidence: Sequence[EvidenceLine], stance: str) -> list[EvidenceLine]:
    """The evidence in the order a reader checks a label: the author's own cues for the label's side first, then
    the rest as they came (own voice, strongest first). A supportive piece shows what made it supportive."""
    sign = {"supportive": 1.0, "opposed": -1.0}.get(stance)
    if sign is None:
        return list(evidence)
    return sorted(evidence, key=lambda e: not (e.voice == "own" and e.weight * sign > 0))


def render_index(rows: Sequence[dict[str, Any]], *, topic: str, title: str, data_as_of: str, existing: set[str]) -> str:
    """The topic's index.md: every week with data, its headline numbers, and a link when its report exists."""
    weeks = []
    for row in rows:
        relevant = int(row["relevant"])
        week = dict(row) | {"file": f"{row['week']}.md" if row["week"] in existing else None}
        for side in SIDES:
            week[f"{side}_share"] = int(row[side]) / relevant if relevant else None
        weeks.append(week)
    return (
        _environment().get_template("index.md.j2").render(weeks=weeks, topic=topic, title=title, data_as_of=data_as_of)
    )


def render_chart(report: WeeklyReport) -> str:
    return trend_svg(report.trend, f"Relevant articles by stance, {len(report.trend)} weeks to {report.week}")


def render_markdown(report: WeeklyReport) -> str:
    return _environment().get_template("weekly.md.j2").render(r=report)


@cache  # compiling the templates costs more than rendering a week's report: once per process
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("reports", "templates"),
        autoescape=False,  # Markdown, not HTML: every value from the data goes through the `md` filters instead
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = markdown.text
    env.filters["mdlink"] = lambda label, href: markdown.link(label, href)
    env.filters["pct"] = lambda v: "–" if v is None else f"{v * 100:.0f}%"
    env.filters["signed"] = lambda v: f"{v:+.2f}"
    env.filters["pp"] = _percentage_points
    return env


def _percentage_points(row: StanceRow, previous_relevant: int = MIN_COMPARABLE) -> str:
    if row.share is None or row.previous_share is None or previous_relevant < MIN_COMPARABLE:
        return "–"
    delta = (row.share - row.previous_share) * 100
    return f"{delta:+.0f} pp"


def write_report(markdown_text: str, reports_dir: Path, topic: str, week: Week, chart_svg: str | None = None) -> Path:
    """Write `<reports_dir>/<topic>/<YYYY-Www>.md` (and its chart beside it), each atomically."""
    folder = reports_dir / topic
    folder.mkdir(parents=True, exist_ok=True)
    if chart_svg is not None:
        _write_atomic(folder / f"{week}-trend.svg", chart_svg)
    return _write_atomic(folder / f"{week}.md", markdown_text)


def write_index(markdown_text: str, reports_dir: Path, topic: str) -> Path:
    folder = reports_dir / topic
    folder.mkdir(parents=True, exist_ok=True)
    return _write_atomic(folder / "index.md", markdown_text)


def _write_atomic(target: Path, text: str) -> Path:
    """A temp file in the same folder, then a rename: readers see the old file or the new one, never half."""
    folder = target.parent
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def _failed_shard(row: dict[str, Any]) -> dict[str, str]:
    return {
        "shard": str(row["shard"]),
        "failed_at": format_as_of(row["failed_at"]),
        "error": str(row["error"]),
        "last_completed": format_as_of(row["last_completed"]),
    }


def format_as_of(last_run: datetime | None) -> str:
    return last_run.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if last_run else "no completed run"


def _utc(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)
