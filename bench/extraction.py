"""Extraction benchmark: accuracy and speed of `extract_article` beside bare trafilatura, on real pages.

    python -m bench.extraction [--quick] [--corpus PATH] [--reps N]

Corpus: the shared HTML corpus (default `../shared/corpora/html` next to the project; see its README), read in
place; nothing of it is copied into the project. Without it the script says so and exits 0 (CI has no corpus).
`--quick` uses every third page (sorted by path: 40 scrapinghub + 10 trafilatura pages) and 3 repetitions, and
scores only presswatch and the baseline (the settings with targets), not the other candidate settings.

Accuracy (rows of the first table), one single-process pass over the pages per setting:
- "presswatch": `trafilatura.bare_extraction(html, url=url, **TRAFILATURA_OPTIONS)`, the pipeline's options
  (`extractors.extract`, shared, never copied), its `.text`. Checked before any figure is printed: the pipeline's
  own function, `extract_article(html, url)`, and the warm pool's workers (`extract_many(pages, pool=...)`, the
  speed run's output) must extract the same text on every page; a mismatch stops the run (exit 2) naming the
  pages, since the row would not be measuring presswatch.
- "trafilatura.extract defaults": bare `trafilatura.extract(html)` (no URL, every setting at its default;
  that includes comments in the output). This is the baseline presswatch must not fall below.
- candidate rows: `trafilatura.bare_extraction(html, url=url, **kwargs)` with presswatch's fixed choices
  (`FIXED_OPTIONS`: metadata on, comments off, the same date options) plus the keyword arguments in the row's
  name; `.text` is scored. The candidate with presswatch's own choice (`TUNED_OPTIONS`, "precision, tables")
  scores exactly like the "presswatch" row.
- P / R / F1 (the headline figures; scrapinghub pages, the ones with a human-annotated article body):
  both texts are lower-cased, every Unicode punctuation character (category P*) becomes a space, and the result
  is split on whitespace. The two token lists are compared as bags (multisets): overlap = sum over tokens of
  min(count in extracted, count in truth). Per page, precision = overlap / extracted tokens and recall = overlap /
  truth tokens. As in the scrapinghub article-extraction-benchmark's evaluate.py, P is the mean over pages where
  something was extracted, R the mean over all pages (an empty extraction has recall 0), and F1 = 2PR / (P + R)
  of those two means, so every page weighs the same whatever its length.
- F1sh: the scrapinghub benchmark's own measure for comparison with its published figures (our implementation):
  tokens are `\\w+` matches (case kept), compared as 4-token shingles, TP/FP/FN normalised per page, P and R
  averaged as above.
- empty: pages where the setting extracted no text at all. Pages that presswatch flags as too short (under
  80 words: kept, but the pipeline falls back to the feed summary) are listed under the table.
- with / without (trafilatura pages, which have snippets instead of a full body): `with` snippets found in the
  output and `without` snippets absent from it, after collapsing whitespace on both sides.
- F1 - presswatch: a candidate's F1 minus presswatch's, with a 95% interval from a paired bootstrap over the
  annotated pages (1,000 resamples, fixed seed). An interval that contains 0 is no evidence of a difference.
- pages/s: the pass's own speed, one process, every page once (a rough figure; the speed table is the measure).

Speed (second table), all pages, presswatch's extraction only:
- 1 core: `extract_many(pages, workers=1)` in this process. All cores: `extract_many(pages, pool=pool)` on an
  `ExtractionPool` (spawned workers, warmed up) started once; its start-up is timed and reported on its own.
  The two are timed alternately, rep by rep, so load from other processes falls on both alike; each figure is
  the median of the repetitions (5, `--quick` 3). "other CPU" is the share of the machine's CPU time used by
  processes other than this benchmark during the timed runs (from /proc/stat); above a few percent the speed-up
  is understated, so re-run on a quiet machine before trusting a miss.
- For reference, the same call without a pool (`extract_many(pages, workers=N, pool_min_pages=1)`): the pool
  is started for that call and shut down after, start-up included in its time.

Targets: presswatch's F1 no lower than bare trafilatura's (printed with the paired-bootstrap interval of the
difference); all-core speed-up over one core >= 1.7x. The script exits 1 when one is missed and writes both to
bench/results/extraction.json. Without the corpus (or with no page in it, or no annotated page for F1) the
targets are skipped, never met.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import trafilatura

from bench.common import Result, exit_code
from bench.records import RESULTS, write_record
from extractors.extract import (
    FIXED_OPTIONS,
    MIN_WORDS,
    TRAFILATURA_OPTIONS,
    ExtractionPool,
    extract_article,
    extract_many,
)
from extractors.types import Article

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "html"
BOOTSTRAP_SAMPLES = 1000  # resamples of the pages for the confidence interval of an F1 difference
QUICK_EVERY = 3  # --quick: every third page, sorted by path; keeps both sources and the run under a minute
SPEED_UP_TARGET = 1.7  # the target for two cores over one
# Share of the CPU used by other processes above which the speed figures get a warning: with 2 cores, 5% is a
# tenth of a core taken from one side or the other, about the size of the run-to-run spread on a quiet machine.
BUSY_MACHINE = 0.05
# Candidate keyword arguments beside presswatch's FIXED_OPTIONS, named by what differs from trafilatura's defaults.
# "precision, tables" is what extract_article passed before this benchmark existed; the current choice is
# extractors.extract.TUNED_OPTIONS.
CANDIDATES: dict[str, dict[str, Any]] = {
    "precision, tables": {"favor_precision": True, "include_tables": True},
    "precision, no tables": {"favor_precision": True, "include_tables": False},
    "precision, tables, fast": {"favor_precision": True, "include_tables": True, "fast": True},
    "balanced, tables": {"include_tables": True},
    "balanced, no tables": {"include_tables": False},
    "balanced, tables, fast": {"include_tables": True, "fast": True},
    "recall, tables": {"favor_recall": True, "include_tables": True},
    "recall, no tables": {"favor_recall": True, "include_tables": False},
    "recall, tables, fast": {"favor_recall": True, "include_tables": True, "fast": True},
}
PRESSWATCH = "presswatch"
BASELINE = "trafilatura.extract defaults"

_PUNCTUATION = {cp: " " for cp in range(sys.maxunicode + 1) if unicodedata.category(chr(cp)).startswith("P")}
_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Page:
    path: str
    html: bytes
    url: str
    truth: str | None  # scrapinghub: the annotated article body
    must_contain: tuple[str, ...]  # trafilatura: snippets the main text must contain ...
    must_not_contain: tuple[str, ...]  # ... and must not


@dataclass(frozen=True, slots=True)
class Scores:
    name: str
    precision: float
    recall: float
    f1: float
    f1_shingles: float
    empty: int
    with_found: int
    with_total: int
    without_absent: int
    without_total: int
    pages_per_s: float
    per_page: tuple[tuple[float | None, float], ...]  # token (precision, recall) per annotated page, for bootstrap


def load_pages(corpus: Path, quick: bool) -> list[Page]:
    truth = json.loads((corpus / "ground-truth.json").read_text(encoding="utf-8"))
    paths = sorted(truth)
    if quick:
        paths = paths[::QUICK_EVERY]
    return [
        Page(
            path=path,
            html=(corpus / path).read_bytes(),
            url=truth[path]["url"],
            truth=truth[path].get("expected_text"),
            must_contain=tuple(truth[path].get("must_contain") or ()),
            must_not_contain=tuple(truth[path].get("must_not_contain") or ()),
        )
        for path in paths
    ]


def tokens(text: str) -> list[str]:
    return text.lower().translate(_PUNCTUATION).split()


def token_overlap(extracted: str, truth: str) -> tuple[float | None, float]:
    """(precision, recall) of the bag of tokens; precision is None when nothing was extracted."""
    got, want = Counter(tokens(extracted)), Counter(tokens(truth))
    overlap = sum((got & want).values())
    precision = overlap / sum(got.values()) if got else None
    return precision, overlap / max(1, sum(want.values()))


def shingle_overlap(extracted: str, truth: str, n: int = 4) -> tuple[float | None, float]:
    """(precision, recall) as the scrapinghub benchmark computes them: 4-token shingles, per-page normalised."""

    def shingles(text: str) -> Counter[tuple[str, ...]]:
        words = _WORD.findall(text)
        return Counter(tuple(words[i : i + n]) for i in range(max(1, len(words) - n + 1)) if words[i : i + n])

    got, want = shingles(extracted), shingles(truth)
    tp = sum((got & want).values())
    fp = sum((got - want).values())
    fn = sum((want - got).values())
    if fp == fn == 0:
        return 1.0, 1.0
    return (tp / (tp + fp) if tp + fp else None), (tp / (tp + fn) if tp + fn else 0.0)


def _f1(precisions: Sequence[float | None], recalls: Sequence[float]) -> tuple[float, float, float]:
    kept = [p for p in precisions if p is not None]
    precision = statistics.fmean(kept) if kept else 0.0
    recall = statistics.fmean(recalls) if recalls else 0.0
    return precision, recall, (2 * precision * recall / (precision + recall) if precision + recall else 0.0)


def f1_difference(row: Scores, reference: Scores, samples: int = BOOTSTRAP_SAMPLES) -> tuple[float, float]:
    """95% interval of F1(row) - F1(reference), paired bootstrap over pages (same resampled pages for both)."""
    pages = len(reference.per_page)
    rng = random.Random(2015)  # fixed: the same run prints the same interval
    differences = []
    for _ in range(samples):
        picks = [rng.randrange(pages) for _ in range(pages)]
        mine = _f1([row.per_page[i][0] for i in picks], [row.per_page[i][1] for i in picks])[2]
        theirs = _f1([reference.per_page[i][0] for i in picks], [reference.per_page[i][1] for i in picks])[2]
        differences.append(mine - theirs)
    differences.sort()
    return differences[int(0.025 * samples)], differences[int(0.975 * samples) - 1]


def _collapse(text: str) -> str:
    return " ".join(text.split())


def score(
    name: str, pages: Sequence[Page], extract: Callable[[Page], tuple[str, bool]], keep: list[str] | None = None
) -> Scores:
    """Run `extract` (page -> (text, counts as empty)) over every page once and score the texts (also appended to
    `keep` when given)."""
    texts: list[tuple[str, bool]] = []
    started = time.perf_counter()
    for page in pages:
        texts.append(extract(page))
    elapsed = time.perf_counter() - started
    if keep is not None:
        keep += [text for text, _ in texts]
    token_p, token_r, shingle_p, shingle_r = [], [], [], []
    with_found = with_total = without_absent = without_total = 0
    for page, (text, _) in zip(pages, texts, strict=True):
        if page.truth is not None:
            p, r = token_overlap(text, page.truth)
            token_p.append(p)
            token_r.append(r)
            p, r = shingle_overlap(text, page.truth)
            shingle_p.append(p)
            shingle_r.append(r)
        flat = _collapse(text)
        with_total += len(page.must_contain)
        with_found += sum(_collapse(snippet) in flat for snippet in page.must_contain)
        without_total += len(page.must_not_contain)
        without_absent += sum(_collapse(snippet) not in flat for snippet in page.must_not_contain)
    precision, recall, f1 = _f1(token_p, token_r)
    return Scores(
        name=name,
        precision=precision,
        recall=recall,
        f1=f1,
        f1_shingles=_f1(shingle_p, shingle_r)[2],
        empty=sum(empty for _, empty in texts),
        with_found=with_found,
        with_total=with_total,
        without_absent=without_absent,
        without_total=without_total,
        pages_per_s=len(pages) / elapsed,
        per_page=tuple(zip(token_p, token_r, strict=True)),
    )


def _presswatch(page: Page) -> tuple[str, bool]:
    """The pipeline's options, exactly (extractors.extract.TRAFILATURA_OPTIONS), in the same call as the
    candidates; `check_pipeline` proves that the pipeline's own function gives the same texts."""
    doc = trafilatura.bare_extraction(page.html, url=page.url, **TRAFILATURA_OPTIONS)
    text = ((getattr(doc, "text", None) or "") if doc is not None else "").strip()
    return text, not text


