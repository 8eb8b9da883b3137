"""The stance classifier: relevance gate, then the score of the article's own voice (see docs/rules.md).

Pure and deterministic: the same rule set and text always give the same result, whatever the letter case or the
length of whitespace runs. Quoted and attributed speech is kept as evidence but does not move the score.
"""

from __future__ import annotations

import bisect
import dataclasses
import math
import re
from dataclasses import dataclass

from stance.document import SHORT_QUOTE_WORDS, Document
from stance.language import guess_language, normalise_language
from stance.model import (
    FLAG_INTERVIEW,
    FLAG_NO_RULES_FOR_LANGUAGE,
    FLAG_PREDATES_TOPIC,
    FLAG_STATEMENT,
    FLAG_UNCERTAIN,
    Evidence,
    Stance,
    StanceResult,
    Voice,
    VoiceKind,
)
from stance.relevance import judge_relevance
from stance.rules import LanguageRules, Rule, RuleSet, Scoring, Terms
from stance.text import Sentence, word_matches

UNKNOWN_LANGUAGE = "und"
# Confidence given to a "neutral" that was forced because the language has no stance rules: we did not look.
NO_RULES_CONFIDENCE = 0.2


@dataclass
class _Hit:
    rule: Rule
    start: int  # original offsets
    end: int
    evidence: Evidence
    counted: bool


def classify(ruleset: RuleSet, *, title: str, text: str, language: str | None = None) -> StanceResult:
    """Label one article's stance toward the rule set's topic, with the evidence for the label."""
    title = title or ""
    text = text or ""
    code = normalise_language(language) or guess_language(f"{title}\n{text}") or UNKNOWN_LANGUAGE
    rules = ruleset.rules_for(code)
    known = code in ruleset.languages and rules is not None
    doc = Document.prepare(title, text, ruleset.word_keys_for(code))
    finding = judge_relevance(ruleset, doc, code, known)
    voices = _voices(ruleset, doc)
    if not finding.relevant:
        return StanceResult(
            topic=ruleset.topic,
            relevant=False,
            stance="off_topic",
            score=0.0,
            confidence=_off_topic_confidence(finding.predates, ruleset.scoring),
            ruleset_version=ruleset.version,
            language=code,
            flags=(FLAG_PREDATES_TOPIC,) if finding.predates else (),
            evidence=tuple(finding.evidence),
            voices=voices,
        )
    if not known or rules is None:
        return StanceResult(
            topic=ruleset.topic,
            relevant=True,
            stance="neutral",
            score=0.0,
            confidence=NO_RULES_CONFIDENCE,
            ruleset_version=ruleset.version,
            language=code,
            flags=(FLAG_NO_RULES_FOR_LANGUAGE,),
            evidence=tuple(finding.evidence),
            voices=voices,
        )
    scoring = ruleset.scoring
    assert scoring is not None
    # Both a count and a share of the sentences: a long news report gathers a few marks by chance.
    needed = max(scoring.opinion_min, scoring.opinion_share * len(doc.sentences))
    genre = _genre(doc, rules)
    # Statements and interviews argue for a side by genre, as opinion pieces do.
    # An interview may carry an explainer's rubric ("Fragen und Antworten"); its interviewee still speaks.
    explainer = genre != FLAG_INTERVIEW and _labelled_explainer(doc, rules)
    # An interviewee, a columnist or an organisation that says it takes no side is not arguing for one: its vocabulary
    # and the arguments it sets out count as a news report's do.
    neutral_genre = explainer or _declines_to_side(doc, rules)
    opinion = not neutral_genre and (
        genre is not None
        or (scoring.opinion_min > 0 and (_labelled_opinion(doc, rules) or _opinion_marks(doc, rules, needed) >= needed))
    )
    principal = _Principal(genre, ruleset.relevance.anchors if ruleset.relevance else None)
    hits = _match(doc, rules, scoring, opinion, principal)
    total = sum(hit.evidence.weight for hit in hits if hit.counted)
    # An author who rebuts the other side in their own words argues, whatever the piece's other marks.
    argued = not neutral_genre and (opinion or any(hit.counted and hit.rule.kind == "rebutted" for hit in hits))
    if argued and scoring.opinion_threshold:
        # An argued piece takes a side by its genre: a smaller own-voice lean decides it.
        scoring = dataclasses.replace(scoring, threshold=min(scoring.threshold, scoring.opinion_threshold))
    stance, confidence, uncertain = _decide(total, scoring)
    margin = round(abs(abs(total) - scoring.threshold), 6)
    evidence = sorted((hit.evidence for hit in hits), key=_evidence_order)
    return StanceResult(
        topic=ruleset.topic,
        relevant=True,
        stance=stance,
        score=round(math.tanh(total / scoring.scale), 6),
        confidence=confidence,
        ruleset_version=ruleset.version,
        language=code,
        flags=((genre,) if genre else ()) + ((FLAG_UNCERTAIN,) if uncertain else ()),
        evidence=tuple(finding.evidence) + tuple(evidence),
        voices=voices,
        margin=margin,
    )


