"""The relevance gate: is the article about the topic at all?

Relevant = the organisation (anchor) and the subject are named near each other (same or neighbouring sentences,
or both in the headline and lead), the event itself (a vote, resolution, policy, proposal ... in the author's
words, not only inside a quotation) is named near the organisation or near the subject, and the piece does not
carry a dateline from before the debate began.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from stance.document import SHORT_QUOTE_WORDS, Document
from stance.model import Evidence
from stance.rules import ANY_LANGUAGE, Relevance, RuleSet, Terms
from stance.text import word_matches

_YEAR = re.compile(r"(?<!\d)(19\d\d|20\d\d)(?!\d)")
_MONTHS = (
    "jan|january|janvier|januar|januari|enero|feb|february|februar|februari|février|febrero|mar|march|märz|mars|"
    "marzo|apr|april|avril|abril|may|mai|maj|mayo|jun|june|juni|juin|junio|jul|july|juli|juillet|julio|aug|august|"
    "augusti|août|agosto|sep|sept|september|septembre|septiembre|oct|october|oktober|octobre|octubre|nov|november|"
    "novembre|noviembre|dec|december|dezember|décembre|diciembre"
)
_FULL_DATE = re.compile(
    r"(?<!\d)(?:(19\d\d|20\d\d)-\d\d-\d\d"
    r"|\d{1,2}[./]\d{1,2}[./](19\d\d|20\d\d)"
    rf"|\d{{1,2}}\.?\s+(?:de\s+)?(?:{_MONTHS})\.?\s+(?:de\s+)?(19\d\d|20\d\d)"
    rf"|(?:{_MONTHS})\.?\s+\d{{1,2}},?\s+(19\d\d|20\d\d))(?!\d)"
)
# A line of the lead shorter than this is a rubric or a byline, not one of the lead's sentences.
LEAD_SENTENCE_WORDS = 5
# How far into the body a dateline is looked for: the first few short lines of an extracted article.
DATELINE_CHARS = 300


@dataclass
class RelevanceFinding:
    relevant: bool
    predates: bool = False
    evidence: list[Evidence] = field(default_factory=list)


def _patterns(table: tuple[tuple[str, Terms], ...], language: str, known: bool) -> list[Terms]:
    """The language's own terms plus the language-independent ones; every list when the language has no rules."""
    return [terms for code, terms in table if code in (language, ANY_LANGUAGE) or not known]


def judge_relevance(ruleset: RuleSet, doc: Document, language: str, known: bool) -> RelevanceFinding:
    settings = ruleset.relevance
    assert settings is not None
    anchors = _sentence_hits(doc, [settings.anchors], quotes_ok=True)
    if not anchors:
        return RelevanceFinding(False)
    lead = _lead(doc, settings.lead_sentences)
    subjects = _LazyHits(doc, _patterns(settings.subject, language, known), quotes_ok=True)
    events = _LazyHits(doc, _patterns(settings.events, language, known), quotes_ok=False)
    named: dict[int, str] | None = None

    def subject_sentences() -> dict[int, str]:
        nonlocal named
        if named is None:
            named = _sentence_hits(doc, _patterns(settings.subject, language, known), quotes_ok=True)
        return named

    found = _anchored(settings, anchors, subjects, events, lead, subject_sentences)
    if found is None and settings.coreferents:
        # "The organisation" after Amnesty has been named refers back to it (looked for only when needed: "the"
        # is everywhere).
        first = min(anchors)
        coreferents = _sentence_hits(doc, _patterns(settings.coreferents, language, known), quotes_ok=True)
        extended = {**{i: t for i, t in coreferents.items() if i > first}, **anchors}
        if len(extended) > len(anchors):
            found = _anchored(settings, extended, subjects, events, lead, subject_sentences)
    if found is None:
        found = _sustained(settings, anchors, subjects, events, subject_sentences)
    pair_rule = "relevance.anchor_subject"
    if found is None and settings.decision_names:
        found = _decision_named(doc, settings, anchors, language, known)
        pair_rule = "relevance.decision_named"
    if found is None:
        return RelevanceFinding(False)
    pair, event = found
    if _predates(doc, settings.earliest_year):
        return RelevanceFinding(False, predates=True)
    (_, a_text), (s_sentence, s_text) = pair
    _, (e_sentence, e_text) = event
    evidence = [
        Evidence(
            rule_id=pair_rule,
            kind="relevance",
            matched=f"{a_text} … {s_text}",
            snippet=doc.snippet(doc.sentences[s_sentence], doc.sentences[s_sentence].start),
            weight=0.0,
            voice="own",
            language=ANY_LANGUAGE,
        ),
        Evidence(
            rule_id="relevance.event",
            kind="relevance",
            matched=e_text,
            snippet=doc.snippet(doc.sentences[e_sentence], doc.sentences[e_sentence].start),
            weight=0.0,
            voice="own",
            language=language if known else ANY_LANGUAGE,
        ),
    ]
    return RelevanceFinding(True, evidence=evidence)