def pipeline_texts(pages: Sequence[Page], flagged: list[str]) -> list[str]:
    """`extract_article` on every page, as the pipeline's workers call it; pages it flags go to `flagged`."""
    texts = []
    for page in pages:
        article = extract_article(page.html, page.url)
        if article.status != "ok":
            flagged.append(f"{page.path}: {article.status}, {article.word_count} words")
        texts.append(article.text)
    return texts


class PipelineMismatch(AssertionError):
    """The benchmark's presswatch row did not extract what the pipeline extracts: its figures would not be
    presswatch's."""


def check_pipeline(pages: Sequence[Page], row_texts: Sequence[str], *others: tuple[str, Sequence[str]]) -> None:
    """Raise `PipelineMismatch` naming the pages where a pipeline path's text differs from the presswatch row's."""
    for how, texts in others:
        differing = [page.path for page, a, b in zip(pages, row_texts, texts, strict=True) if a != b]
        if differing:
            raise PipelineMismatch(
                f"the presswatch row and {how} extracted different text on {len(differing)} of {len(pages)} pages "
                f"(first: {', '.join(differing[:5])}): the row does not measure the pipeline"
            )


def _baseline(page: Page) -> tuple[str, bool]:
    text = trafilatura.extract(page.html) or ""
    return text, not text.strip()


