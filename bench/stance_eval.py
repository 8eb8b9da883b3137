"""Measure the stance classifier on labelled corpora: `python -m bench.stance_eval [--labels FILE | --all]`.

Reads ../shared/corpus/dev.jsonl beside the checkout when present (third-party text: read, never copied) and
prints the same table as `presswatch evaluate --labels FILE`, with the majority and seed-lexicon baselines.
`--all` prints one summary line per development and tuning set: the development set (when present) and every
corpus written for the project directly under bench/corpus/ (never the held-out sets under bench/corpus/heldout/),
then a "targets" line per set: the development set's (macro-F1 >= 0.90) met or NOT met, or skipped when the set
is missing; the tuning sets have no target (skipped), and the held-out sets' targets (macro-F1 >= 0.80, each
class's recall >= 0.70, relevance F1 >= 0.95) are measured only with `--heldout` (skipped there). It writes
them as bench/results/stance_eval.json and exits 1 when a target is not met.
`--choose-band` picks the seed-lexicon baseline's neutral band on the development set.
`--heldout` measures the held-out sets: aggregate figures only (never the items it got wrong), appended to
bench/corpus/heldout/MEASUREMENTS.md; bench/corpus/README.md gives the protocol (once, at the end of a piece of
work).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from bench.common import Result
from bench.records import RESULTS, write_record
from stance.evaluate import LEXICON_NEUTRAL_BAND, Evaluation, evaluate_labelled, format_evaluation
from stance.rules import load_ruleset

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_LABELS = ROOT.parent / "shared" / "corpus" / "dev.jsonl"
DEFAULT_RULES = ROOT / "topics" / "amnesty-2015.toml"
CORPORA = ROOT / "bench" / "corpus"
HELDOUT = CORPORA / "heldout"
MEASUREMENTS = HELDOUT / "MEASUREMENTS.md"
# Targets of the stance issue. Held-out sets: macro-F1 over supportive/opposed/neutral, each of those classes'
# recall, and relevance F1; the development set (read while the rules were written): macro-F1.
HELDOUT_TARGETS = {"macro-F1": 0.80, "recall supportive": 0.70, "recall opposed": 0.70, "recall neutral": 0.70}
HELDOUT_TARGETS["relevance F1"] = 0.95
DEV_TARGETS = {"macro-F1": 0.90}


def _rows(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _line(name: str, e: Evaluation) -> str:
    recall = "/".join(f"{e.per_class[label].recall:.2f}" for label in ("supportive", "opposed", "neutral"))
    return (
        f"| {name} | {e.n} | {e.macro_f1:.3f} | {e.accuracy:.3f} | {recall} | {e.relevance.f1:.3f} "
        f"| {e.off_topic_f1:.3f} | {e.calibration_error:.3f} | {e.baselines['seed_lexicon'].macro_f1:.3f} "
        f"| {e.baselines['majority'].macro_f1:.3f} |"
    )


_HEADER = [
    "| set | n | macro-F1 | accuracy | recall sup/opp/neu | relevance F1 | off-topic F1 | calibration error "
    "| seed lexicon | majority |",
    "|---|---:|---:|---:|---|---:|---:|---:|---:|---:|",
]


def figures(e: Evaluation) -> dict[str, float]:
    """The figures the targets name, from one evaluation."""
    return {
        "macro-F1": e.macro_f1,
        **{f"recall {label}": e.per_class[label].recall for label in ("supportive", "opposed", "neutral")},
        "relevance F1": e.relevance.f1,
    }


def check_targets(name: str, e: Evaluation | None, targets: dict[str, float], missing: str = "") -> Result:
    """One set's targets: met when every figure reaches its target; skipped when the set is missing or empty."""
    wanted = ", ".join(f"{k} >= {v:.2f}" for k, v in targets.items())
    if e is None or e.n == 0:
        return Result.skip(f"stance targets, {name}", missing or "the set has no labelled rows", target=wanted)
    got = figures(e)
    short = [f"{k} {got[k]:.3f} < {v:.2f}" for k, v in targets.items() if got[k] < v]
    return Result(
        f"stance targets, {name}",
        ", ".join(f"{k} {got[k]:.3f}" for k in targets),
        wanted,
        f"seed lexicon macro-F1 {e.baselines['seed_lexicon'].macro_f1:.3f}, majority "
        f"{e.baselines['majority'].macro_f1:.3f}",
        not short,
        f"n={e.n}" + (f"; short: {'; '.join(short)}" if short else ""),
    )


