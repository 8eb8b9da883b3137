"""Classification speed on one core: `python -m bench.classify_speed [--articles N] [--chars N]`.

Synthetic ~5,000-character articles are assembled from presswatch's own test fixtures (tests/fixtures/stance):
paragraphs of one language shuffled with a fixed seed, so the mix of relevant, quoted and off-topic text is
realistic and the run is reproducible. Target: >= 200 articles/s.
"""

from __future__ import annotations

import argparse
import random
import time
from pathlib import Path

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
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--chars", type=int, default=5000)
    parser.add_argument("--guess-language", action="store_true", help="pass no language: include guessing")
    args = parser.parse_args(argv)
    ruleset = load_ruleset(RULES)
    articles = synthetic_articles(args.articles, args.chars)
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
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
