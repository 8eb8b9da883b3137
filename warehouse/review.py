"""What a person should label next (`presswatch review`): the week's relevant articles the rules are least sure
about, read-only, with the own-voice evidence behind each label."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from warehouse.db import Location
from warehouse.queries import fetch_dicts
from warehouse.snapshot import reading

# Three rows show what the label rests on without burying the next article; the rest is in `current_evidence`.
EVIDENCE_SHOWN = 3


@dataclass(frozen=True, slots=True)
class ReviewEvidence:
    rule_id: str
    matched: str
    weight: float  # signed: > 0 supportive


@dataclass(frozen=True, slots=True)
class ReviewItem:
    url: str
    outlet: str
    title: str
    published: str  # the UTC date, YYYY-MM-DD
    stance: str  # the machine's
    score: float
    confidence: float
    flags: tuple[str, ...]
    evidence: tuple[ReviewEvidence, ...]  # strongest own-voice rows first


@dataclass(frozen=True, slots=True)
class ReviewList:
    items: tuple[ReviewItem, ...]  # least sure first
    candidates: int  # relevant, unlabelled articles of the week before the limit


def least_sure(path: Location, topic: str, start: date, end: date, limit: int) -> ReviewList:
    """The relevant articles of `topic` published from `start` up to (not including) `end`, UTC, without a human
    label, lowest confidence first, at most `limit` (named query `review_least_sure`, bound parameters)."""
    window = datetime.combine(start, time(), UTC), datetime.combine(end, time(), UTC)
    with reading(path, window) as con:
        rows = fetch_dicts(
            con,
            "review_least_sure",
            {
                "topic": topic,
                "start": window[0],
                "end": window[1],
                "limit": limit,
                "evidence": EVIDENCE_SHOWN,
            },
        )
    items = tuple(
        ReviewItem(
            url=row["url"],
            outlet=row["outlet"] or "",
            title=row["title"] or row["url"],
            published=row["published"] or "",
            stance=row["stance"],
            score=float(row["score"]),
            confidence=float(row["confidence"]),
            flags=tuple(row["flags"] or ()),
            evidence=tuple(
                ReviewEvidence(e["rule_id"], e["matched"], float(e["weight"])) for e in row["evidence"] or ()
            ),
        )
        for row in rows
    )
    return ReviewList(items, int(rows[0]["candidates"]) if rows else 0)