def _anchored(
    settings: Relevance,
    anchors: dict[int, str],
    subjects: _LazyHits,
    events: _LazyHits,
    lead: set[int],
    subject_sentences: Callable[[], dict[int, str]],
) -> tuple[tuple[tuple[int, str], tuple[int, str]], tuple[tuple[int, str], tuple[int, str]]] | None:
    """The anchor-subject pair and the event that make the article relevant, or None."""
    pair = _near(anchors, subjects, settings.window, lead)
    if pair is None:
        return None
    event = _near(anchors, events, settings.window, lead)
    if event is None:
        # The event may be named beside the subject rather than the organisation ("the vote to decriminalise
        # the sex trade" two sentences after "Amnesty International").
        event = _near(subject_sentences(), events, settings.window, lead)
    if event is None:
        return None
    return pair, event


# A piece that keeps returning to both the organisation and the subject is about them even when the three terms
# never meet in one window: a reader's letter that names Amnesty in its headline and the vote three paragraphs on,
# a column that says "the report" and "the organisation". This many sentences name each.
SUSTAINED_MENTIONS = 2


def _sustained(
    settings: Relevance,
    anchors: dict[int, str],
    subjects: _LazyHits,
    events: _LazyHits,
    subject_sentences: Callable[[], dict[int, str]],
) -> tuple[tuple[tuple[int, str], tuple[int, str]], tuple[tuple[int, str], tuple[int, str]]] | None:
    """Anchor and subject each named in several sentences, a pair of them within a wider window, and the event
    named anywhere in the author's words."""
    named = subject_sentences()
    if len(anchors) < SUSTAINED_MENTIONS or len(named) < SUSTAINED_MENTIONS:
        return None
    pair = _near(anchors, subjects, settings.window + 2, set())
    if pair is None:
        return None
    for index in range(len(events.doc.sentences)):
        text = events.get(index)
        if text is not None:
            return pair, (pair[1], (index, text))
    return None


def _decision_named(
    doc: Document, settings: Relevance, anchors: dict[int, str], language: str, known: bool
) -> tuple[tuple[tuple[int, str], tuple[int, str]], tuple[tuple[int, str], tuple[int, str]]] | None:
    """The organisation beside the press's own name for the decision ("Amnesty ... the vote in Dublin"), the name
    in the author's words: the decision is then the topic, whether or not the subject is spelled out."""
    names = _sentence_hits(doc, _patterns(settings.decision_names, language, known), quotes_ok=False)
    for index, name in sorted(names.items()):
        for anchor in range(index - settings.window, index + settings.window + 1):
            if anchor in anchors:
                pair = ((anchor, anchors[anchor]), (index, name))
                return pair, pair
    # Far apart, the organisation and the decision's name (or the place it was taken) make the topic only with the
    # subject named too: a letter that names Amnesty in its headline, "the Dublin meeting" in its first line and
    # brothels three paragraphs on.
    if settings.venues is not None:
        names = {**_sentence_hits(doc, [settings.venues], quotes_ok=False), **names}
    # A headline that names the organisation and the event names the decision ("Survivors' network responds to
    # Amnesty policy").
    headline = {i for i in anchors if doc.sentences[i].start < doc.title_end}
    if headline:
        events = _sentence_hits(doc, _patterns(settings.events, language, known), quotes_ok=False)
        names = {**{i: t for i, t in events.items() if i in headline}, **names}
    if not names:
        return None
    subjects = _sentence_hits(doc, _patterns(settings.subject, language, known), quotes_ok=True)
    if not subjects:
        return None
    subject = min(subjects.items())
    anchor = min(anchors, key=lambda a: abs(a - subject[0]))
    name_hit = min(names.items())
    return ((anchor, anchors[anchor]), subject), (name_hit, name_hit)


