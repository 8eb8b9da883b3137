"""The weekly report's data model: the typed rows a week's report is built from (`WeekData`, which
reports/load.py reads from the warehouse) and the report itself (`WeeklyReport`, which reports/render.py turns
into Markdown). Pure: values in, values out; the wording lives in reports/render.py.

The rows' field names are the columns of the named queries that fill them (warehouse/sql/queries/report_*.sql).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import NamedTuple

from reports.chart import WeekBar
from reports.week import Week

SIDES = ("supportive", "opposed", "neutral")
TREND_WEEKS = 12  # the chart shows the report week and the eleven before it
ARTICLES_PER_SIDE = 10  # the report lists the clearest pieces; the rest are one SQL query away
# Feeds carry far more off-topic articles than relevant ones: the report counts them all and lists the first few.
OFF_TOPIC_LISTED = 20


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
    evidence: tuple[EvidenceLine, ...]  # the two a reader checks first (`_deciding`); () until the report is built

    @property
    def changed(self) -> bool:
        """A human label that differs from the machine's answer."""
        return self.human_stance is not None and self.human_stance != self.machine_stance


@dataclass(frozen=True, slots=True)
class OutletRow:
    """One outlet's placements in a week, per stance (report_outlets)."""

    outlet: str
    supportive: int
    opposed: int
    neutral: int
    off_topic: int

    @property
    def relevant(self) -> int:
        return self.supportive + self.opposed + self.neutral


class TrendCount(NamedTuple):
    """Relevant placements of one stance in one week (report_trend)."""

    week: str
    stance: str
    articles: int


@dataclass(frozen=True, slots=True)
class VoiceCount:
    """Who was quoted in a week's relevant articles, on which side (report_voices)."""

    name: str
    side: str
    articles: int
    mentions: int


@dataclass(frozen=True, slots=True)
class PageProblem:
    """A page listed in a feed that could not be fetched or extracted (report_problems)."""

    url: str
    title: str
    outlet: str | None
    problem: str | None  # a reason code (docs/schema.md, "Failure reasons") or an extraction outcome
    detail: str | None


@dataclass(frozen=True, slots=True)
class FailingFeed:
    """A feed whose latest fetch failed (report_failing_feeds)."""

    url: str
    feed: str  # its name, else its title, else its URL
    last_error: str | None
    last_error_detail: str | None
    consecutive_failures: int
    last_success_at: datetime | None
    last_fetched_at: datetime | None


@dataclass(frozen=True, slots=True)
class FeedWarning:
    """A feed whose latest body was read with a warning (report_feed_warnings)."""

    url: str
    feed: str
    detail: str  # the parser's words (docs/fetching.md); the report says them in a reader's words


@dataclass(frozen=True, slots=True)
class FailedShard:
    """A shard of a sharded deployment whose latest run failed (report_failed_shards)."""

    shard: str
    failed_at: datetime | None
    error: str
    last_completed: datetime | None


@dataclass(frozen=True, slots=True)
class Agreement:
    """The classifier against the human labels of a topic, all weeks (report_label_agreement)."""

    labelled: int
    agreed: int
    relevance_agreed: int


@dataclass(frozen=True, slots=True)
class IndexWeek:
    """One week's headline numbers in a topic's index (report_index)."""

    week: str
    relevant: int
    stories: int
    outlets: int
    supportive: int
    opposed: int
    neutral: int
    off_topic: int

    def share(self, side: str) -> float | None:
        """The side's share of the week's relevant articles (None: there were none)."""
        count: int = getattr(self, side)
        return count / self.relevant if self.relevant else None


@dataclass(frozen=True, slots=True)
class StanceRow:
    stance: str
    count: int
    share: float | None
    previous: int
    previous_share: float | None


@dataclass(frozen=True, slots=True)
class WeekData:
    """Everything one week's report is built from, as reports/load.py reads it.

    `articles` holds the articles listed one by one (off-topic, flagged, labelled, and at least the clearest per
    side), in publication order; `outlets` the week's counts per outlet and stance, in the order of each outlet's
    first article; `stories` and `ruleset_versions` describe all the week's articles."""

    articles: tuple[ArticleLine, ...]
    evidence: dict[str, tuple[EvidenceLine, ...]]  # by URL, of the articles `featured_urls` picks; strongest first
    outlets: tuple[OutletRow, ...]
    stories: int  # distinct stories among the relevant articles
    ruleset_versions: tuple[str, ...]
    # Mean confidence of the week's machine labels of relevant articles (None: no such labels).
    mean_confidence: float | None
    previous_counts: dict[str, int]  # stance -> relevant placements in the week before
    trend: tuple[TrendCount, ...]  # the chart's weeks
    collected: dict[str, int]  # week -> articles stored (any relevance), the chart's weeks that have some
    voices: tuple[VoiceCount, ...]
    problems: tuple[PageProblem, ...]
    failing_feeds: tuple[FailingFeed, ...]
    failed_shards: tuple[FailedShard, ...]
    feed_warnings: tuple[FeedWarning, ...]
    last_run: datetime | None  # the latest completed ingest run: the data's "as of"
    agreement: Agreement