def target_line(r: Result) -> str:
    if r.passed is None:
        return f"targets {r.name.removeprefix('stance targets, ')}: skipped ({r.skipped})"
    verdict = "met" if r.passed else "NOT met"
    return f"targets {r.name.removeprefix('stance targets, ')}: {verdict} ({r.figure}; target {r.target})"


def summary_with_targets(rules: Path, labels: Path = DEFAULT_LABELS) -> tuple[str, list[Result]]:
    """One line per development/tuning set (macro-F1, accuracy, recalls, relevance and off-topic F1, calibration
    error, baselines), then a "targets" line per set: the development set against its target (skipped when it is
    missing), the tuning sets (no target of their own: skipped) and the held-out sets (measured only with
    --heldout: skipped here)."""
    ruleset = load_ruleset(rules)
    paths = ([labels] if labels.exists() else []) + sorted(CORPORA.glob("*.jsonl"))
    lines = [f"rules: {rules.name} (version {ruleset.version})", *_HEADER]
    checks: list[Result] = []
    evaluations: dict[Path, Evaluation] = {}
    for path in paths:
        rows = _rows(path)
        if not rows:
            lines.append(f"| {path.name} | 0 | empty: nothing measured |" + " |" * 7)
            continue
        evaluations[path] = evaluate_labelled(ruleset, rows)
        lines.append(_line(path.name, evaluations[path]))
    checks.append(
        check_targets(
            f"development set {labels.name}",
            evaluations.get(labels),
            DEV_TARGETS,
            missing="" if labels.exists() else f"the set is missing ({labels})",
        )
    )
    for path in paths:
        if path != labels:
            # No target of its own, but its figures are kept in the record (docs/rules.md quotes them).
            measured = evaluations.get(path)
            checks.append(
                Result.skip(
                    f"stance targets, tuning set {path.name}",
                    "no target defined for a tuning set",
                    detail=f"figures (rules {ruleset.version}): {_line(path.name, measured)}" if measured else "",
                )
            )
    checks.append(
        Result.skip(
            "stance targets, held-out sets",
            "measured only with --heldout, once at the end of a piece of work; see bench/corpus/README.md",
            target=", ".join(f"{k} >= {v:.2f}" for k, v in HELDOUT_TARGETS.items()),
        )
    )
    lines.append("")
    lines += [target_line(r) for r in checks]
    return "\n".join(lines), checks


def summary(rules: Path) -> str:
    """The summary table and its targets lines (`summary_with_targets`)."""
    return summary_with_targets(rules)[0]


def choose_band(labels: Path, bands: range = range(7)) -> str:
    """The seed-lexicon baseline's macro-F1 for each neutral band on the development set (choose there, only)."""
    ruleset = load_ruleset(DEFAULT_RULES)
    rows = _rows(labels)
    scores = {band: evaluate_labelled(ruleset, rows, band=band).baselines["seed_lexicon"].macro_f1 for band in bands}
    best = max(scores, key=lambda band: (scores[band], -band))
    listed = " / ".join(f"{scores[band]:.3f}" for band in bands)
    return f"seed lexicon on {labels.name}: band {bands.start}..{bands.stop - 1} -> macro-F1 {listed}; best band {best}"