# Where an organisation's text announces itself: the headline, and short heading lines ("PRESS RELEASE", "Media
# contact: ...", "Signatories:", "Dear Secretary General,") among the first and last paragraphs.
_HEAD_PARAGRAPHS = 3
_TAIL_PARAGRAPHS = 4
_HEADING_WORDS = 15
# An interview's answers speak of the interviewee ("I", "we") in at least this many answer paragraphs (or in one,
# when the piece calls itself an interview); an explainer's Q&A answers in the outlet's impersonal voice.
_INTERVIEW_SELF_REFERENCES = 2


def _headings(doc: Document) -> list[str]:
    """The folded headline and the short lines among the first and last paragraphs, where a text says what it is."""
    heads = [doc.folded[: doc.fold_offset(doc.title_end)]] if doc.title_end else []
    body = [p for p in doc.paragraph_spans if p[0] >= doc.title_end]
    for start, end in body[:_HEAD_PARAGRAPHS] + body[-_TAIL_PARAGRAPHS:]:
        text = doc.folded[doc.fold_offset(start) : doc.fold_offset(end)]
        if len(text.split()) <= _HEADING_WORDS:
            heads.append(text)
    return [head.strip().lstrip("\"'*#-–—|[(") for head in heads]


def _genre(doc: Document, rules: LanguageRules) -> str | None:
    """FLAG_STATEMENT for an organisation's own text, FLAG_INTERVIEW for an interview, else None (news, opinion)."""
    if rules.statement is not None:
        for head in _headings(doc):
            if rules.statement.match(head) is not None:
                return FLAG_STATEMENT
    if doc.interview_answers and rules.self_reference is not None:
        speaking = 0
        for number in sorted(doc.interview_answers):
            start, end = doc.paragraph_spans[number]
            answer = doc.folded[doc.fold_offset(start) : doc.fold_offset(end)]
            if next(word_matches(rules.self_reference, answer), None) is not None:
                speaking += 1
        # An interview names itself ("we asked her", "im Gespräch", "entretien") in its headline or introduction.
        named = rules.interview is not None and next(word_matches(rules.interview, _introduction(doc)), None)
        if speaking >= _INTERVIEW_SELF_REFERENCES or (speaking and named):
            return FLAG_INTERVIEW
    return None


def _introduction(doc: Document) -> str:
    """The headline and the paragraphs before the first answer, folded."""
    start = doc.paragraph_spans[min(doc.interview_answers)][0]
    return doc.folded[: doc.fold_offset(start)]