def _candidate(kwargs: dict[str, Any]) -> Callable[[Page], tuple[str, bool]]:
    def run(page: Page) -> tuple[str, bool]:
        doc = trafilatura.bare_extraction(page.html, url=page.url, **{**FIXED_OPTIONS, **kwargs})
        text = (getattr(doc, "text", None) or "") if doc is not None else ""
        return text, not text.strip()

    return run


def accuracy(
    pages: Sequence[Page], candidates: bool = True, pooled: Sequence[str] | None = None
) -> tuple[list[Scores], list[str]]:
    """Scores of presswatch, the baseline and (with `candidates`) every other setting, and the pages presswatch
    flags (status not "ok"). First checks that the presswatch row extracts, page for page, the text of the
    pipeline's `extract_article` (and of the pool's workers, `pooled`, when given); raises `PipelineMismatch`."""
    flagged: list[str] = []
    mine: list[str] = []
    rows = [score(PRESSWATCH, pages, _presswatch, keep=mine)]
    paths = [("extract_article", pipeline_texts(pages, flagged))]
    if pooled is not None:
        paths.append(("extract_many on the ExtractionPool", list(pooled)))
    check_pipeline(pages, mine, *paths)
    rows.append(score(BASELINE, pages, _baseline))
    for name, kwargs in CANDIDATES.items() if candidates else ():
        rows.append(score(name, pages, _candidate(kwargs)))
    return rows, flagged


