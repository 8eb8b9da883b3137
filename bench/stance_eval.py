"""Measure the stance classifier on labelled corpora: `python -m bench.stance_eval [--labels FILE | --all]`.

Reads ../shared/corpus/dev.jsonl beside the checkout when present (third-party text: read, never copied) and
prints the same table as `presswatch evaluate --labels FILE`, with the majority and keyword-count baselines.
`--all` prints one summary line per labelled set: the development set (when present) and every corpus written
for the project under bench/corpus/ (bench/corpus/README.md says which are held out), the figures docs/rules.md
quotes.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from stance.evaluate import evaluate_labelled, format_evaluation
from stance.rules import load_ruleset

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_LABELS = ROOT.parent / "shared" / "corpus" / "dev.jsonl"
DEFAULT_RULES = ROOT / "topics" / "amnesty-2015.toml"
CORPORA = ROOT / "bench" / "corpus"


def _rows(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def summary(rules: Path) -> str:
    """One line per labelled set: macro-F1, accuracy, per-class recall, relevance and off-topic F1, baselines."""
    ruleset = load_ruleset(rules)
    paths = ([DEFAULT_LABELS] if DEFAULT_LABELS.exists() else []) + sorted(CORPORA.glob("*.jsonl"))
    lines = [
        f"rules: {rules.name} (version {ruleset.version})",
        "| set | n | macro-F1 | accuracy | recall sup/opp/neu | relevance F1 | off-topic F1 | keyword count "
        "| majority |",
        "|---|---:|---:|---:|---|---:|---:|---:|---:|",
    ]
    for path in paths:
        e = evaluate_labelled(ruleset, _rows(path))
        recall = "/".join(f"{e.per_class[label].recall:.2f}" for label in ("supportive", "opposed", "neutral"))
        lines.append(
            f"| {path.name} | {e.n} | {e.macro_f1:.3f} | {e.accuracy:.3f} | {recall} | {e.relevance.f1:.3f} "
            f"| {e.off_topic_f1:.3f} | {e.baselines['keyword_count'].macro_f1:.3f} "
            f"| {e.baselines['majority'].macro_f1:.3f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=Path, default=DEFAULT_LABELS, help="labelled JSON Lines file")
    parser.add_argument("--rules", type=Path, default=DEFAULT_RULES, help="topic rule file")
    parser.add_argument("--quiet", action="store_true", help="leave out the list of mistakes")
    parser.add_argument("--all", action="store_true", help="one summary line per labelled set")
    args = parser.parse_args(argv)
    if args.all:
        print(summary(args.rules))
        return 0
    if not args.labels.exists():
        print(f"no labelled corpus at {args.labels}: nothing to measure (pass --labels FILE)", file=sys.stderr)
        return 0
    ruleset = load_ruleset(args.rules)
    rows = _rows(args.labels)
    started = time.perf_counter()
    evaluation = evaluate_labelled(ruleset, rows)
    elapsed = time.perf_counter() - started
    if args.quiet:
        evaluation = type(evaluation)(**{**evaluation.__dict__, "mistakes": ()})
    print(f"labels: {args.labels} ({len(rows)} rows)")
    print(f"rules: {args.rules} (version {ruleset.version})")
    print(format_evaluation(evaluation))
    print(f"\nclassified {len(rows)} articles in {elapsed:.2f}s (with both baselines)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