def heldout(rules: Path, record: Path | None = MEASUREMENTS) -> str:
    """Aggregate figures on every held-out set, and on all of them pooled; never the items it got wrong."""
    import datetime as dt
    import subprocess

    ruleset = load_ruleset(rules)
    paths = sorted(HELDOUT.glob("*.jsonl"))
    if not paths:
        return f"no held-out sets under {HELDOUT}"
    pooled: list[dict[str, object]] = []
    lines = [f"rules: {rules.name} (version {ruleset.version})", *_HEADER]
    for path in paths:
        rows = _rows(path)
        pooled += rows
        lines.append(_line(path.name, evaluate_labelled(ruleset, rows)))
    everything = evaluate_labelled(ruleset, pooled)
    lines.append(_line("all held-out", everything))
    # Shares of right labels for subsets, from the pooled run's mistakes (each row is classified once).
    wrong = {ident for ident, *_ in everything.mistakes}

    def right(rows: list[dict[str, object]]) -> float:
        return sum(str(r.get("id")) not in wrong for r in rows) / len(rows) if rows else 0.0

    english = [r for r in pooled if r.get("language") == "en"]
    other = [r for r in pooled if r.get("language") != "en"]
    lines.append("")
    lines.append(
        f"accuracy: English {right(english):.3f} (n={len(english)}), other languages "
        f"{right(other):.3f} (n={len(other)})"
    )
    lines.append(
        "accuracy per language: "
        + ", ".join(f"{code} {s.accuracy:.2f} (n={s.n})" for code, s in sorted(everything.per_language.items()))
    )
    by_genre: dict[str, list[dict[str, object]]] = {}
    for row in pooled:
        by_genre.setdefault(str(row.get("genre") or "?"), []).append(row)
    lines.append(
        "accuracy per genre: "
        + ", ".join(f"{g} {right(rows):.2f} (n={len(rows)})" for g, rows in sorted(by_genre.items()))
    )
    text = "\n".join(lines)
    if record is not None:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        with record.open("a", encoding="utf-8") as handle:
            handle.write(f"\n## {stamp}, commit {commit.stdout.strip() or '?'}\n\n{text}\n")
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=Path, default=DEFAULT_LABELS, help="labelled JSON Lines file")
    parser.add_argument("--rules", type=Path, default=DEFAULT_RULES, help="topic rule file")
    parser.add_argument("--quiet", action="store_true", help="leave out the list of mistakes")
    parser.add_argument(
        "--all", action="store_true", help="one summary line per development and tuning set, with the targets"
    )
    parser.add_argument("--results-dir", type=Path, default=RESULTS, help="where --all writes its record (JSON)")
    parser.add_argument(
        "--choose-band", action="store_true", help="the seed-lexicon baseline's neutral band, on the development set"
    )
    parser.add_argument(
        "--heldout",
        action="store_true",
        help="measure the held-out sets (aggregates only; recorded in bench/corpus/heldout/MEASUREMENTS.md)",
    )
    args = parser.parse_args(argv)
    if args.all:
        text, checks = summary_with_targets(args.rules, args.labels)
        print(text)
        write_record("stance_eval", checks, quick=False, argv=argv, directory=args.results_dir)
        return 1 if any(r.passed is False for r in checks) else 0
    if args.choose_band:
        if not DEFAULT_LABELS.exists():
            print(f"no development set at {DEFAULT_LABELS}", file=sys.stderr)
            return 0
        print(choose_band(DEFAULT_LABELS))
        print(f"(in use: LEXICON_NEUTRAL_BAND = {LEXICON_NEUTRAL_BAND})")
        return 0
    if args.heldout:
        print(heldout(args.rules))
        return 0
    if args.labels.resolve().is_relative_to(HELDOUT.resolve()):
        print("held-out sets are measured with --heldout only (aggregates, recorded)", file=sys.stderr)
        return 2
    if not args.labels.exists():
        print(f"stance evaluation skipped: no labelled corpus at {args.labels} (pass --labels FILE)", file=sys.stderr)
        return 0
    ruleset = load_ruleset(args.rules)
    rows = _rows(args.labels)
    if not rows:
        print(f"stance evaluation skipped: {args.labels} has no labelled rows", file=sys.stderr)
        return 0
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
