"""Measure the stance classifier on the labelled dev corpus: `python -m bench.stance_eval [--labels FILE]`.

Reads ../shared/corpus/dev.jsonl beside the checkout when present (third-party text: read, never copied) and
prints the same table as `presswatch evaluate --labels FILE`, with the majority and keyword-count baselines.
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=Path, default=DEFAULT_LABELS, help="labelled JSON Lines file")
    parser.add_argument("--rules", type=Path, default=DEFAULT_RULES, help="topic rule file")
    parser.add_argument("--quiet", action="store_true", help="leave out the list of mistakes")
    args = parser.parse_args(argv)
    if not args.labels.exists():
        print(f"no labelled corpus at {args.labels}: nothing to measure (pass --labels FILE)", file=sys.stderr)
        return 0
    ruleset = load_ruleset(args.rules)
    rows = [json.loads(line) for line in args.labels.read_text(encoding="utf-8").splitlines() if line.strip()]
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