@dataclass(frozen=True)
class _Principal:
    """Who, besides the author, is the text's own voice: an organisation's quoted officers and signatories in its
    statement (but not Amnesty's words it reports), an interviewee's answers in an interview."""

    genre: str | None
    anchors: Terms | None

    def speaks(self, doc: Document, sentence: Sentence | None, start: int) -> bool:
        """Whether the words at `start` (an original offset in `sentence`) are the principal's."""
        if self.genre is None or sentence is None:
            return False
        if self.genre == FLAG_INTERVIEW:
            return sentence.paragraph in doc.interview_answers
        if self.anchors is None:
            return True
        # "Amnesty claims that ...": the organisation reports the other side; its own officers' words count. Amnesty
        # named only after the words ("X welcomes Amnesty's decision") is what the organisation speaks about.
        before = doc.fold_offset(start) - doc.fold_offset(sentence.start)
        named = next(word_matches(self.anchors.pattern, doc.outside_quotes(sentence)), None)
        return named is None or named.start() >= before


def _evidence_order(evidence: Evidence) -> tuple[int, float, str, str]:
    # The author's own strongest cues first: they are what decided the label.
    return (0 if evidence.voice == "own" else 1, -abs(evidence.weight), evidence.rule_id, evidence.snippet)


def _decide(total: float, scoring: Scoring) -> tuple[Stance, float, bool]:
    threshold = scoring.threshold
    stance: Stance
    if total >= threshold:
        stance = "supportive"
    elif total <= -threshold:
        stance = "opposed"
    else:
        stance = "neutral"
    margin = abs(abs(total) - threshold)
    return stance, round(_confidence(margin, scoring), 6), margin < scoring.uncertain_margin


def _confidence(margin: float, scoring: Scoring) -> float:
    """How likely the label is right, from its margin: the topic's calibrated curve when it has one."""
    if scoring.confidence_intercept is not None and scoring.confidence_slope is not None:
        return 1.0 / (1.0 + math.exp(-(scoring.confidence_intercept + scoring.confidence_slope * margin)))
    return 0.5 + 0.5 * math.tanh(margin / scoring.scale)


def _off_topic_confidence(predates: bool, scoring: Scoring | None) -> float:
    # Off-topic is decided by a hard gate; a dateline before the debate is a weaker reason than a missing anchor.
    if predates:
        return 0.7
    if scoring is not None and scoring.off_topic_confidence is not None:
        return scoring.off_topic_confidence
    return 0.9


# A rubric line ("EDITORIAL", "Letters to the editor") has at most this many words; a longer line that opens with
# the label is a sentence ("Opinion polls suggest ...") unless a colon, bar or dash sets the label off.
_RUBRIC_WORDS = 4
_RUBRIC_SEPARATORS = (":", "|", "–", "—", "-", "/")


def _labelled_opinion(doc: Document, rules: LanguageRules) -> bool:
    """Whether the text calls itself opinion: a rubric ("Opinion", "Leserbrief", "EDITORIALE") as a heading line or
    as the headline's prefix, or an author's note ("she writes in a personal capacity", "X is a professor of")."""
    for head in _headings(doc):
        if rules.author_note is not None and next(word_matches(rules.author_note, head), None) is not None:
            return True
        if _rubric(head, rules.opinion_label):
            return True
    return False


def _labelled_explainer(doc: Document, rules: LanguageRules) -> bool:
    """Whether the text calls itself an explainer ("Explainer", "Décryptage", "Frågor och svar: ...")."""
    return any(_rubric(head, rules.explainer_label) for head in _headings(doc))


def _rubric(head: str, labels: re.Pattern[str] | None) -> bool:
    """A heading line that is a rubric: the label alone on a short line, or the headline's prefix before ":" or "|"."""
    label = labels.match(head) if labels is not None else None
    if label is None:
        return False
    rest = head[label.end() :].lstrip()
    return len(head.split()) <= _RUBRIC_WORDS or rest.startswith(_RUBRIC_SEPARATORS)


