"""Measuring the classifier against hand labels: per-class and macro scores, relevance, baselines.

`evaluate` is pure arithmetic over label sequences; `evaluate_labelled` classifies labelled rows (the JSON Lines
format of the dev corpus: id, title, text, language, label, ...) and adds the two baselines, so that the CLI
(`presswatch evaluate --labels FILE`) and `python -m bench.stance_eval` are thin shells over it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from stance.classify import classify
from stance.language import normalise_language
from stance.model import STANCES
from stance.rules import Rule, RuleSet
from stance.text import fold_quotes, word_matches

LABELS: tuple[str, ...] = STANCES  # supportive, opposed, neutral, off_topic
SIDE_LABELS: tuple[str, ...] = ("supportive", "opposed", "neutral")  # macro-F1 is over these three


@dataclass(frozen=True, slots=True)
class Scores:
    precision: float
    recall: float
    f1: float
    support: int  # gold items of this class


@dataclass(frozen=True, slots=True)
class LanguageScores:
    n: int
    macro_f1: float
    accuracy: float


@dataclass(frozen=True, slots=True)
class Bin:
    """Results with confidence in [low, high): how sure the classifier said it was, and how often it was right."""

    low: float
    high: float
    n: int
    confidence: float  # mean stated confidence
    accuracy: float  # share of these results whose label was right


# Ten bins of stated confidence: enough to see the curve on a few hundred labels, not so many that each is empty.
RELIABILITY_BINS = 10


def reliability(confidences: Sequence[float], correct: Sequence[bool], bins: int = RELIABILITY_BINS) -> tuple[Bin, ...]:
    """Stated confidence against observed accuracy, per bin of confidence (empty bins left out)."""
    grouped: dict[int, list[tuple[float, bool]]] = {}
    for confidence, right in zip(confidences, correct, strict=True):
        grouped.setdefault(min(int(confidence * bins), bins - 1), []).append((confidence, right))
    return tuple(
        Bin(
            low=index / bins,
            high=(index + 1) / bins,
            n=len(items),
            confidence=sum(c for c, _ in items) / len(items),
            accuracy=sum(r for _, r in items) / len(items),
        )
        for index, items in sorted(grouped.items())
    )


def calibration_error(table: Sequence[Bin]) -> float:
    """Expected calibration error: the bins' gaps between stated confidence and accuracy, weighted by size."""
    total = sum(b.n for b in table)
    return sum(b.n * abs(b.accuracy - b.confidence) for b in table) / total if total else 0.0


@dataclass(frozen=True)
class Evaluation:
    n: int
    per_class: Mapping[str, Scores]
    macro_f1: float  # over supportive / opposed / neutral
    relevance: Scores  # "relevant" = any label but off_topic
    off_topic_f1: float
    accuracy: float
    confusion: Mapping[str, Mapping[str, int]]  # confusion[gold][predicted]
    per_language: Mapping[str, LanguageScores]
    baselines: Mapping[str, Evaluation] = field(default_factory=dict)
    mistakes: tuple[tuple[str, str, str, str], ...] = ()  # (id, language, gold, predicted)
    reliability: tuple[Bin, ...] = ()  # stated confidence against observed accuracy (evaluate_labelled)
    calibration_error: float = 0.0  # expected calibration error of that table


def _scores(gold: Sequence[str], predicted: Sequence[str], positive: set[str]) -> Scores:
    tp = sum(1 for g, p in zip(gold, predicted, strict=True) if g in positive and p in positive)
    predicted_pos = sum(1 for p in predicted if p in positive)
    gold_pos = sum(1 for g in gold if g in positive)
    precision = tp / predicted_pos if predicted_pos else 0.0
    recall = tp / gold_pos if gold_pos else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(precision, recall, f1, gold_pos)


def _class_scores(gold: Sequence[str], predicted: Sequence[str], label: str) -> Scores:
    tp = sum(1 for g, p in zip(gold, predicted, strict=True) if g == label and p == label)
    predicted_pos = sum(1 for p in predicted if p == label)
    gold_pos = sum(1 for g in gold if g == label)
    precision = tp / predicted_pos if predicted_pos else 0.0
    recall = tp / gold_pos if gold_pos else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(precision, recall, f1, gold_pos)


def _macro(gold: Sequence[str], predicted: Sequence[str]) -> float:
    # Classes absent from the gold labels are left out, so a one-language subset is not punished for them.
    present = [label for label in SIDE_LABELS if label in gold]
    if not present:
        return 0.0
    return sum(_class_scores(gold, predicted, label).f1 for label in present) / len(present)


def evaluate(gold: Sequence[str], predicted: Sequence[str], *, languages: Sequence[str] | None = None) -> Evaluation:
    """Compare predicted labels with gold labels; includes the majority-class baseline."""
    return _evaluate(gold, predicted, languages, with_majority=True)


