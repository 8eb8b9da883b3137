"""Candidate stance rules mined from human labels (`presswatch rules suggest`): values in, values out, no I/O.

Every labelled article is prepared by the classifier's own `Document` (the same sentences, quotations and voice
that scoring uses), and its **own-voice** word n-grams (1-3 words, case-folded) are collected per language: what the
author says, never what the article quotes or attributes. A phrase that the articles of one side use far more than
the others' (precision, support) and that no rule matches yet becomes a candidate. Each candidate is then tried the
way a person would try it: added as a rule of modest weight, under k-fold cross-validation (its side chosen on the
training folds), measuring macro-F1 (supportive/opposed/neutral) on the held-out fold before and after. The mean
change ranks the candidates; the rule file itself is never touched (`candidate_toml` writes a block to review).

Only articles whose text the candidate's pattern matches can change label, so each fold re-classifies just those:
a few hundred labels take seconds.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from stance.classify import UNKNOWN_LANGUAGE, classify
from stance.document import Document
from stance.evaluate import LABELS, SIDE_LABELS, evaluate
from stance.language import function_words, guess_language, normalise_language
from stance.rules import MAX_WEIGHT, LanguageRules, Rule, RuleSet, compile_pattern
from stance.text import word_matches

# A suggested rule counts this much: under the topic's threshold (amnesty-2015: 1.5), so one mention in the body
# does not decide an article alone; it tips articles that other own-voice cues already lean toward its side, and
# decides in a headline (x title_multiplier) or when repeated (1 + 1/2). The rule file's own weights are 0.25-2.5.
SUGGESTED_WEIGHT = 1.0
MAX_WORDS = 3
DEFAULT_FOLDS = 5
DEFAULT_MIN_SUPPORT = 3
# Cross-validating a candidate re-classifies the labelled articles its pattern matches, per fold: the best this
# many by smoothed precision are tried (mining yields thousands of phrases; past the first few dozen they are noise).
MAX_CANDIDATES = 40
# A phrase whose side is not used by at least half the articles that use it is no sign of that side.
MIN_PRECISION = 0.5
SIDES: tuple[str, ...] = ("supportive", "opposed")  # a rule can only push toward a side, never toward neutral

# A word with its inner apostrophes ("women's", "n't" stays in "don't"); hyphens and spaces separate words, as in
# rule patterns, where a space matches any run of spaces or hyphens.
_TOKEN = re.compile(r"\w+(?:'\w+)*")
_JOINER = re.compile(r"[ \-]+")
# Words that carry no stance on a phrase's edge ("of the", "a betrayal", "betrayal of"): the language guesser's
# function words plus the short ones it leaves out because several languages share them.
_EDGE_EXTRA: dict[str, frozenset[str]] = {
    "en": frozenset(
        "a an in on at as he she we i you our his her him them us my me so if than then into about also more one "
        "can do does did had may all such these those up out over very just now while when how after before".split()
    ),
    "de": frozenset("in an am ein einen einem er es wir ich ihr man so als noch nur schon vor über um".split()),
    "fr": frozenset("la l de d un en a à il on nous je se sa son ses ne y si plus comme".split()),
    "es": frozenset("la de en un a no le les me mi nos este esto ya si muy".split()),
    "sv": frozenset("i en så han hon jag de dem vara nu bara".split()),
}


@dataclass(frozen=True, slots=True)
class Labelled:
    """One labelled article as the miner reads it."""

    ident: str
    title: str
    text: str
    language: str | None  # as given; the classifier's guess when None
    label: str


@dataclass(frozen=True, slots=True)
class Candidate:
    language: str
    phrase: str  # case-folded words separated by single spaces
    side: str  # supportive or opposed
    precision: float  # share of the labelled articles using it in their own voice that carry `side`
    support: int  # labelled (supportive/opposed/neutral) articles using it in their own voice
    effect: float = 0.0  # mean change of held-out macro-F1 when added as a rule (cross-validation)
    folds_mined: int = 0  # folds whose training part yielded it (with the same or the other side)

    @property
    def pattern(self) -> str:
        """The rule pattern: the literal words, regex-escaped, joined by spaces (which match spaces or hyphens)."""
        return " ".join(re.escape(word) for word in self.phrase.split())


@dataclass(frozen=True, slots=True)
class Suggestions:
    candidates: tuple[Candidate, ...]  # best cross-validated effect first
    labels: int  # labelled articles read (every label, off_topic included)
    mined: int  # labelled supportive/opposed/neutral articles in a language with rules, whose phrases were mined
    phrases: int  # distinct phrases with enough support before the cap
    folds: int
    weight: float


def labelled_rows(rows: Iterable[Mapping[str, Any]]) -> list[Labelled]:
    """Rows in the labelled JSON Lines shape (id, title, text, language, label) as `Labelled` values."""
    out = []
    for number, row in enumerate(rows, start=1):
        label = row.get("label")
        if label not in LABELS:
            raise ValueError(f"row {number}: label must be one of {', '.join(LABELS)}, not {label!r}")
        language = row.get("language")
        out.append(
            Labelled(
                ident=str(row.get("id") or number),
                title=str(row.get("title") or ""),
                text=str(row.get("text") or ""),
                language=str(language) if language else None,
                label=str(label),
            )
        )
    return out


def own_voice_phrases(doc: Document, rules: LanguageRules, language: str, max_words: int = MAX_WORDS) -> set[str]:
    """The word n-grams (1..max_words) of a prepared document that lie wholly in the author's own voice (as
    `Document.voice_at` decides), within one sentence, joined only by spaces or hyphens; edges that are function
    words, digits or single letters are left out ("betrayal", "nordic model", not "of the" or "a betrayal")."""
    edges = _edge_words(language)
    found: set[str] = set()
    for sentence in doc.sentences:
        if doc.skip_until and doc.title_end <= sentence.start < doc.skip_until:
            continue  # a repeated headline, as the classifier skips it
        folded = doc.folded_sentence(sentence)
        base = doc.fold_offset(sentence.start)
        run: list[str] = []
        previous_end = -1
        for match in _TOKEN.finditer(folded):
            own = doc.voice_at(doc.to_original(base + match.start()), sentence, rules) == "own"
            joined = previous_end >= 0 and _JOINER.fullmatch(folded, previous_end, match.start()) is not None
            if not (own and joined):
                _add_ngrams(run, edges, max_words, found)
                run = []
            if own:
                run.append(match.group())
            previous_end = match.end()
        _add_ngrams(run, edges, max_words, found)
    return found


def _edge_words(language: str) -> frozenset[str]:
    return function_words(language) | _EDGE_EXTRA.get(language, frozenset())


def _add_ngrams(words: Sequence[str], edges: frozenset[str], max_words: int, found: set[str]) -> None:
    for start in range(len(words)):
        first = words[start]
        if not _content(first, edges):
            continue
        for size in range(1, max_words + 1):
            if start + size > len(words):
                break
            if _content(words[start + size - 1], edges):
                found.add(" ".join(words[start : start + size]))


def _content(word: str, edges: frozenset[str]) -> bool:
    return len(word) > 1 and not word.isdigit() and word not in edges


@dataclass
class _Article:
    item: Labelled
    language: str
    phrases: set[str]  # own-voice phrases (empty unless mined)
    folded: str  # the folded text rule patterns are matched against ("" outside the rule languages)


def suggest_rules(
    ruleset: RuleSet,
    rows: Sequence[Labelled],
    *,
    folds: int = DEFAULT_FOLDS,
    min_support: int = DEFAULT_MIN_SUPPORT,
    weight: float = SUGGESTED_WEIGHT,
    max_candidates: int = MAX_CANDIDATES,
) -> Suggestions:
    """Mine candidate phrases from labelled articles and rank them by their cross-validated effect on macro-F1."""
    if folds < 2:
        raise ValueError("cross-validation needs at least 2 folds")
    if not 0 < weight <= MAX_WEIGHT:
        raise ValueError(f"weight must be above 0 and at most {MAX_WEIGHT}")
    articles = [_prepare(ruleset, item) for item in rows]
    users = _phrase_users(articles)
    pooled = range(len(articles))
    phrases = [key for key, used in users.items() if len(used) >= min_support]
    found = []
    for language, phrase in phrases:
        candidate = _judge(language, phrase, users[(language, phrase)], articles, pooled, min_support)
        if candidate is not None and not _covered(ruleset, candidate):
            found.append(candidate)
    found = _maximal(found, users)
    # Laplace-smoothed precision (three labels) favours a phrase 9 of 10 articles use over one 2 of 2 use.
    found.sort(key=lambda c: (-(c.precision * c.support + 1) / (c.support + 3), -c.support, c.language, c.phrase))
    validation = _CrossValidation(ruleset, articles, folds)
    tried = [validation.measure(c, users[(c.language, c.phrase)], min_support, weight) for c in found[:max_candidates]]
    tried.sort(key=lambda c: (-c.effect, -c.precision, -c.support, c.language, c.phrase))
    return Suggestions(
        candidates=tuple(tried),
        labels=len(articles),
        mined=sum(1 for a in articles if _mineable(ruleset, a)),
        phrases=len(found),
        folds=folds,
        weight=weight,
    )


def _mineable(ruleset: RuleSet, article: _Article) -> bool:
    return article.item.label in SIDE_LABELS and article.language in ruleset.languages


def _prepare(ruleset: RuleSet, item: Labelled) -> _Article:
    # The classifier's own language decision, so that phrases and rules meet the articles they were mined from.
    code = normalise_language(item.language) or guess_language(f"{item.title}\n{item.text}") or UNKNOWN_LANGUAGE
    rules = ruleset.rules_for(code)
    if code not in ruleset.languages or rules is None:
        return _Article(item, code, set(), "")
    doc = Document.prepare(item.title, item.text, ruleset.word_keys_for(code))
    phrases = own_voice_phrases(doc, rules, code) if item.label in SIDE_LABELS else set()
    return _Article(item, code, phrases, doc.folded)


def _phrase_users(articles: Sequence[_Article]) -> dict[tuple[str, str], list[int]]:
    users: dict[tuple[str, str], list[int]] = {}
    for index, article in enumerate(articles):
        for phrase in article.phrases:
            users.setdefault((article.language, phrase), []).append(index)
    return users


def _judge(
    language: str,
    phrase: str,
    used: Sequence[int],
    articles: Sequence[_Article],
    among: Iterable[int] | range,
    min_support: int,
) -> Candidate | None:
    """The side a phrase points to among the articles `among` that use it: the label most of them carry, when that
    is a side, strictly ahead of the other labels, and at least MIN_PRECISION of them."""
    allowed = among if isinstance(among, range) else set(among)
    counts = Counter(articles[i].item.label for i in used if i in allowed)
    support = sum(counts.values())
    if support < min_support or not support:
        return None
    ranked = counts.most_common()
    side, hits = ranked[0]
    if side not in SIDES or (len(ranked) > 1 and ranked[1][1] == hits) or hits / support < MIN_PRECISION:
        return None
    return Candidate(language, phrase, side, hits / support, support)


def _covered(ruleset: RuleSet, candidate: Candidate) -> bool:
    """Does a rule of the language already match inside the phrase? Then it adds nothing the rules do not see."""
    rules = ruleset.rules_for(candidate.language)
    if rules is None:
        return False
    return any(next(word_matches(rule.pattern, candidate.phrase), None) is not None for rule in rules.rules)


def _maximal(found: list[Candidate], users: Mapping[tuple[str, str], list[int]]) -> list[Candidate]:
    """Of phrases used by exactly the same articles, drop those inside a longer one ("model" in "nordic model")."""
    groups: dict[tuple[str, tuple[int, ...]], list[Candidate]] = {}
    for candidate in found:
        key = (candidate.language, tuple(users[(candidate.language, candidate.phrase)]))
        groups.setdefault(key, []).append(candidate)
    kept = []
    for group in groups.values():
        for candidate in group:
            inner = f" {candidate.phrase} "
            if not any(other is not candidate and inner in f" {other.phrase} " for other in group):
                kept.append(candidate)
    return kept


def _folds(articles: Sequence[_Article], folds: int) -> list[int]:
    """Each article's fold: stratified by label, in an order fixed by a hash of its id (the same every run)."""
    order = sorted(
        range(len(articles)),
        key=lambda i: (articles[i].item.label, hashlib.sha256(articles[i].item.ident.encode()).hexdigest(), i),
    )
    fold = [0] * len(articles)
    for position, index in enumerate(order):
        fold[index] = position % folds
    return fold