def _opinion_marks(doc: Document, rules: LanguageRules, enough: float = math.inf) -> int:
    """How many own-voice sentences carry a mark of opinion (first person, "should", a genre label, "?", "!").

    News reports attribute arguments to their speakers; opinion pieces argue in the first person, address
    obligations to governments and organisations, and ask rhetorical questions. Counting stops at `enough`.
    """
    if rules.opinion is None:
        return 0
    count = 0
    previous_paragraph = -1
    opens_paragraph = False
    for sentence in doc.sentences:
        if sentence.paragraph != previous_paragraph:
            opens_paragraph = True
        previous_paragraph = sentence.paragraph
        if sentence.paragraph in doc.quoted_paragraphs:
            continue
        plain = doc.outside_quotes(sentence)
        if rules.publisher is not None and next(word_matches(rules.publisher, plain), None) is not None:
            opens_paragraph = False
            continue
        # A question opening a paragraph is the Q&A / interview layout of explainers, not a rhetorical question; so
        # is one after a list number or a label ("3. What about trafficking?", "Q: ...").
        asks = _OWN_PUNCTUATION.search(plain.rstrip()[-1:] or " ") is not None and not (
            opens_paragraph and plain.rstrip().endswith("?")
        )
        opens_paragraph = opens_paragraph and len(plain.split()) <= _LABEL_WORDS
        # The mark first: most sentences carry none, and then whether they are reported speech does not matter.
        marked = asks or next(word_matches(rules.opinion, plain), None) is not None
        if marked and not doc.attributed(sentence, rules):
            count += 1
            if count >= enough:
                break
    return count


def _declines_to_side(doc: Document, rules: LanguageRules) -> bool:
    """Whether the own voice says it takes no side ("That isn't a question research can settle", "The Centre takes no
    position", "Das kann ich Ihnen nicht sagen")."""
    if rules.balance is None:
        return False
    for sentence in doc.sentences:
        # An interview's answers count (they are the interviewee's own voice); words inside quotation marks do not,
        # and the sentence's own words of saying ("Das kann ich Ihnen nicht sagen") do not make it reported.
        if next(word_matches(rules.balance, doc.outside_quotes(sentence)), None) is not None:
            return True
    return False


# A sentence ending in "!" (or "?" outside a quotation) is the author exclaiming or asking the reader.
# A paragraph's first sentence this short is a list number or a label ("3.", "Q:"), and the next still opens it.
_LABEL_WORDS = 2
_OWN_PUNCTUATION = re.compile(r"[!?]")


def _rebuttal(doc: Document, rules: LanguageRules, sentence_index: int) -> bool:
    """An own-voice sentence opening with an adversative ("But ...", "Doch ...", "Mais ...", "Pero ...", "Men ...").

    In an argued piece the clause after a concession ("critics say X. But ...") carries the author's verdict.
    """
    return _opener_end(doc, rules, doc.sentences[sentence_index]) > doc.sentences[sentence_index].start


def _mentioned(doc: Document, rules: LanguageRules, sentence: Sentence, start: int) -> bool:
    """Whether the words at `start` are a short quotation the author mentions in their own sentence (scare quotes
    around the other side's phrase), not someone's reported speech."""
    span = doc.span_at(start)
    if span is None or span.words > SHORT_QUOTE_WORDS or sentence.paragraph in doc.quoted_paragraphs:
        return False
    return not doc.attributed(sentence, rules)


def _opener_end(doc: Document, rules: LanguageRules, sentence: Sentence) -> int:
    """Where a sentence-opening adversative or dismissal ends (an original offset), or the sentence's start."""
    cached = doc._openers.get(sentence.index)
    if cached is not None:
        return cached
    result = sentence.start
    if rules.adversative is not None:
        folded = doc.folded_sentence(sentence)
        head = folded.lstrip(" \"'-–—")
        opener = rules.adversative.match(head[:80])
        if opener is not None:
            offset = doc.fold_offset(sentence.start) + len(folded) - len(head) + opener.end() - 1
            result = doc.to_original(offset) + 1
    doc._openers[sentence.index] = result
    return result