def _evaluate(
    gold: Sequence[str], predicted: Sequence[str], languages: Sequence[str] | None, *, with_majority: bool
) -> Evaluation:
    if len(gold) != len(predicted) or (languages is not None and len(languages) != len(gold)):
        raise ValueError("gold, predicted and languages must have the same length")
    for label in list(gold) + list(predicted):
        if label not in LABELS:
            raise ValueError(f"unknown label {label!r} (expected one of {', '.join(LABELS)})")
    per_class = {label: _class_scores(gold, predicted, label) for label in LABELS}
    confusion = {g: {p: 0 for p in LABELS} for g in LABELS}
    for g, p in zip(gold, predicted, strict=True):
        confusion[g][p] += 1
    per_language: dict[str, LanguageScores] = {}
    if languages is not None:
        for code in sorted(set(languages)):
            idx = [i for i, lang in enumerate(languages) if lang == code]
            sub_gold = [gold[i] for i in idx]
            sub_pred = [predicted[i] for i in idx]
            right = sum(a == b for a, b in zip(sub_gold, sub_pred, strict=True))
            per_language[code] = LanguageScores(len(idx), _macro(sub_gold, sub_pred), right / len(idx))
    baselines: dict[str, Evaluation] = {}
    if with_majority and gold:
        majority = Counter(gold).most_common(1)[0][0]
        baselines["majority"] = _evaluate(gold, [majority] * len(gold), languages, with_majority=False)
    return Evaluation(
        n=len(gold),
        per_class=per_class,
        macro_f1=_macro(gold, predicted),
        relevance=_scores(gold, predicted, {"supportive", "opposed", "neutral"}),
        off_topic_f1=per_class["off_topic"].f1,
        accuracy=sum(g == p for g, p in zip(gold, predicted, strict=True)) / len(gold) if gold else 0.0,
        confusion=confusion,
        per_language=per_language,
        baselines=baselines,
    )


# The honest baseline (docs/rules.md, "Baselines"): the seed article's stance terms (every rule whose origin is a
# seed paragraph), counted +1 / -1 per match in the article's language, with presswatch's own relevance gate, and
# neutral unless one side leads by more than this many matches. The band was chosen on the development set
# (`python -m bench.stance_eval --choose-band`, ../shared/corpus/dev.jsonl, 2026-12-05: band 0..6 gave macro-F1
# 0.533 / 0.575 / 0.632 / 0.592 / 0.595 / 0.576 / 0.524), never on a held-out set.
LEXICON_NEUTRAL_BAND = 2


def seed_lexicon(ruleset: RuleSet) -> dict[str, tuple[Rule, ...]]:
    """Per language, the rules seeded from the seed article (origin "seed ¶N ...")."""
    return {
        rules.code: tuple(rule for rule in rules.rules if rule.origin.casefold().startswith("seed"))
        for rules in ruleset.language_rules
    }


def lexicon_label(
    lexicon: Mapping[str, Sequence[Rule]],
    language: str,
    relevant: bool,
    title: str,
    text: str,
    band: int = LEXICON_NEUTRAL_BAND,
) -> str:
    """The lexicon baseline's label: the seed's stance terms counted in the article's language, no voice,
    quotation or negation handling; relevance from the same gate as the rules, so that only stance differs."""
    if not relevant:
        return "off_topic"
    folded = fold_quotes(f"{title}\n{text}".casefold())
    lead = 0
    for rule in lexicon.get(language, ()):
        hits = sum(1 for _ in word_matches(rule.pattern, folded))
        lead += hits if rule.weight > 0 else -hits
    if abs(lead) <= band:
        return "neutral"
    return "supportive" if lead > 0 else "opposed"


def evaluate_labelled(
    ruleset: RuleSet, rows: Iterable[Mapping[str, Any]], *, band: int = LEXICON_NEUTRAL_BAND
) -> Evaluation:
    """Classify labelled rows (dev-corpus JSON Lines fields) and measure them, with both baselines (majority
    class; the seed lexicon with neutral band `band`)."""
    gold: list[str] = []
    predicted: list[str] = []
    lexical: list[str] = []
    languages: list[str] = []
    confidences: list[float] = []
    lexicon = seed_lexicon(ruleset)
    mistakes: list[tuple[str, str, str, str]] = []
    for number, row in enumerate(rows, start=1):
        label = row.get("label")
        if label not in LABELS:
            raise ValueError(f"row {number}: label must be one of {', '.join(LABELS)}, not {label!r}")
        title = str(row.get("title") or "")
        text = str(row.get("text") or "")
        language = normalise_language(row.get("language"))
        result = classify(ruleset, title=title, text=text, language=language)
        gold.append(str(label))
        predicted.append(result.stance)
        confidences.append(result.confidence)
        lexical.append(lexicon_label(lexicon, result.language, result.relevant, title, text, band))
        languages.append(language or result.language)
        if result.stance != label:
            mistakes.append((str(row.get("id") or number), languages[-1], str(label), result.stance))
    evaluation = _evaluate(gold, predicted, languages, with_majority=True)
    baselines = dict(evaluation.baselines)
    baselines["seed_lexicon"] = _evaluate(gold, lexical, languages, with_majority=False)
    table = reliability(confidences, [g == p for g, p in zip(gold, predicted, strict=True)])
    return Evaluation(
        n=evaluation.n,
        per_class=evaluation.per_class,
        macro_f1=evaluation.macro_f1,
        relevance=evaluation.relevance,
        off_topic_f1=evaluation.off_topic_f1,
        accuracy=evaluation.accuracy,
        confusion=evaluation.confusion,
        per_language=evaluation.per_language,
        baselines=baselines,
        mistakes=tuple(mistakes),
        reliability=table,
        calibration_error=calibration_error(table),
    )