@dataclass(frozen=True, slots=True)
class WeeklyReport:
    topic: str
    topic_title: str
    week: str
    start: date
    end: date  # inclusive, for display
    relevant: int
    previous_relevant: int  # relevant placements in the week before
    stories: int  # distinct stories among the relevant articles: wire copies count once
    off_topic: int
    outlets: int
    stance_rows: tuple[StanceRow, ...]
    outlet_rows: tuple[OutletRow, ...]  # most relevant placements first
    articles: dict[str, tuple[ArticleLine, ...]]  # per stance, clearest first
    off_topic_articles: tuple[ArticleLine, ...]
    trend: tuple[WeekBar, ...]
    voices: tuple[VoiceCount, ...]
    subject_voices: tuple[VoiceCount, ...]  # the organisation the topic is about, quoted in its own coverage
    failing_feeds: tuple[FailingFeed, ...]
    failed_shards: tuple[FailedShard, ...]
    feed_warnings: tuple[FeedWarning, ...]
    problems: tuple[PageProblem, ...]
    no_rules: tuple[ArticleLine, ...]
    uncertain: tuple[ArticleLine, ...]
    corrected: tuple[ArticleLine, ...]
    ruleset_versions: tuple[str, ...]
    software_version: str
    last_run: datetime | None  # the latest completed ingest run: the data's "as of"
    # Mean confidence of the week's machine labels of relevant articles: with calibrated rules, the share of them
    # expected to be right (None: no such labels).
    expected_accuracy: float | None
    agreement: Agreement  # classifier vs human labels, all weeks

    @property
    def chart_name(self) -> str:
        return f"{self.week}-trend.svg"

    @property
    def to_review(self) -> int:
        """Relevant articles without a human label whose own-voice total is within the uncertain margin of the
        threshold: the first that `presswatch review` lists (it orders by confidence, which grows with the margin).
        Complete: `report_articles` lists every flagged article."""
        return sum(1 for a in self.uncertain if a.human_stance is None and "no_rules_for_language" not in a.flags)


def build_report(
    data: WeekData,
    *,
    topic: str,
    topic_title: str,
    week: Week,
    software_version: str,
    milestones: Sequence[tuple[date, str]] = (),
) -> WeeklyReport:
    """Turn the rows of `load_week_data` into the report model."""
    lines = [_with_evidence(a, data.evidence.get(a.url)) for a in data.articles]
    relevant = [a for a in lines if a.stance != "off_topic"]
    counts = {side: sum(getattr(r, side) for r in data.outlets) for side in SIDES}
    relevant_count = sum(counts.values())
    previous = data.previous_counts
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
    # The organisation the topic is about (named in its title) is quoted in nearly every article: shown apart.
    subject = [v for v in data.voices if v.name.casefold() in topic_title.casefold()]
    return WeeklyReport(
        topic=topic,
        topic_title=topic_title,
        week=str(week),
        start=week.start,
        end=week.end - timedelta(days=1),
        relevant=relevant_count,
        previous_relevant=prev_total,
        stories=data.stories,
        off_topic=sum(r.off_topic for r in data.outlets),
        outlets=sum(1 for r in data.outlets if r.relevant),
        stance_rows=stance_rows,
        outlet_rows=tuple(sorted(data.outlets, key=lambda r: (-r.relevant, r.outlet.lower()))),
        articles=choose_articles(relevant),
        off_topic_articles=tuple(a for a in lines if a.stance == "off_topic"),
        trend=trend_bars(data.trend, week, milestones, data.collected),
        voices=tuple(v for v in data.voices if v not in subject),
        subject_voices=tuple(subject),
        failing_feeds=data.failing_feeds,
        failed_shards=data.failed_shards,
        feed_warnings=data.feed_warnings,
        problems=data.problems,
        no_rules=tuple(a for a in lines if "no_rules_for_language" in a.flags),
        uncertain=tuple(a for a in relevant if "uncertain" in a.flags),
        corrected=tuple(a for a in lines if a.human_stance is not None),
        ruleset_versions=tuple(sorted(set(data.ruleset_versions))),
        software_version=software_version,
        last_run=data.last_run,
        expected_accuracy=data.mean_confidence,
        agreement=data.agreement,
    )


def featured_urls(lines: Sequence[ArticleLine]) -> list[str]:
    """The URLs of the articles a report lists with their evidence (`choose_articles`)."""
    chosen = choose_articles([a for a in lines if a.stance != "off_topic"])
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


def trend_bars(
    rows: Sequence[TrendCount],
    week: Week,
    milestones: Sequence[tuple[date, str]],
    collected: dict[str, int] | None = None,
) -> tuple[WeekBar, ...]:
    """The chart's weeks: the report week and the ones before it, with empty weeks shown as empty; with
    `collected` (articles stored per week, any relevance), weeks with nothing stored are marked as such."""
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for row in rows:
        counts[row.week][row.stance] = row.articles
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


def _with_evidence(line: ArticleLine, evidence: Sequence[EvidenceLine] | None) -> ArticleLine:
    return line._replace(evidence=tuple(_deciding(evidence, line.stance)[:2])) if evidence else line


def _deciding(evidence: Sequence[EvidenceLine], stance: str) -> list[EvidenceLine]:
    """The evidence in the order a reader checks a label: the author's own cues for the label's side first, then
    the rest as they came (own voice, strongest first). A supportive piece shows what made it supportive."""
    sign = {"supportive": 1.0, "opposed": -1.0}.get(stance)
    if sign is None:
        return list(evidence)
    return sorted(evidence, key=lambda e: not (e.voice == "own" and e.weight * sign > 0))