def _concession(doc: Document, rules: LanguageRules, sentence_index: int) -> int | None:
    """Where the granted part of a concession ends (an original offset), or None if the sentence concedes nothing.

    A sentence opening with a concessive ("Of course ...", "Granted, ...", "Zwar ...", "Certes ...") grants the
    other side a point up to its turn (", but ...", "..., aber ...") or, without a turn, to its end; the words
    after the turn are the author's rebuttal.
    """
    if rules.concessive is None:
        return None
    if sentence_index in doc._concessions:
        return doc._concessions[sentence_index]
    sentence = doc.sentences[sentence_index]
    folded = doc.folded_sentence(sentence)
    stripped = folded.lstrip(" \"'-–—")
    result: int | None = None
    if rules.concessive.match(stripped[:80]) is not None:
        result = sentence.end
        if rules.adversative is not None:
            base = doc.fold_offset(sentence.start)
            for turn in word_matches(rules.adversative, folded, 1):
                if folded[: turn.start()].rstrip().endswith((",", ";", ":", "–", "—", "-")):
                    result = doc.to_original(base + turn.start())
                    break
    doc._concessions[sentence_index] = result
    return result


def _match(
    doc: Document, rules: LanguageRules, scoring: Scoring, opinion: bool = False, principal: _Principal | None = None
) -> list[_Hit]:
    candidates: list[tuple[Rule, int, int]] = []
    for rule in rules.rules:
        for match in doc.matches(rule.pattern, rule.prefixes):
            start = doc.to_original(match.start())
            if doc.skip_until and doc.title_end <= start < doc.skip_until:
                continue
            candidates.append((rule, start, doc.to_original(max(match.end() - 1, match.start())) + 1))
    candidates = _drop_inside_longer(candidates)
    prompts = _prompts(doc)
    # Stronger rules first; a weaker rule of the same side that overlaps an accepted match adds nothing new.
    candidates.sort(key=lambda c: (-abs(c[0].weight), c[1], c[0].rule_id))
    accepted: list[_Hit] = []
    taken: dict[str, list[tuple[int, int]]] = {}  # per side, disjoint accepted intervals sorted by start
    occurrences: dict[str, int] = {}
    for rule, start, end in candidates:
        intervals = taken.setdefault(rule.side, [])
        index = bisect.bisect_left(intervals, (start, end))
        if (index and intervals[index - 1][1] > start) or (index < len(intervals) and intervals[index][0] < end):
            continue
        intervals.insert(index, (start, end))
        hit = _hit(doc, rules, scoring, rule, start, end, occurrences, opinion, principal)
        sentence = doc.sentence_at(start)
        if hit.counted and rule.kind == "stance" and sentence is not None and sentence.index in prompts:
            # "Has Amnesty made the right decision?" asked of an interviewee or in a Q&A is the question, not a verdict.
            hit = _Hit(rule, start, end, dataclasses.replace(hit.evidence, voice="quoted"), False)
        accepted.append(hit)
    return accepted


def _prompts(doc: Document) -> frozenset[int]:
    """The sentence indices of the questions that open paragraphs, when a text is laid out as questions and answers
    (at least two of them): an interviewer's or an explainer's prompts."""
    found: set[int] = set()
    previous_paragraph = -1
    for sentence in doc.sentences:
        opens = sentence.paragraph != previous_paragraph
        previous_paragraph = sentence.paragraph
        if opens and doc.original[sentence.start : sentence.end].rstrip().endswith("?"):
            found.add(sentence.index)
    return frozenset(found) if len(found) >= _MIN_PROMPTS else frozenset()


# Questions opening this many paragraphs make a text's layout questions and answers.
_MIN_PROMPTS = 2


