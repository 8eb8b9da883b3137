"""The weekly report and the topic's index as Markdown (Jinja2 templates in reports/templates), the trend chart
as SVG, and the wording: the numbers of reports/model.py as a reader would say them."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import cache

import jinja2

from reports import markdown
from reports.chart import trend_svg
from reports.model import SIDES, IndexWeek, StanceRow, WeeklyReport

# Shares and changes of fewer relevant articles than this are not compared week to week: one article more or
# less would swing them by tens of points.
MIN_COMPARABLE = 5


def render_markdown(report: WeeklyReport) -> str:
    return _environment().get_template("weekly.md.j2").render(r=report)


def render_index(
    weeks: Sequence[IndexWeek], *, topic: str, title: str, last_run: datetime | None, existing: set[str]
) -> str:
    """The topic's index.md: every week with data, its headline numbers, and a link when its report exists
    (`existing`: the weeks whose report file is there)."""
    return (
        _environment()
        .get_template("index.md.j2")
        .render(weeks=weeks, topic=topic, title=title, last_run=last_run, existing=existing)
    )


def render_chart(report: WeeklyReport) -> str:
    return trend_svg(report.trend, f"Relevant articles by stance, {len(report.trend)} weeks to {report.week}")


def summary_sentence(rows: Sequence[StanceRow]) -> str:
    """The week in one plain sentence, the largest side first, with a warning when the sample is small."""
    counts = {row.stance: row.count for row in rows}
    relevant = sum(counts.values())
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


def format_as_of(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if moment else "no completed run"


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
    env.filters["as_of"] = format_as_of
    env.filters["in_one_sentence"] = summary_sentence
    env.filters["in_words"] = warning_in_words
    return env


def _percentage_points(row: StanceRow, previous_relevant: int = MIN_COMPARABLE) -> str:
    if row.share is None or row.previous_share is None or previous_relevant < MIN_COMPARABLE:
        return "–"
    delta = (row.share - row.previous_share) * 100
    return f"{delta:+.0f} pp"
