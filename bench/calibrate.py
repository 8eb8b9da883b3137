"""Fit the confidence curve of a topic's rules: `python -m bench.calibrate [--rules FILE]`.

Confidence should mean "this share of such labels is right". The classifier's labels come from a margin (how far
the own-voice total is from the threshold); this fits P(right | margin) = 1 / (1 + exp(-(a + b * margin))) by
maximum likelihood over the development set (../shared/corpus/dev.jsonl, when present) and the tuning sets
directly under bench/corpus/ (never the held-out sets), and measures the off-topic labels' share of right ones.
It prints the three `[scoring]` keys to put in the rule file, and the expected calibration error before and
after on the same labels.
"""

from __future__ import annotations

import argparse
import math
from dataclasses import replace
from pathlib import Path

from bench.stance_eval import CORPORA, DEFAULT_LABELS, DEFAULT_RULES, _rows
from stance.classify import classify
from stance.evaluate import calibration_error, reliability
from stance.language import normalise_language
from stance.model import FLAG_NO_RULES_FOR_LANGUAGE, StanceResult
from stance.rules import RuleSet, load_ruleset


def results(ruleset: RuleSet, paths: list[Path]) -> list[tuple[dict[str, object], StanceResult]]:
    """Every labelled row of `paths` with the rules' result for it."""
    out = []
    for path in paths:
        for row in _rows(path):
            title, text = str(row.get("title") or ""), str(row.get("text") or "")
            language = normalise_language(str(row.get("language") or ""))
            out.append((row, classify(ruleset, title=title, text=text, language=language)))
    return out


def labelled(ruleset: RuleSet, paths: list[Path]) -> list[tuple[str, str, float, bool]]:
    """(gold, predicted, margin, relevant-with-rules) per labelled row."""
    return [
        (str(row["label"]), r.stance, r.margin, r.relevant and FLAG_NO_RULES_FOR_LANGUAGE not in r.flags)
        for row, r in results(ruleset, paths)
    ]


def fit_logistic(xs: list[float], ys: list[bool], iterations: int = 50) -> tuple[float, float]:
    """Maximum-likelihood (a, b) of P(y) = sigmoid(a + b x), by Newton's method (two parameters, no library)."""
    a, b = 0.0, 0.0
    for _ in range(iterations):
        ga = gb = haa = hab = hbb = 0.0
        for x, y in zip(xs, ys, strict=True):
            p = 1.0 / (1.0 + math.exp(-(a + b * x)))
            ga += float(y) - p
            gb += (float(y) - p) * x
            w = p * (1 - p)
            haa += w
            hab += w * x
            hbb += w * x * x
        det = haa * hbb - hab * hab
        if det <= 1e-12:
            break
        da = (hbb * ga - hab * gb) / det
        db = (haa * gb - hab * ga) / det
        a, b = a + da, b + db
        if abs(da) + abs(db) < 1e-9:
            break
    return a, b


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rules", type=Path, default=DEFAULT_RULES)
    args = parser.parse_args(argv)
    paths = ([DEFAULT_LABELS] if DEFAULT_LABELS.exists() else []) + sorted(CORPORA.glob("*.jsonl"))
    ruleset = load_ruleset(args.rules)
    rows = labelled(ruleset, paths)
    scored = [(m, g == p) for g, p, m, s in rows if s]
    off = [g == p for g, p, _, s in rows if p == "off_topic"]
    a, b = fit_logistic([m for m, _ in scored], [r for _, r in scored])
    off_topic = sum(off) / len(off) if off else 0.9
    print(f"labels: {len(rows)} rows from {', '.join(p.name for p in paths)}")
    right = sum(r for _, r in scored)
    print(f"scored labels: {len(scored)}, right {right}; off-topic labels: {len(off)}, right {sum(off)}")
    print("[scoring]")
    print(f"confidence_intercept = {a:.3f}")
    print(f"confidence_slope = {b:.3f}")
    print(f"off_topic_confidence = {off_topic:.3f}")
    assert ruleset.scoring is not None
    fitted = replace(
        ruleset,
        scoring=replace(ruleset.scoring, confidence_intercept=a, confidence_slope=b, off_topic_confidence=off_topic),
    )
    for name, rules in (("as the rule file is", ruleset), ("with the fitted curve", fitted)):
        pairs = results(rules, paths)
        table = reliability([r.confidence for _, r in pairs], [r.stance == row["label"] for row, r in pairs])
        print(f"expected calibration error {name}: {calibration_error(table):.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