def _drop_inside_longer(candidates: list[tuple[Rule, int, int]]) -> list[tuple[Rule, int, int]]:
    """Leave out matches that lie inside a longer match of the other side: the longer phrase is the more specific
    reading ("read by traffickers as good news" is not "good news", "the real betrayal would have been ignoring sex
    workers" is not "betrayal")."""
    sides = {rule.side for rule, _, _ in candidates}
    if len(sides) < 2:
        return candidates
    spans: dict[str, tuple[list[int], list[int], list[tuple[int, int]]]] = {}
    for side in sides:
        ordered = sorted((start, end) for rule, start, end in candidates if rule.side == side)
        widest: list[tuple[int, int]] = []  # per prefix, the span reaching furthest
        for span in ordered:
            widest.append(span if not widest or span[1] > widest[-1][1] else widest[-1])
        spans[side] = ([start for start, _ in ordered], [end for _, end in widest], widest)
    kept = []
    for rule, start, end in candidates:
        inside = False
        for side, (starts, ends, widest) in spans.items():
            if side == rule.side:
                continue
            index = bisect.bisect_right(starts, start)
            if index and ends[index - 1] >= end and widest[index - 1] != (start, end):
                inside = True
                break
        if not inside:
            kept.append((rule, start, end))
    return kept


def _hit(
    doc: Document,
    rules: LanguageRules,
    scoring: Scoring,
    rule: Rule,
    start: int,
    end: int,
    occurrences: dict[str, int],
    opinion: bool = False,
    principal: _Principal | None = None,
) -> _Hit:
    sentence = doc.sentence_at(start)
    voice = doc.voice_at(start, sentence, rules)
    if voice == "quoted" and principal is not None and principal.speaks(doc, sentence, start):
        voice = "own"  # the organisation's or the interviewee's words are this text's own voice
    if rule.kind == "rebutted":
        return _rebutted_hit(doc, rules, rule, start, end, sentence, voice, occurrences)
    weight = rule.weight
    if sentence is not None and start < _opener_end(doc, rules, sentence):
        # "That is not convincing." answers the sentence before; it is no verdict on the topic.
        weight = 0.0
    kind = rule.kind
    if rule.negatable and sentence is not None and _negated(doc, rules, scoring, sentence.start, start):
        weight = 0.0 if rule.kind in ("framing", "claim") else weight * scoring.negation_factor
        kind = "negation"
        if voice == "quoted" and rule.kind == "stance" and _mentioned(doc, rules, sentence, start):
            voice = "own"  # 'I don't think Amnesty has "abandoned women"': the author denies the critics' word
    if doc.in_title(start) and rule.kind == "stance":
        # The headline's verdict is the outlet's loudest own voice; its vocabulary is just the topic's name.
        weight *= scoring.title_multiplier
    counted = voice == "own"
    if rule.kind == "claim" and not opinion:
        # A news report that states one side's argument unattributed is still mostly describing the debate.
        weight *= scoring.claim_news_factor
    elif rule.kind in ("claim", "framing") and opinion:
        # An argued piece that keeps using one side's vocabulary and claims in its own voice leans that way.
        weight *= scoring.opinion_framing_factor
    granted_until = _concession(doc, rules, sentence.index) if counted and sentence is not None else None
    if granted_until is not None and start < granted_until:
        # What the author grants the other side before turning is not the author's verdict.
        weight *= scoring.concession_factor
    elif (
        counted
        and sentence is not None
        and rule.kind != "framing"
        and (granted_until is not None or _rebuttal(doc, rules, sentence.index))
    ):
        weight *= scoring.rebuttal_factor
    if counted:
        weight /= _occurrence(occurrences, rule)
    return _Hit(rule, start, end, _evidence(doc, rule, kind, start, end, sentence, weight, voice), counted)


def _occurrence(occurrences: dict[str, int], rule: Rule) -> int:
    """Count one more counted match of `rule`: repetition adds less and less, the k-th occurrence counts 1/k."""
    seen = occurrences[rule.rule_id] = occurrences.get(rule.rule_id, 0) + 1
    return seen