class _CrossValidation:
    """The fold assignment and the current rules' predictions, computed once per `suggest_rules` call; `measure`
    tries one candidate on every fold."""

    def __init__(self, ruleset: RuleSet, articles: Sequence[_Article], folds: int) -> None:
        self.ruleset = ruleset
        self.articles = articles
        self.folds = folds
        self.fold = _folds(articles, folds)
        self.baseline = [_predict(ruleset, a) for a in articles]
        self.members = [[i for i, f in enumerate(self.fold) if f == k] for k in range(folds)]

    def measure(self, candidate: Candidate, used: Sequence[int], min_support: int, weight: float) -> Candidate:
        pattern = compile_pattern(candidate.pattern)
        # Only articles whose text the pattern matches (in any voice) can change label.
        matched = {
            i
            for i, a in enumerate(self.articles)
            if a.language == candidate.language and a.folded and next(word_matches(pattern, a.folded), None)
        }
        # The training parts hold (folds - 1) / folds of the labels: the support asked of them shrinks alike.
        needed = max(1, -(-min_support * (self.folds - 1) // self.folds))
        changes = []
        mined = 0
        rulesets: dict[str, RuleSet] = {}
        for k in range(self.folds):
            training = [i for i in range(len(self.articles)) if self.fold[i] != k]
            side = _judge(candidate.language, candidate.phrase, used, self.articles, training, needed)
            if side is None:
                changes.append(0.0)  # mining on these training folds would not have proposed it
                continue
            mined += 1
            held = [i for i in self.members[k] if i in matched]
            if not held:
                changes.append(0.0)
                continue
            if side.side not in rulesets:
                rulesets[side.side] = with_rule(self.ruleset, dataclasses.replace(candidate, side=side.side), weight)
            after = dict(zip(held, (_predict(rulesets[side.side], self.articles[i]) for i in held), strict=True))
            gold = [self.articles[i].item.label for i in self.members[k]]
            before = [self.baseline[i] for i in self.members[k]]
            changed = [after.get(i, self.baseline[i]) for i in self.members[k]]
            changes.append(evaluate(gold, changed).macro_f1 - evaluate(gold, before).macro_f1)
        return dataclasses.replace(candidate, effect=sum(changes) / self.folds, folds_mined=mined)


def _predict(ruleset: RuleSet, article: _Article) -> str:
    item = article.item
    return classify(ruleset, title=item.title, text=item.text, language=item.language).stance


def with_rule(ruleset: RuleSet, candidate: Candidate, weight: float = SUGGESTED_WEIGHT) -> RuleSet:
    """The rule set with the candidate added as a stance rule of its language, as `candidate_toml` writes it."""
    pattern = compile_pattern(candidate.pattern)
    rule = Rule(
        rule_id=f"{candidate.language}.{candidate.side}.suggested",
        language=candidate.language,
        side=candidate.side,
        kind="stance",
        weight=weight if candidate.side == "supportive" else -weight,
        pattern=pattern,
        origin="suggested",
        prefixes=None,  # searched the plain way: the rule set's word index keys do not know its first letters
    )
    language_rules = tuple(
        dataclasses.replace(rules, rules=(*rules.rules, rule)) if rules.code == candidate.language else rules
        for rules in ruleset.language_rules
    )
    return dataclasses.replace(ruleset, language_rules=language_rules, version=f"{ruleset.version}+suggested")


# --- output ---------------------------------------------------------------------------------------------------


def format_suggestions(suggestions: Suggestions, top: int) -> list[str]:
    """The ranked candidates as a plain table (at most `top`)."""
    shown = suggestions.candidates[:top]
    if not shown:
        return [
            f"no candidate phrase: none is used in the own voice of enough labelled articles ({suggestions.mined} "
            "mined) with one side clearly ahead"
        ]
    width = max(len(c.phrase) for c in shown)
    lines = [f"{'lang':<5}{'phrase':<{width + 2}}{'side':<12}{'precision':>9}{'support':>9}{'macro-F1 change':>17}"]
    for c in shown:
        lines.append(
            f"{c.language:<5}{c.phrase:<{width + 2}}{c.side:<12}{c.precision:>9.2f}{c.support:>9}{c.effect:>+17.4f}"
        )
    return lines


def candidate_toml(suggestions: Suggestions, ruleset: RuleSet, top: int) -> tuple[str, int]:
    """A block of `[[stance.<lang>.<side>]]` tables for the candidates among the first `top` that raised held-out
    macro-F1, to review and paste into the rule file; and how many it holds."""
    chosen = [c for c in suggestions.candidates[:top] if c.effect > 0]
    taken = {rule.rule_id for rules in ruleset.language_rules for rule in rules.rules}
    lines = [
        f"# Candidate stance rules for {ruleset.path.name} (version {ruleset.version}), suggested by",
        f"# `presswatch rules suggest` from {suggestions.labels} labels. Review each one before pasting it",
        "# into the rule file, then measure the result:",
        "#   presswatch evaluate --rules <a copy of the rule file with these tables appended>",
        "# precision: share of the labelled articles using the phrase in their own voice that carry the side;",
        f"# support: those articles; change: mean held-out macro-F1 change over {suggestions.folds} folds at",
        f"# weight {suggestions.weight:.1f}.",
    ]
    if not chosen:
        lines.append("# No candidate raised the cross-validated macro-F1: nothing to suggest.")
    for c in chosen:
        ident = _rule_id(c, taken)
        taken.add(f"{c.language}.{c.side}.{ident}")
        lines += [
            "",
            f"# precision {c.precision:.2f}, support {c.support}, macro-F1 change {c.effect:+.4f}",
            f"[[stance.{c.language}.{c.side}]]",
            f"id = {_toml_string(ident)}",
            f"pattern = {_toml_string(c.pattern)}",
            f"weight = {float(suggestions.weight)!r}",
            'kind = "stance"',
            f"origin = {_toml_string(f'suggested from {suggestions.labels} labels')}",
        ]
    return "\n".join(lines) + "\n", len(chosen)


def _rule_id(candidate: Candidate, taken: set[str]) -> str:
    ascii_words = unicodedata.normalize("NFKD", candidate.phrase).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_words.lower()).strip("-")
    if not slug:  # a phrase in another script: its hash keeps the id stable
        slug = hashlib.sha256(candidate.phrase.encode()).hexdigest()[:8]
    base = f"suggested-{slug}"
    ident, number = base, 2
    while f"{candidate.language}.{candidate.side}.{ident}" in taken:
        ident, number = f"{base}-{number}", number + 1
    return ident


def _toml_string(value: str) -> str:
    # JSON's string escapes are a subset of TOML's basic-string escapes.
    return json.dumps(value, ensure_ascii=False)