def format_evaluation(ev: Evaluation) -> str:
    """A plain-text report: headline figures, per-class table, confusion matrix, per language, baselines."""
    lines = [
        f"items: {ev.n}",
        f"macro-F1 (supportive/opposed/neutral): {ev.macro_f1:.3f}",
        f"relevance: precision {ev.relevance.precision:.3f}  recall {ev.relevance.recall:.3f}  "
        f"F1 {ev.relevance.f1:.3f}",
        f"off_topic F1: {ev.off_topic_f1:.3f}",
        f"accuracy: {ev.accuracy:.3f}",
        "",
        f"{'class':<12}{'precision':>10}{'recall':>10}{'F1':>10}{'support':>10}",
    ]
    for label in LABELS:
        s = ev.per_class[label]
        lines.append(f"{label:<12}{s.precision:>10.3f}{s.recall:>10.3f}{s.f1:>10.3f}{s.support:>10}")
    lines += ["", "confusion (rows = gold, columns = predicted)", f"{'':<12}" + "".join(f"{p:>12}" for p in LABELS)]
    for g in LABELS:
        lines.append(f"{g:<12}" + "".join(f"{ev.confusion[g][p]:>12}" for p in LABELS))
    if ev.per_language:
        lines += ["", f"{'language':<10}{'n':>5}{'macro-F1':>10}{'accuracy':>10}"]
        for code, scores in ev.per_language.items():
            lines.append(f"{code:<10}{scores.n:>5}{scores.macro_f1:>10.3f}{scores.accuracy:>10.3f}")
    if ev.baselines:
        lines += ["", f"{'system':<16}{'macro-F1':>10}{'rel. F1':>10}{'off F1':>10}{'accuracy':>10}"]
        rows = [("rules", ev), *ev.baselines.items()]
        for name, other in rows:
            lines.append(
                f"{name:<16}{other.macro_f1:>10.3f}{other.relevance.f1:>10.3f}"
                f"{other.off_topic_f1:>10.3f}{other.accuracy:>10.3f}"
            )
    if ev.reliability:
        lines += [
            "",
            f"reliability: stated confidence against observed accuracy (expected calibration error "
            f"{ev.calibration_error:.3f})",
            f"{'confidence':<14}{'n':>5}{'stated':>10}{'observed':>10}",
        ]
        for b in ev.reliability:
            lines.append(f"{f'{b.low:.1f}-{b.high:.1f}':<14}{b.n:>5}{b.confidence:>10.3f}{b.accuracy:>10.3f}")
    if ev.mistakes:
        lines += ["", "mistakes (id, language, gold -> predicted)"]
        lines += [f"  {ident} [{lang}] {gold} -> {pred}" for ident, lang, gold, pred in ev.mistakes]
    return "\n".join(lines)


def format_comparison(before: Evaluation, after: Evaluation, before_name: str, after_name: str) -> str:
    """Before and after a rule change on the same labels: headline figures side by side, then the items the
    change fixed and the ones it broke (`presswatch evaluate --rules CANDIDATE.toml`)."""

    def figures(ev: Evaluation) -> list[float]:
        recalls = [ev.per_class[label].recall for label in SIDE_LABELS]
        return [ev.macro_f1, ev.accuracy, *recalls, ev.relevance.f1, ev.calibration_error]

    names = ["macro-F1", "accuracy", *(f"recall {label}" for label in SIDE_LABELS), "relevance F1", "calibration error"]
    lines = [f"items: {before.n}", f"{'':<22}{'before':>10}{'after':>10}{'change':>10}"]
    for name, old, new in zip(names, figures(before), figures(after), strict=True):
        lines.append(f"{name:<22}{old:>10.3f}{new:>10.3f}{new - old:>+10.3f}")
    wrong_before = {m[0]: m for m in before.mistakes}
    wrong_after = {m[0]: m for m in after.mistakes}
    fixed = [wrong_before[i] for i in wrong_before if i not in wrong_after]
    broken = [wrong_after[i] for i in wrong_after if i not in wrong_before]
    lines += ["", f"before: {before_name}", f"after:  {after_name}", "", f"fixed ({len(fixed)}):"]
    lines += [f"  {ident} [{lang}] {gold} (was {pred})" for ident, lang, gold, pred in fixed]
    lines.append(f"broken ({len(broken)}):")
    lines += [f"  {ident} [{lang}] {gold} -> {pred}" for ident, lang, gold, pred in broken]
    return "\n".join(lines)