def _sentence_hits(doc: Document, patterns: list[Terms], *, quotes_ok: bool) -> dict[int, str]:
    """First matched text per sentence index."""
    hits: dict[int, str] = {}
    for terms in patterns:
        for match in doc.matches(terms.pattern, terms.prefixes):
            position = doc.to_original(match.start())
            sentence = doc.sentence_at(position)
            if sentence is None or sentence.index in hits:
                continue
            if not quotes_ok:
                span = doc.span_at(position)
                if span is not None and span.words > SHORT_QUOTE_WORDS:
                    continue
            hits[sentence.index] = doc.original[position : doc.to_original(match.end() - 1) + 1]
    return hits


def _lead(doc: Document, count: int) -> set[int]:
    """Sentence indices of the headline plus the first `count` sentences of the body.

    Short lines at the top of an extracted page (a rubric such as "EDITORIAL", "Leserbriefe", a byline) are part
    of the lead without counting as one of its sentences.
    """
    out: set[int] = set()
    body = 0
    for sentence in doc.sentences:
        if sentence.start < doc.title_end:
            out.add(sentence.index)
        elif body < count:
            out.add(sentence.index)
            if len(doc.original[sentence.start : sentence.end].split()) >= LEAD_SENTENCE_WORDS:
                body += 1
        else:
            break
    return out


class _LazyHits:
    """First matched text per sentence, searched only when asked: the gate stops at the first pair it finds."""

    def __init__(self, doc: Document, patterns: list[Terms], *, quotes_ok: bool) -> None:
        self.doc = doc
        self.patterns = patterns
        self.quotes_ok = quotes_ok
        self.cache: dict[int, str | None] = {}

    def get(self, index: int) -> str | None:
        if index in self.cache:
            return self.cache[index]
        doc = self.doc
        sentence = doc.sentences[index]
        low, high = doc.fold_offset(sentence.start), doc.fold_offset(sentence.end)
        found = None
        for terms in self.patterns:
            for match in word_matches(terms.pattern, doc.folded, low, high):
                position = doc.to_original(match.start())
                if not self.quotes_ok:
                    span = doc.span_at(position)
                    if span is not None and span.words > SHORT_QUOTE_WORDS:
                        continue
                found = doc.original[position : doc.to_original(match.end() - 1) + 1]
                break
            if found is not None:
                break
        self.cache[index] = found
        return found


def _near(
    first: dict[int, str], second: _LazyHits, window: int, lead: set[int]
) -> tuple[tuple[int, str], tuple[int, str]] | None:
    count = len(second.doc.sentences)
    for a in sorted(first):
        near = range(max(0, a - window), min(count, a + window + 1))
        candidates = sorted(set(near) | lead) if a in lead else list(near)
        for b in candidates:
            text = second.get(b)
            if text is not None:
                return (a, first[a]), (b, text)
    return None


def _predates(doc: Document, earliest_year: int) -> bool:
    """A dateline (a full date near the top of the body) before the debate, and no later year anywhere."""
    body_start = doc.fold_offset(doc.title_end)
    top = doc.folded[body_start : body_start + DATELINE_CHARS]
    dated = [int(next(g for g in m.groups() if g)) for m in _FULL_DATE.finditer(top)]
    if not dated or min(dated) >= earliest_year:
        return False
    return all(int(year) < earliest_year for year in _YEAR.findall(doc.folded))
