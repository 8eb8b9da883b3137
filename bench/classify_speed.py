"""Classification speed on one core: `python -m bench.classify_speed [--articles N] [--chars N]`.

Synthetic ~5,000-character articles are assembled from presswatch's own test fixtures (tests/fixtures/stance):
paragraphs of one language shuffled with a fixed seed, so the mix of relevant, quoted and off-topic text is
realistic and the run is reproducible. Target: >= 200 articles/s (CPU time, one core). Writes its record to
bench/results/classify_speed.json; with no articles to classify it is skipped, never met.
"""

from __future__ import annotations

import argparse
import random
import time
from pathlib import Path

from bench.common import Result, exit_code, print_result
from bench.records import RESULTS, write_record
from stance.classify import classify
from stance.rules import load_ruleset

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "stance"
RULES = ROOT / "topics" / "amnesty-2015.toml"
TARGET_PER_SECOND = 200  # the target for one core


def synthetic_articles(count: int, chars: int, seed: int = 2015) -> list[tuple[str, str, str | None]]:
    """(title, text, language) triples built from fixture paragraphs of one language each."""
    by_language: dict[str, list[tuple[str, list[str]]]] = {}
    for path in sorted(FIXTURES.glob("*.txt")):
        head, body = path.read_text(encoding="utf-8").split("\n---\n", 1)
        meta = dict(line.split(":", 1) for line in head.splitlines())
        language = meta["language"].strip() or "xx"
        paragraphs = [p for p in body.split("\n") if p.strip()]
        by_language.setdefault(language, []).append((meta["title"].strip(), paragraphs))
    rng = random.Random(seed)
    languages = sorted(by_language)
    articles = []
    for index in range(count):
        language = languages[index % len(languages)]
        pool = by_language[language]
        title = rng.choice(pool)[0]
        parts: list[str] = []
        while sum(len(p) + 1 for p in parts) < chars:
            parts.append(rng.choice(rng.choice(pool)[1]))
        articles.append((title, "\n".join(parts)[:chars], None if language == "xx" else language))
    return articles


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=None, help="default 1,000 (--quick 300)")
    parser.add_argument("--chars", type=int, default=5000)
    parser.add_argument("--guess-language", action="store_true", help="pass no language: include guessing")
    parser.add_argument("--quick", action="store_true", help="300 articles instead of 1,000: indicative")
    parser.add_argument("--results-dir", type=Path, default=RESULTS, help="where to write the record (JSON)")
    args = parser.parse_args(argv)
    count = args.articles if args.articles is not None else (300 if args.quick else 1000)
    name = "classification, one core" + (" (quick: indicative)" if args.quick else "")
    target = f">= {TARGET_PER_SECOND} articles/s"
    articles = synthetic_articles(count, args.chars) if FIXTURES.is_dir() else []
    if not articles:
        why = f"no articles to classify ({count} asked for, fixtures at {FIXTURES})"
        result = Result.skip(name, why, target=target)
        print_result(result)
        write_record("classify_speed", [result], quick=args.quick, argv=argv, directory=args.results_dir)
        return 0
    ruleset = load_ruleset(RULES)
    classify(ruleset, title=articles[0][0], text=articles[0][1], language=articles[0][2])  # warm-up
    # One core's throughput is CPU time: on a shared machine the wall clock also counts other processes' turns.
    started, cpu_started = time.perf_counter(), time.process_time()
    stances: dict[str, int] = {}
    for title, text, language in articles:
        result = classify(ruleset, title=title, text=text, language=None if args.guess_language else language)
        stances[result.stance] = stances.get(result.stance, 0) + 1
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    rate = len(articles) / cpu
    mean_chars = sum(len(t) for _, t, _ in articles) / len(articles)
    print(f"rules: {RULES.name} (version {ruleset.version})")
    print(
        f"{len(articles)} synthetic articles, mean {mean_chars:.0f} characters, labels {dict(sorted(stances.items()))}"
    )
    print(
        f"classify: {rate:.0f} articles/s on one core ({cpu * 1000 / len(articles):.2f} ms of CPU each; wall clock "
        f"{len(articles) / elapsed:.0f}/s); target {TARGET_PER_SECOND}/s: "
        f"{'met' if rate >= TARGET_PER_SECOND else 'NOT met'}"
    )
    result = Result(
        name,
        f"{rate:.0f} articles/s (CPU time)",
        target,
        "none",
        rate >= TARGET_PER_SECOND,
        f"{len(articles)} synthetic articles of {args.chars} characters, rules version {ruleset.version}",
    )
    write_record("classify_speed", [result], quick=args.quick, argv=argv, directory=args.results_dir)
    return exit_code([result])


if __name__ == "__main__":
    raise SystemExit(main())