# --- speed -------------------------------------------------------------------------------------------------------


def _cpu_busy_s() -> float | None:
    """CPU time used by every process on the machine so far (Linux /proc/stat), in seconds."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def _own_cpu_s() -> float:
    """CPU time of this process and its live children (the pool's workers), in seconds."""
    total = sum(os.times()[:4])  # this process and its reaped children
    ticks = os.sysconf("SC_CLK_TCK")
    try:
        children = {
            int(pid)
            for task in Path(f"/proc/{os.getpid()}/task").iterdir()
            for pid in (task / "children").read_text().split()
        }
    except OSError:
        return total
    for pid in children:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return total


@dataclass(frozen=True, slots=True)
class Timing:
    seconds: float
    others: float | None  # share of the machine's CPU used by other processes meanwhile


def timed(run: Callable[[], object]) -> Timing:
    busy, own = _cpu_busy_s(), _own_cpu_s()
    started = time.perf_counter()
    run()
    elapsed = time.perf_counter() - started
    busy_after, own_after = _cpu_busy_s(), _own_cpu_s()
    others = None
    if busy is not None and busy_after is not None:
        cpus = os.cpu_count() or 1
        others = max(0.0, (busy_after - busy) - (own_after - own)) / (elapsed * cpus)
    return Timing(elapsed, others)


def _median_others(timings: Sequence[Timing]) -> float | None:
    shares = [t.others for t in timings if t.others is not None]
    return statistics.median(shares) if shares else None


def speed(pages: Sequence[Page], reps: int) -> dict[str, Any]:
    batch = [(page.html, page.url) for page in pages]
    workers = os.cpu_count() or 1
    extract_article(batch[0][0], batch[0][1])  # this process's own one-off costs are not part of the figure
    started = time.perf_counter()
    pool = ExtractionPool(workers)
    startup = time.perf_counter() - started
    single: list[Timing] = []
    pooled: list[Timing] = []
    texts: list[Article] = []  # the pool's last output, for the pipeline check
    with pool:
        for _ in range(reps):
            single.append(timed(lambda: extract_many(batch, workers=1)))
            pooled.append(timed(lambda: texts.__setitem__(slice(None), extract_many(batch, pool=pool))))
    per_call = [timed(lambda: extract_many(batch, workers=workers, pool_min_pages=1)) for _ in range(reps)]
    one = len(batch) / statistics.median(t.seconds for t in single)
    many = len(batch) / statistics.median(t.seconds for t in pooled)
    return {
        "pages": len(batch),
        "workers": workers,
        "reps": reps,
        "startup_s": startup,
        "single": one,
        "single_others": _median_others(single),
        "pooled": many,
        "pooled_others": _median_others(pooled),
        "per_call": len(batch) / statistics.median(t.seconds for t in per_call),
        "per_call_others": _median_others(per_call),
        "speed_up": many / one,
        "texts": [article.text for article in texts],
    }


# --- report ------------------------------------------------------------------------------------------------------


def _pct(share: float | None) -> str:
    return "n/a" if share is None else f"{share:.0%}"


def print_accuracy(rows: Sequence[Scores], pages: Sequence[Page], flagged: Sequence[str]) -> None:
    scored = sum(page.truth is not None for page in pages)
    print(
        f"\nAccuracy: {len(pages)} pages ({scored} with an annotated body: P/R/F1, F1sh; "
        f"{len(pages) - scored} with snippets: with/without); one process"
    )
    header = (
        f"{'setting':<30} {'P':>6} {'R':>6} {'F1':>6} {'F1 - presswatch':>22} {'F1sh':>6} {'empty':>5} "
        f"{'with':>7} {'without':>7} {'pg/s':>6}"
    )
    print(header)
    print("-" * len(header))
    reference = next(row for row in rows if row.name == PRESSWATCH)
    for row in rows:
        if row is reference:
            versus = ""
        else:
            low, high = f1_difference(row, reference)
            versus = f"{row.f1 - reference.f1:+.3f} [{low:+.3f},{high:+.3f}]"
        print(
            f"{row.name:<30} {row.precision:6.3f} {row.recall:6.3f} {row.f1:6.3f} {versus:>22} {row.f1_shingles:6.3f} "
            f"{row.empty:5d} {row.with_found:>3}/{row.with_total:<3} {row.without_absent:>3}/{row.without_total:<3} "
            f"{row.pages_per_s:6.1f}"
        )
    print("F1 - presswatch: the difference and its 95% paired-bootstrap interval over the annotated pages")
    print(f"presswatch flags {len(flagged)} page(s) as not an article (under {MIN_WORDS} words of main text):")
    for line in flagged:
        print(f"  {line}")


def print_speed(result: dict[str, Any]) -> None:
    print(
        f"\nSpeed: presswatch extraction, {result['pages']} pages, median of {result['reps']} runs, "
        f"{result['workers']} cores"
    )
    header = f"{'how':<52} {'pages/s':>8} {'other CPU':>9}"
    print(header)
    print("-" * len(header))
    print(f"{'1 core: extract_many(workers=1)':<52} {result['single']:8.1f} {_pct(result['single_others']):>9}")
    label = f"{result['workers']} cores: extract_many(pool=ExtractionPool) (warm)"
    print(f"{label:<52} {result['pooled']:8.1f} {_pct(result['pooled_others']):>9}")
    label = f"{result['workers']} cores: extract_many, pool started per call"
    print(f"{label:<52} {result['per_call']:8.1f} {_pct(result['per_call_others']):>9}")
    print(f"pool start-up and warm-up (not in the warm figure): {result['startup_s']:.2f} s")
    busiest = max((result[key] or 0.0) for key in ("single_others", "pooled_others"))
    if busiest > BUSY_MACHINE:
        print(
            f"WARNING: other processes used {busiest:.0%} of the CPU during the timed runs; the speed-up is "
            "understated. Re-run on a quiet machine before reading anything into it."
        )


def targets(rows: Sequence[Scores], result: dict[str, Any], annotated: int, quick: bool) -> list[Result]:
    """The two targets as results: F1 against bare trafilatura (with the paired-bootstrap interval of the
    difference; skipped without annotated pages) and the all-core speed-up."""
    by_name = {row.name: row for row in rows}
    ours, base = by_name[PRESSWATCH], by_name[BASELINE]
    tag = " (quick: indicative)" if quick else ""
    if annotated:
        low, high = f1_difference(ours, base)
        f1 = Result(
            f"extraction F1, presswatch vs bare trafilatura{tag}",
            f"{ours.f1:.3f} ({ours.f1 - base.f1:+.3f}, 95% paired bootstrap [{low:+.3f}, {high:+.3f}])",
            f">= {base.f1:.3f} (bare trafilatura)",
            f"trafilatura.extract defaults {base.f1:.3f}",
            ours.f1 >= base.f1,
            f"{annotated} pages with an annotated body; the presswatch row checked text for text against "
            "extract_article and the pool",
        )
    else:
        f1 = Result.skip(f"extraction F1, presswatch vs bare trafilatura{tag}", "no page with an annotated body")
    speed_up = Result(
        f"extraction speed-up, all cores / 1 core{tag}",
        f"{result['speed_up']:.2f}x on {result['workers']} cores, warm pool ({result['pooled']:.1f} pages/s)",
        f">= {SPEED_UP_TARGET:.2f}x",
        f"1 core {result['single']:.1f} pages/s",
        result["speed_up"] >= SPEED_UP_TARGET,
        f"{result['pages']} pages, median of {result['reps']}; other processes used "
        f"{_pct(result['single_others'])} / {_pct(result['pooled_others'])} of the CPU meanwhile",
    )
    return [f1, speed_up]


def print_targets(results: Sequence[Result]) -> None:
    print("\nTargets")
    for r in results:
        if r.passed is None:
            print(f"  {r.name}: skipped ({r.skipped})")
        else:
            print(f"  {r.name}: {r.figure}; target {r.target}: {'met' if r.passed else 'NOT met'}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help=f"every {QUICK_EVERY}rd page, 3 repetitions, no other candidates"
    )
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="folder with ground-truth.json")
    parser.add_argument("--reps", type=int, default=None, help="speed repetitions (default 5, --quick 3)")
    parser.add_argument("--results-dir", type=Path, default=RESULTS, help="where to write the record (JSON)")
    args = parser.parse_args(argv)
    tag = " (quick: indicative)" if args.quick else ""
    names = (f"extraction F1, presswatch vs bare trafilatura{tag}", f"extraction speed-up, all cores / 1 core{tag}")
    pages = load_pages(args.corpus, args.quick) if (args.corpus / "ground-truth.json").is_file() else []
    if not pages:
        why = f"no HTML corpus at {args.corpus} (needs ground-truth.json with pages)"
        print(f"extraction benchmark skipped: {why}")
        skipped = [Result.skip(name, why) for name in names]
        write_record("extraction", skipped, quick=args.quick, argv=argv, directory=args.results_dir)
        return 0
    reps = max(3, args.reps or (3 if args.quick else 5))
    print(
        f"corpus: {args.corpus} ({len(pages)} pages{', --quick' if args.quick else ''}); "
        f"trafilatura {trafilatura.__version__}; Python {sys.version.split()[0]}; {os.cpu_count()} cores",
        flush=True,
    )
    # Speed first, while neither this process nor the workers have seen the pages, so neither side profits more
    # from warm caches.
    result = speed(pages, reps)
    try:
        rows, flagged = accuracy(pages, candidates=not args.quick, pooled=result["texts"])
    except PipelineMismatch as exc:
        print(f"\nPIPELINE CHECK FAILED: {exc}", file=sys.stderr)
        return 2
    print_accuracy(rows, pages, flagged)
    print_speed(result)
    results = targets(rows, result, sum(page.truth is not None for page in pages), args.quick)
    print_targets(results)
    write_record("extraction", results, quick=args.quick, argv=argv, directory=args.results_dir)
    return exit_code(results)


if __name__ == "__main__":
    raise SystemExit(main())
