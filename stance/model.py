"""Value types of the stance classifier. Pure data: no I/O, nothing imported from the rest of presswatch."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Stance = Literal["supportive", "opposed", "neutral", "off_topic"]
Side = Literal["supportive", "opposed", "neutral"]
VoiceKind = Literal["own", "quoted"]

STANCES: tuple[Stance, ...] = ("supportive", "opposed", "neutral", "off_topic")

# Flags a result may carry; the report's data-quality section lists them.
FLAG_NO_RULES_FOR_LANGUAGE = "no_rules_for_language"
FLAG_UNCERTAIN = "uncertain"
# Off-topic because a dateline puts the piece before the debate began (the topic's `earliest_year`).
FLAG_PREDATES_TOPIC = "predates_topic"
# The text speaks for an organisation (press release, statement, open letter) or is an interview: the
# organisation's quoted officers, the signatories or the interviewee are its own voice.
FLAG_STATEMENT = "statement"
FLAG_INTERVIEW = "interview"


@dataclass(frozen=True, slots=True)
class Evidence:
    """One rule match that moved the decision, kept so that every label can be defended."""

    rule_id: str  # stable id from the rule file, e.g. "en.support.decriminalisation_protects"
    kind: str  # "relevance" | "stance" | "framing" | "claim" | "rebutted" | "actor" | "negation"
    matched: str  # the text the rule matched, as written in the article
    snippet: str  # the sentence around the match, at most ~300 characters
    weight: float  # signed contribution: > 0 supportive, < 0 opposed, 0 for relevance-only evidence
    voice: VoiceKind  # "own" = the author's voice, "quoted" = inside quotation marks or attributed speech
    language: str  # language of the rules that matched ("en", "de", ...; "*" for language-independent)


@dataclass(frozen=True, slots=True)
class Voice:
    """A known actor quoted or cited in the article, with the side the rule file gives them."""

    name: str  # canonical name from the rule file, e.g. "Coalition Against Trafficking in Women"
    side: Side
    mentions: int
    snippet: str  # first sentence where they appear


@dataclass(frozen=True, slots=True)
class StanceResult:
    topic: str
    relevant: bool
    stance: Stance
    score: float  # [-1, 1]: > 0 supportive, < 0 opposed; 0.0 when not relevant
    confidence: float  # [0, 1]
    ruleset_version: str  # hash of the rule file's bytes
    language: str  # language the text was classified in ("und" when unknown)
    flags: tuple[str, ...] = ()
    evidence: tuple[Evidence, ...] = field(default_factory=tuple)
    voices: tuple[Voice, ...] = field(default_factory=tuple)
    # How far the own-voice total is from the threshold it was decided at (0 when no stance was scored): what the
    # confidence is calibrated from (bench/calibrate.py).
    margin: float = 0.0