def _evidence(
    doc: Document,
    rule: Rule,
    kind: str,
    start: int,
    end: int,
    sentence: Sentence | None,
    weight: float,
    voice: VoiceKind,
) -> Evidence:
    return Evidence(
        rule_id=rule.rule_id,
        kind=kind,
        matched=doc.original[start:end],
        snippet=doc.snippet(sentence, start),
        weight=round(weight, 4),
        voice=voice,
        language=rule.language,
    )


def _rebutted_hit(
    doc: Document,
    rules: LanguageRules,
    rule: Rule,
    start: int,
    end: int,
    sentence: Sentence | None,
    voice: VoiceKind,
    occurrences: dict[str, int],
) -> _Hit:
    """The other side reported ("Critics say ...") and rebutted in the author's next words: the author's side."""
    counted = sentence is not None and _rebutted(doc, rules, sentence, end)
    weight = rule.weight / _occurrence(occurrences, rule) if counted else 0.0
    evidence = _evidence(doc, rule, "rebutted", start, end, sentence, weight, "own" if counted else voice)
    return _Hit(rule, start, end, evidence, counted)


# How many sentences after the report its rebuttal may open.
_REBUTTAL_REACH = 2


def _rebutted(doc: Document, rules: LanguageRules, sentence: Sentence, end: int) -> bool:
    """Whether the author answers the words ending at `end`: a turn later in the same sentence (", but ...") or the
    next sentence opening with an adversative in the author's own voice ("But ...", "Pero ...", "Ale ...")."""
    if rules.adversative is None:
        return False
    folded = doc.folded_sentence(sentence)
    after = doc.fold_offset(end) - doc.fold_offset(sentence.start)
    for turn in word_matches(rules.adversative, folded, after):
        if folded[: turn.start()].rstrip().endswith((",", ";", ":", "–", "—")):
            return doc.span_at(doc.to_original(doc.fold_offset(sentence.start) + turn.start())) is None
    # The report may run on for a sentence ("Critics say X. They add Y. But ..."), within its paragraph.
    for following in range(sentence.index + 1, min(sentence.index + 1 + _REBUTTAL_REACH, len(doc.sentences))):
        nxt = doc.sentences[following]
        if _rebuttal(doc, rules, following):
            own = nxt.paragraph not in doc.quoted_paragraphs and not doc.attributed(nxt, rules)
            return own and doc.span_at(nxt.start) is None
        if nxt.paragraph != sentence.paragraph:
            break
    return False


# Punctuation that closes a negated clause before the match.
_CLAUSE_MARKS = (",", ";", ":", "–", "—", "(", ")")


def _negated(doc: Document, rules: LanguageRules, scoring: Scoring, sentence_start: int, start: int) -> bool:
    """A negator among the few words before the match, in the same sentence ("not a victory", "kein Sieg")."""
    if rules.negation is None or scoring.negation_window == 0:
        return False
    fold_start = doc.fold_offset(max(sentence_start, start - 80))
    fold_end = doc.fold_offset(start)
    before = doc.folded[fold_start:fold_end]
    matches = list(word_matches(rules.negation, before))
    if not matches:
        return False
    last = matches[-1]
    if rules.negation_exceptions is not None and rules.negation_exceptions.match(before, last.start()):
        return False
    rest = before[last.end() :]
    if any(mark in rest for mark in _CLAUSE_MARKS):
        return False  # "it does not hold up, and Amnesty was right": the negation ended with its clause
    words = [token for token in rest.split() if any(char.isalnum() for char in token)]  # a quote mark is no word
    return len(words) <= scoring.negation_window


def _voices(ruleset: RuleSet, doc: Document) -> tuple[Voice, ...]:
    out = []
    for actor in ruleset.actors:
        matches = list(doc.matches(actor.pattern, actor.prefixes))
        if not matches:
            continue
        first = doc.to_original(matches[0].start())
        out.append(Voice(actor.name, actor.side, len(matches), doc.snippet(doc.sentence_at(first), first)))
    return tuple(out)
