"""Topic rule sets: loading a checked rule file into compiled, immutable rules (see docs/rules.md for the format).

Patterns are compiled once per rule set, so classifying an article only runs ready regexes over it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from stance.errors import RuleFileError
from stance.model import Side
from stance.prefix import key_pattern, literal_prefixes
from stance.rulefile import RuleFile
from stance.text import fold_pattern_literal

SIDES: tuple[str, ...] = ("supportive", "opposed")
# "claim": an argument characteristic of one side (e.g. "demand fuels trafficking", "criminalisation pushes the trade
# underground"); it counts fully in opinion pieces and only `claim_news_factor` of its weight in news reports,
# which state such arguments only as attributed positions.
# "rebutted": words that report the other side ("critics say", "los críticos dicen"); they count for the rule's
# side only when the author's next words rebut them ("Critics say X. But ...", "..., but they are wrong").
RULE_KINDS: tuple[str, ...] = ("stance", "framing", "claim", "rebutted")
ACTOR_SIDES: tuple[str, ...] = ("supportive", "opposed", "neutral")
ANY_LANGUAGE = "*"
# Weights beyond +/-5 would let one phrase outvote a whole article; the scale of a single strong cue is about 2-3.
MAX_WEIGHT = 5.0
_LANGUAGE_CODE = re.compile(r"^[a-z]{2}$")
# The per-language voice cues every topic inherits (how the press reports speech, negates, concedes, argues).
LANGUAGE_DEFAULTS = Path(__file__).with_name("languages.toml")
VOICE_KEYS: tuple[str, ...] = (
    "attribution",
    "attribution_exceptions",
    "first_person",
    "negation",
    "negation_exceptions",
    "opinion",
    "adversative",
    "concessive",
    "statement",
    "self_reference",
    "interview",
    "opinion_label",
    "author_note",
    "publisher",
    "balance",
    "explainer_label",
)


@dataclass(frozen=True, slots=True)
class Milestone:
    date: dt.date
    label: str


@dataclass(frozen=True, slots=True)
class Rule:
    rule_id: str  # "<language>.<side>.<id>", stable across versions of the file
    language: str
    side: str
    kind: str  # "stance" (evaluative phrase), "framing" (a side's vocabulary), "claim" (argument), "rebutted"
    weight: float  # signed: > 0 supportive, < 0 opposed
    pattern: re.Pattern[str]
    origin: str
    negatable: bool = True
    prefixes: frozenset[str] | None = None  # possible first letters of a match, for the word index


@dataclass(frozen=True, slots=True)
class Actor:
    name: str
    side: Side
    pattern: re.Pattern[str]
    origin: str
    prefixes: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class LanguageRules:
    code: str
    attribution: re.Pattern[str] | None  # speech/reporting cues: a sentence with one is someone else's voice
    first_person: re.Pattern[str] | None  # "I said", "we argue": speech cues that stay the author's own voice
    negation: re.Pattern[str] | None
    negation_exceptions: re.Pattern[str] | None  # "not only", "nicht nur": negators that do not negate
    rules: tuple[Rule, ...]
    # Phrases holding an attribution cue that report nobody ("its core demand", "would have said so").
    attribution_exceptions: re.Pattern[str] | None = None
    # Sentence-opening concessions ("Of course", "Granted", "Zwar", "Certes", "Visserligen"): the author grants
    # the other side a point before turning; what is granted is not the author's verdict.
    concessive: re.Pattern[str] | None = None
    # Marks of an opinion piece in the author's voice: first person, obligation modals, genre labels.
    opinion: re.Pattern[str] | None = None
    # Sentence-opening adversatives ("But", "Doch", "Mais", "Pero", "Men"): the author's rebuttal follows.
    adversative: re.Pattern[str] | None = None
    # Heading words of an organisation's own text ("press release", "open letter", "Stellungnahme").
    statement: re.Pattern[str] | None = None
    # First-person pronouns ("I", "we", "wir", "nous", "vi"): an interviewee speaks of themselves.
    self_reference: re.Pattern[str] | None = None
    # An interview naming itself in its headline or introduction ("we asked her", "im Gespräch", "entretien").
    interview: re.Pattern[str] | None = None
    # A rubric that makes a piece opinion by itself: "Opinion", "Leserbrief", "EDITORIALE" as a heading line of a
    # few words or as the headline's prefix ("Comment: ...", "Meinung | ...").
    opinion_label: re.Pattern[str] | None = None
    # The author's note of an opinion piece: "She writes in a personal capacity", "X is a professor of ...".
    author_note: re.Pattern[str] | None = None
    # The outlet speaking of itself (a subscription or donation appeal left in the page: "support our journalism",
    # "unsere Leser:innen"): its first person is no mark of opinion on the topic.
    publisher: re.Pattern[str] | None = None
    # The own voice declining to take a side ("a question research cannot settle", "neither camp has the evidence it
    # claims", "beides kann stimmen"): a piece that says so is read as news (threshold, framing and claims).
    balance: re.Pattern[str] | None = None
    # A rubric that makes a piece an explainer ("Explainer", "Décryptage", "Frågor och svar", "Объясняем"): it
    # sets out the decision and both sides by genre, so it is read as news whatever its questions and marks.
    explainer_label: re.Pattern[str] | None = None


@dataclass(frozen=True, slots=True)
class Terms:
    """A compiled alternation of phrases plus the first letters its matches can start with."""

    pattern: re.Pattern[str]
    prefixes: frozenset[str] | None

    @classmethod
    def of(cls, pattern: re.Pattern[str]) -> Terms:
        return cls(pattern, literal_prefixes(pattern))


@dataclass(frozen=True, slots=True)
class Relevance:
    anchors: Terms  # the organisation (language independent)
    subject: tuple[tuple[str, Terms], ...]  # per language ("*" = any) sex work / prostitution terms
    events: tuple[tuple[str, Terms], ...]  # vote / resolution / policy / draft ... terms
    window: int  # neighbouring sentences on either side that still count as "near"
    lead_sentences: int  # the title plus this many first sentences form one more window
    earliest_year: int  # a dateline earlier than this year means the piece predates the debate
    # Per language: words that refer back to the organisation ("the organisation", "la organización"); they count
    # as the anchor in the sentences after the organisation is first named.
    coreferents: tuple[tuple[str, Terms], ...] = ()
    # Per language: the press's own names for the decision ("the Dublin vote", "der Beschluss von Dublin",
    # "beslutet i Dublin"). Named in the author's words beside the organisation, they make a text relevant even
    # where the subject goes unnamed (a report on members leaving "after the decision in Dublin").
    decision_names: tuple[tuple[str, Terms], ...] = ()
    # Where the decision was taken ("Dublin", "Dublín", "Дублин"), language independent. With the organisation and
    # the subject each named anywhere in the author's words, a decision name or this place makes the topic, however
    # far apart the three are (a members' letter: Amnesty in its first line, "the Dublin meeting" in the third
    # paragraph, brothels in the fifth).
    venues: Terms | None = None


@dataclass(frozen=True, slots=True)
class Scoring:
    title_multiplier: float
    threshold: float
    uncertain_margin: float
    scale: float
    negation_window: int
    negation_factor: float
    # An article with at least this many own-voice sentences carrying an opinion mark is read as opinion;
    # 0 turns the news/opinion distinction off (every claim counts fully).
    opinion_min: int = 0
    opinion_share: float = 0.0  # ... and at least this share of all the article's sentences
    claim_news_factor: float = 1.0  # weight of a "claim" rule's match in a news report
    rebuttal_factor: float = 1.0  # multiplier for own-voice cues in a sentence opening with an adversative
    # In an opinion piece a side's vocabulary and claims in the author's voice are a weak prior of its stance.
    opinion_framing_factor: float = 1.0
    opinion_threshold: float = 0.0  # the threshold for opinion pieces (0: the same as for news)
    concession_factor: float = 1.0  # multiplier for own-voice cues in the granted part of a concession
    # Calibrated confidence (bench/calibrate.py fits them on development and tuning labels): a scored label's
    # confidence is 1 / (1 + exp(-(intercept + slope * margin))); without them the uncalibrated
    # 0.5 + 0.5 * tanh(margin / scale). An off-topic label's confidence is the measured share of right ones.
    confidence_intercept: float | None = None
    confidence_slope: float | None = None
    off_topic_confidence: float | None = None


@dataclass(frozen=True)
class RuleSet:
    topic: str
    title: str
    version: str
    languages: tuple[str, ...]
    milestones: tuple[Milestone, ...]
    path: Path
    description: str = ""
    relevance: Relevance | None = field(default=None, repr=False)
    scoring: Scoring | None = field(default=None, repr=False)
    language_rules: tuple[LanguageRules, ...] = field(default=(), repr=False)
    actors: tuple[Actor, ...] = field(default=(), repr=False)
    word_keys: re.Pattern[str] | None = field(default=None, repr=False)  # see stance.prefix.key_pattern
    # Per language with rules: the keys of that language's patterns only (a smaller, faster word index).
    language_word_keys: tuple[tuple[str, re.Pattern[str]], ...] = field(default=(), repr=False)

    def word_keys_for(self, language: str) -> re.Pattern[str] | None:
        """The word-index keys for a document in `language` (every language's for one without rules)."""
        for code, keys in self.language_word_keys:
            if code == language:
                return keys
        return self.word_keys

    def rules_for(self, language: str) -> LanguageRules | None:
        for rules in self.language_rules:
            if rules.code == language:
                return rules
        return None


def compile_pattern(source: str) -> re.Pattern[str]:
    """Compile a rule phrase: case-folded, spaces and hyphens flexible, whole words only.

    Match with `stance.text.word_matches`, which checks the start boundary (see there why).
    """
    return re.compile(r"(?:" + fold_pattern_literal(source) + r")(?!\w)")


def compile_alternatives(sources: list[str]) -> re.Pattern[str]:
    return compile_pattern("|".join(f"(?:{s})" for s in sources))


def load_ruleset(path: Path, defaults: Path = LANGUAGE_DEFAULTS) -> RuleSet:
    """Parse and check a topic rule file (with the language defaults it inherits); every problem raises
    RuleFileError naming file, line and key."""
    path = Path(path)
    rf = RuleFile(path)
    base = RuleFile(defaults)
    top = rf.table(
        rf.data,
        "",
        {"topic", "milestones", "relevance", "scoring", "language", "stance", "actors"},
        {"topic", "milestones", "relevance", "scoring", "stance"},
    )
    topic = rf.table(top["topic"], "topic", {"title", "description"}, {"title"})
    milestones = _milestones(rf, top["milestones"])
    relevance = _relevance(rf, top["relevance"])
    scoring = _scoring(rf, top["scoring"])
    language_settings = rf.table(top.get("language", {}), "language", set(top.get("language", {})))
    inherited = _language_defaults(base)
    stance = rf.table(top["stance"], "stance", set(top["stance"]))
    for code in list(language_settings) + list(stance):
        if not _LANGUAGE_CODE.match(code):
            section = "language" if code in language_settings else "stance"
            raise rf.error(f"{section}.{code}", "must be a two-letter ISO 639-1 language code")
    languages = tuple(sorted(stance))
    if not languages:
        raise rf.error("stance", "must define rules for at least one language")
    seen_ids: set[str] = set()
    language_rules = tuple(
        _language(
            rf, code, language_settings.get(code, {}), stance.get(code, {}), seen_ids, base, inherited.get(code, {})
        )
        for code in sorted(set(language_settings) | set(stance))
    )
    actors = _actors(rf, top.get("actors", []))
    return RuleSet(
        topic=path.stem,
        title=rf.string(topic["title"], "topic.title"),
        # The version covers what decides a label: the topic file and the voice cues it inherits.
        version=hashlib.sha256(rf.raw + b"\0" + base.raw).hexdigest()[:12],
        languages=languages,
        milestones=milestones,
        path=path,
        description=rf.string(topic.get("description", ""), "topic.description", empty_ok=True),
        relevance=relevance,
        scoring=scoring,
        language_rules=language_rules,
        actors=actors,
        word_keys=key_pattern(_keys(relevance, language_rules, actors, None)),
        language_word_keys=tuple(
            (rules.code, key_pattern(_keys(relevance, language_rules, actors, rules.code))) for rules in language_rules
        ),
    )


_TOP_KEYS = {"topic", "milestones", "relevance", "scoring", "language", "stance", "actors"}
_TOP_REQUIRED = ("topic", "milestones", "relevance", "scoring", "stance")


def check_rule_file(path: Path, defaults: Path = LANGUAGE_DEFAULTS) -> list[RuleFileError]:
    """Every problem of a rule file, not only the first (`presswatch topics check`): each section, key, rule and
    actor is checked on its own, so one mistake does not hide the next. An empty list means `load_ruleset` accepts
    the file. A file that is not valid TOML yields that one error (nothing after it can be read)."""
    try:
        rf = RuleFile(Path(path))
        base = RuleFile(defaults)
        inherited = _language_defaults(base)
    except RuleFileError as exc:
        return [exc]
    errors: list[RuleFileError] = []

    def attempt(check: Callable[[], object]) -> None:
        try:
            check()
        except RuleFileError as exc:
            errors.append(exc)

    data = rf.data
    for name in data:
        if name not in _TOP_KEYS:
            errors.append(rf.error(name, f"unknown key (allowed here: {', '.join(sorted(_TOP_KEYS))})"))
    for name in _TOP_REQUIRED:
        if name not in data:
            errors.append(RuleFileError(rf.path, 1, name, "missing required section"))
    if "topic" in data:
        attempt(
            lambda: rf.string(
                rf.table(data["topic"], "topic", {"title", "description"}, {"title"})["title"], "topic.title"
            )
        )
    if "milestones" in data:
        attempt(lambda: _milestones(rf, data["milestones"]))
    relevance = data.get("relevance")
    if isinstance(relevance, dict):
        minimal = {"anchors": ["x"], "subject": {}, "events": {}}
        for key, value in relevance.items():
            attempt(partial(_relevance, rf, {**minimal, key: value}))
        for key in ("anchors", "subject", "events"):
            if key not in relevance:
                errors.append(
                    RuleFileError(
                        rf.path, rf.locator.line_of("relevance") or 1, f"relevance.{key}", "missing required key"
                    )
                )
    elif "relevance" in data:
        errors.append(rf.error("relevance", "must be a table"))
    scoring = data.get("scoring")
    if isinstance(scoring, dict):
        for key, value in scoring.items():
            # The calibration pair is checked together (one without the other is its own error, below).
            pair = {k: scoring[k] for k in ("confidence_intercept", "confidence_slope") if k in scoring}
            checked = {"threshold": 1.0, **(pair if key in pair and len(pair) == 2 else {})}
            attempt(partial(_scoring, rf, {**checked, key: value}))
        if "threshold" not in scoring:
            errors.append(
                RuleFileError(rf.path, rf.locator.line_of("scoring") or 1, "scoring.threshold", "missing required key")
            )
    elif "scoring" in data:
        errors.append(rf.error("scoring", "must be a table"))
    languages = data.get("language", {})
    stance = data.get("stance", {})
    seen: set[str] = set()
    for section, table in (("language", languages), ("stance", stance)):
        if not isinstance(table, dict):
            errors.append(rf.error(section, "must be a table"))
            continue
        for code in table:
            if not _LANGUAGE_CODE.match(code):
                errors.append(rf.error(f"{section}.{code}", "must be a two-letter ISO 639-1 language code"))
    if isinstance(languages, dict):
        for code, settings in languages.items():
            attempt(partial(_language, rf, code, settings, {}, set(), base, inherited.get(code, {})))
    if isinstance(stance, dict):
        if not stance:
            errors.append(rf.error("stance", "must define rules for at least one language"))
        for code, groups in stance.items():
            if not isinstance(groups, dict):
                errors.append(rf.error(f"stance.{code}", "must be a table"))
                continue
            for side, items in groups.items():
                if side not in SIDES:
                    errors.append(rf.error(f"stance.{code}.{side}", f"unknown key (allowed here: {', '.join(SIDES)})"))
                    continue
                if not isinstance(items, list):
                    errors.append(
                        rf.error(f"stance.{code}.{side}", f"must be an array of tables ([[stance.{code}.{side}]])")
                    )
                    continue
                for index, item in enumerate(items):
                    attempt(partial(_rule, rf, code, side, index, item, seen))
    actors = data.get("actors", [])
    if isinstance(actors, list):
        for index, item in enumerate(actors):
            attempt(partial(_actor, rf, index, item))
    else:
        errors.append(rf.error("actors", "must be an array of tables ([[actors]])"))
    if not errors:
        attempt(lambda: load_ruleset(Path(path), defaults))
    return sorted(errors, key=lambda e: (e.line or 0, str(e)))


def _keys(
    relevance: Relevance, language_rules: tuple[LanguageRules, ...], actors: tuple[Actor, ...], code: str | None
) -> set[str]:
    """The word keys of every pattern a document is searched with through its word index: all languages' when
    `code` is None (a language without rules is judged with every language's terms), else one language's."""
    keys: set[str] = set()
    rules = [r for lang in language_rules if code is None or lang.code == code for r in lang.rules]
    for prefixes in [r.prefixes for r in rules] + [a.prefixes for a in actors]:
        keys |= prefixes or set()
    tables = relevance.subject + relevance.events + relevance.coreferents + relevance.decision_names
    terms = [relevance.anchors] + [t for c, t in tables if code is None or c in (code, ANY_LANGUAGE)]
    for term in terms:
        keys |= term.prefixes or set()
    return keys


def _pattern(rf: RuleFile, source: str, key: str) -> re.Pattern[str]:
    try:
        return compile_pattern(source)
    except re.error as exc:
        raise rf.error(key, f"invalid regular expression {source!r}: {exc}", value=source) from None


def _patterns(rf: RuleFile, sources: list[str], key: str) -> re.Pattern[str]:
    for index, source in enumerate(sources):
        _pattern(rf, source, f"{key}[{index}]")
    return compile_alternatives(sources)


@dataclass(frozen=True, slots=True)
class Topic:
    """What a report shows of a rule file: its name, title and milestones."""

    topic: str
    title: str
    milestones: tuple[Milestone, ...]


def load_topic(path: Path) -> Topic:
    """The topic table and milestones of a rule file, checked, without compiling its rules (about a second for
    the full rule file, more than a week's report takes); `load_ruleset` checks the whole file."""
    path = Path(path)
    rf = RuleFile(path)
    top = rf.table(rf.data, "", set(rf.data) if isinstance(rf.data, dict) else set(), {"topic", "milestones"})
    topic = rf.table(top["topic"], "topic", {"title", "description"}, {"title"})
    return Topic(path.stem, rf.string(topic["title"], "topic.title"), _milestones(rf, top["milestones"]))


def _milestones(rf: RuleFile, value: Any) -> tuple[Milestone, ...]:
    out = []
    for index, raw in enumerate(rf.array_of_tables(value, "milestones")):
        key = f"milestones[{index}]"
        item = rf.table(raw, key, {"date", "label"}, {"date", "label"})
        if not isinstance(item["date"], dt.date) or isinstance(item["date"], dt.datetime):
            raise rf.error(f"{key}.date", "must be a TOML date such as 2015-08-11")
        out.append(Milestone(item["date"], rf.string(item["label"], f"{key}.label")))
    return tuple(sorted(out, key=lambda m: m.date))


def _per_language(rf: RuleFile, value: Any, key: str) -> tuple[tuple[str, Terms], ...]:
    table = rf.table(value, key, set(value) if isinstance(value, dict) else set())
    out = []
    for code, sources in sorted(table.items()):
        if code != ANY_LANGUAGE and not _LANGUAGE_CODE.match(code):
            raise rf.error(f"{key}.{code}", 'must be a two-letter ISO 639-1 language code or "*"')
        out.append((code, Terms.of(_patterns(rf, rf.strings(sources, f"{key}.{code}"), f"{key}.{code}"))))
    return tuple(out)


def _relevance(rf: RuleFile, value: Any) -> Relevance:
    table = rf.table(
        value,
        "relevance",
        {
            "anchors",
            "subject",
            "events",
            "coreferents",
            "decision_names",
            "venues",
            "window",
            "lead_sentences",
            "earliest_year",
        },
        {"anchors", "subject", "events"},
    )
    venues = table.get("venues")
    return Relevance(
        anchors=Terms.of(_patterns(rf, rf.strings(table["anchors"], "relevance.anchors"), "relevance.anchors")),
        subject=_per_language(rf, table["subject"], "relevance.subject"),
        events=_per_language(rf, table["events"], "relevance.events"),
        window=rf.integer(table.get("window", 1), "relevance.window", 0, 5),
        lead_sentences=rf.integer(table.get("lead_sentences", 2), "relevance.lead_sentences", 0, 10),
        earliest_year=rf.integer(table.get("earliest_year", 1900), "relevance.earliest_year", 1900, 2100),
        coreferents=_per_language(rf, table.get("coreferents", {}), "relevance.coreferents"),
        decision_names=_per_language(rf, table.get("decision_names", {}), "relevance.decision_names"),
        venues=None
        if venues is None
        else Terms.of(_patterns(rf, rf.strings(venues, "relevance.venues"), "relevance.venues")),
    )


def _scoring(rf: RuleFile, value: Any) -> Scoring:
    names = {
        "title_multiplier",
        "threshold",
        "uncertain_margin",
        "scale",
        "negation_window",
        "negation_factor",
        "opinion_min",
        "opinion_share",
        "opinion_threshold",
        "claim_news_factor",
        "rebuttal_factor",
        "opinion_framing_factor",
        "concession_factor",
        "confidence_intercept",
        "confidence_slope",
        "off_topic_confidence",
    }
    table = rf.table(value, "scoring", names, {"threshold"})
    calibrated = ("confidence_intercept" in table) + ("confidence_slope" in table)
    if calibrated == 1:
        raise rf.error("scoring", "confidence_intercept and confidence_slope go together")
    return Scoring(
        title_multiplier=rf.number(table.get("title_multiplier", 2.0), "scoring.title_multiplier", 0, 5),
        threshold=rf.number(table["threshold"], "scoring.threshold", 0, 50),
        uncertain_margin=rf.number(table.get("uncertain_margin", 0.5), "scoring.uncertain_margin", 0, 50),
        scale=rf.number(table.get("scale", 5.0), "scoring.scale", 0.1, 100),
        negation_window=rf.integer(table.get("negation_window", 3), "scoring.negation_window", 0, 8),
        negation_factor=rf.number(table.get("negation_factor", -0.5), "scoring.negation_factor", -1, 1),
        opinion_min=rf.integer(table.get("opinion_min", 0), "scoring.opinion_min", 0, 50),
        opinion_share=rf.number(table.get("opinion_share", 0.0), "scoring.opinion_share", 0, 1),
        opinion_threshold=rf.number(table.get("opinion_threshold", 0.0), "scoring.opinion_threshold", 0, 50),
        claim_news_factor=rf.number(table.get("claim_news_factor", 1.0), "scoring.claim_news_factor", 0, 1),
        rebuttal_factor=rf.number(table.get("rebuttal_factor", 1.0), "scoring.rebuttal_factor", 1, 3),
        opinion_framing_factor=rf.number(
            table.get("opinion_framing_factor", 1.0), "scoring.opinion_framing_factor", 1, 3
        ),
        concession_factor=rf.number(table.get("concession_factor", 1.0), "scoring.concession_factor", 0, 1),
        confidence_intercept=_maybe(rf, table, "confidence_intercept", -20, 20),
        confidence_slope=_maybe(rf, table, "confidence_slope", 0, 50),
        off_topic_confidence=_maybe(rf, table, "off_topic_confidence", 0, 1),
    )


def _maybe(rf: RuleFile, table: Mapping[str, Any], name: str, low: float, high: float) -> float | None:
    return rf.number(table[name], f"scoring.{name}", low, high) if name in table else None


def _language_defaults(base: RuleFile) -> dict[str, Mapping[str, Any]]:
    top = base.table(base.data, "", {"language"}, {"language"})
    table = base.table(top["language"], "language", set(top["language"]))
    out = {}
    for code, settings in table.items():
        if not _LANGUAGE_CODE.match(code):
            raise base.error(f"language.{code}", "must be a two-letter ISO 639-1 language code")
        out[code] = base.table(settings, f"language.{code}", set(VOICE_KEYS))
    return out


def _language(
    rf: RuleFile,
    code: str,
    settings: Any,
    groups: Any,
    seen: set[str],
    base: RuleFile | None = None,
    inherited: Mapping[str, Any] | None = None,
) -> LanguageRules:
    """One language's rules; its voice cues are the inherited defaults plus the topic's own additions."""
    key = f"language.{code}"
    settings = rf.table(settings, key, set(VOICE_KEYS))
    inherited = inherited or {}

    def cues(name: str) -> re.Pattern[str] | None:
        sources: list[str] = []
        if name in inherited and base is not None:
            sources += base.strings(inherited[name], f"{key}.{name}")
            _patterns(base, sources, f"{key}.{name}")
        if name in settings:
            own = rf.strings(settings[name], f"{key}.{name}")
            _patterns(rf, own, f"{key}.{name}")
            sources += own
        return compile_alternatives(sources) if sources else None

    groups = rf.table(groups, f"stance.{code}", set(SIDES))
    rules: list[Rule] = []
    for side in SIDES:
        group_key = f"stance.{code}.{side}"
        for index, item in enumerate(rf.array_of_tables(groups.get(side, []), group_key)):
            rules.append(_rule(rf, code, side, index, item, seen))
    return LanguageRules(
        code=code,
        attribution=cues("attribution"),
        first_person=cues("first_person"),
        negation=cues("negation"),
        negation_exceptions=cues("negation_exceptions"),
        rules=tuple(rules),
        opinion=cues("opinion"),
        adversative=cues("adversative"),
        attribution_exceptions=cues("attribution_exceptions"),
        concessive=cues("concessive"),
        statement=cues("statement"),
        self_reference=cues("self_reference"),
        interview=cues("interview"),
        opinion_label=cues("opinion_label"),
        author_note=cues("author_note"),
        publisher=cues("publisher"),
        balance=cues("balance"),
        explainer_label=cues("explainer_label"),
    )


def _rule(rf: RuleFile, code: str, side: str, index: int, item: Any, seen: set[str]) -> Rule:
    key = f"stance.{code}.{side}[{index}]"
    item = rf.table(item, key, {"id", "pattern", "weight", "kind", "origin", "negatable"}, {"id", "pattern", "weight"})
    ident = rf.string(item["id"], f"{key}.id")
    if not re.fullmatch(r"[a-z0-9][a-z0-9_\-]*", ident):
        raise rf.error(f"{key}.id", "must be lowercase letters, digits, '-' or '_'")
    rule_id = f"{code}.{side}.{ident}"
    if rule_id in seen:
        raise rf.error(f"{key}.id", f"duplicate rule id {rule_id!r}")
    seen.add(rule_id)
    weight = rf.number(item["weight"], f"{key}.weight", -MAX_WEIGHT, MAX_WEIGHT)
    negatable = item.get("negatable", True)
    if not isinstance(negatable, bool):
        raise rf.error(f"{key}.negatable", "must be true or false")
    pattern = _pattern(rf, rf.string(item["pattern"], f"{key}.pattern"), f"{key}.pattern")
    return Rule(
        rule_id=rule_id,
        language=code,
        side=side,
        kind=rf.choice(item.get("kind", "stance"), f"{key}.kind", RULE_KINDS),
        weight=weight if side == "supportive" else -weight,
        pattern=pattern,
        origin=rf.string(item.get("origin", ""), f"{key}.origin", empty_ok=True),
        negatable=negatable,
        prefixes=literal_prefixes(pattern),
    )


def _actors(rf: RuleFile, value: Any) -> tuple[Actor, ...]:
    return tuple(_actor(rf, index, raw) for index, raw in enumerate(rf.array_of_tables(value, "actors")))


def _actor(rf: RuleFile, index: int, raw: Any) -> Actor:
    key = f"actors[{index}]"
    item = rf.table(raw, key, {"name", "side", "aliases", "origin"}, {"name", "side", "aliases"})
    side: Side = rf.choice(item["side"], f"{key}.side", ACTOR_SIDES)  # type: ignore[assignment]
    pattern = _patterns(rf, rf.strings(item["aliases"], f"{key}.aliases"), f"{key}.aliases")
    return Actor(
        name=rf.string(item["name"], f"{key}.name"),
        side=side,
        pattern=pattern,
        origin=rf.string(item.get("origin", ""), f"{key}.origin", empty_ok=True),
        prefixes=literal_prefixes(pattern),
    )
