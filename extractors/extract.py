"""Article extraction: HTML bytes in, `Article` out (trafilatura). Pure: never fetches."""

from __future__ import annotations

import os
import re
import signal
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing import get_context
from types import MappingProxyType, TracebackType
from typing import Any, TypeVar

import trafilatura

from extractors.types import Article

_T = TypeVar("_T")

# trafilatura's options for every extraction presswatch makes, in one place: the pipeline (`extract_article`) and
# the benchmarks (bench/extraction.py, bench/ingest.py) pass exactly these, so that "the same call" holds by
# construction rather than by copy.
# What presswatch fixes whatever the tuning: metadata is stored, comments are never article text, and dates come
# from the page's markup without the slow extensive search. bench/extraction.py varies only the other options.
FIXED_OPTIONS: Mapping[str, Any] = MappingProxyType(
    {
        "with_metadata": True,
        "include_comments": False,
        "date_extraction_params": MappingProxyType({"extensive_search": False, "original_date": True}),
    }
)
# The tuned choice, from the candidates bench/extraction.py scores on real pages (docs/extraction.md says why).
TUNED_OPTIONS: Mapping[str, Any] = MappingProxyType({"include_tables": True, "favor_precision": True})
TRAFILATURA_OPTIONS: Mapping[str, Any] = MappingProxyType({**FIXED_OPTIONS, **TUNED_OPTIONS})

# Below this many words a page is a teaser, a paywall or an index page, not an article: such pages fall back to
# the feed summary and are flagged. 80 words is about one short paragraph; the shortest real news briefs we
# want to keep (wire "snaps") run to 100+.
MIN_WORDS = 80
# A pool started for one call pays its start-up (spawn, imports, warm-up) and about 185 MB per worker, which a
# batch repays only from some tens of pages (start-up and pages/s: `python -m bench.extraction`,
# bench/results/extraction.json). 200 keeps small runs (the demo, tests, a quiet hour of feeds) in one process;
# callers with many batches should keep an ExtractionPool.
POOL_MIN_PAGES = 200
# Pages per task sent to a pool worker. With the largest pages sent first, chunks of 1 to 8 measured the same
# within the noise (1.7-2.0x on 2 cores, docs/extraction.md); 2 keeps the per-task overhead small and the last
# tasks short, so neither worker waits long for the other at the end of a batch.
POOL_CHUNKSIZE = 2
# Enough of an article for trafilatura to take its usual path (main text, metadata and date lookup) once.
_WARM_UP_PAGE = (
    b"<html lang='en'><head><title>Warm-up</title>"
    b"<meta property='article:published_time' content='2015-08-11T10:00:00Z'></head><body>"
    b"<nav><a href='/'>Home</a></nav><article><h1>Warm-up</h1><p>Published 11 August 2015.</p>"
    + b"<p>This paragraph exists so that the extractor has some main text to find and keep.</p>" * 8
    + b"</article><footer>All rights reserved</footer></body></html>"
)
_LANG_ATTR = re.compile(rb"<html\b[^>]*?\blang\s*=\s*[\"']?([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]+)?", re.IGNORECASE)
_META_LANG = re.compile(
    rb"<meta\b[^>]*?(?:http-equiv\s*=\s*[\"']?content-language|property\s*=\s*[\"']og:locale)[^>]*?"
    rb"content\s*=\s*[\"']?([A-Za-z]{2,3})",
    re.IGNORECASE,
)


def extract_article(html: bytes, url: str) -> Article:
    """Extract main text and metadata from one page; boilerplate (menus, comments, related links) is left out."""
    try:
        doc = trafilatura.bare_extraction(html, url=url, **TRAFILATURA_OPTIONS)
    except Exception as exc:  # trafilatura/lxml on hostile markup; one page must not stop a batch
        return Article(url=url, status="empty", detail=f"extraction failed: {type(exc).__name__}: {exc}")
    if doc is None:
        return Article(url=url, status="empty", detail="no main text found", language=page_language(html))
    data = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    text = (data.get("text") or "").strip()
    words = word_count(text)
    status = "ok" if words >= MIN_WORDS else ("too_short" if words else "empty")
    return Article(
        url=url,
        status=status,
        text=text,
        title=(data.get("title") or "").strip(),
        author=(data.get("author") or "").strip(),
        published_date=data.get("date") or None,
        site_name=(data.get("sitename") or "").strip(),
        description=(data.get("description") or "").strip(),
        language=page_language(html),
        word_count=words,
        detail="" if status == "ok" else f"{words} words of main text (minimum {MIN_WORDS})",
    )


# Han, Hiragana, Katakana and Hangul: scripts written without spaces between words.
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
# Chinese and Japanese average about 1.5-2 characters per word; counting two characters as a word keeps the
# "too short" threshold meaning about the same amount of text in every script.
CJK_CHARS_PER_WORD = 2


def word_count(text: str) -> int:
    """Words in `text`: whitespace-separated tokens, with runs of CJK characters counted per two characters."""
    cjk = len(_CJK.findall(text))
    if not cjk:
        return len(text.split())
    return len(_CJK.sub(" ", text).split()) + cjk // CJK_CHARS_PER_WORD


def page_language(html: bytes) -> str | None:
    """The language the page declares (<html lang>, Content-Language, og:locale), as ISO-639-1 when it is one."""
    head = html[:16384]
    for pattern in (_LANG_ATTR, _META_LANG):
        match = pattern.search(head)
        if match:
            return match.group(1).decode("ascii").lower()
    return None


class ExtractionPool:
    """Worker processes that have paid their start-up costs, reusable across batches (`extract_many(pool=...)`).

    Starting the pool and warming each worker happens once, in the constructor; close it (or use `with`) when done.
    `setup(*setup_args)` runs in each worker after the warm-up: callers that `submit` their own functions (which
    do more than extract, e.g. classify) load what those need there once, instead of sending it with every task.
    """

    def __init__(
        self,
        workers: int | None = None,
        *,
        wait: bool = True,
        setup: Callable[..., None] | None = None,
        setup_args: tuple[Any, ...] = (),
    ) -> None:
        self.workers = max(1, workers or os.cpu_count() or 1)
        # spawn, not fork: the parent runs Prefect's threads, and forking a threaded process can deadlock.
        self._executor = ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=get_context("spawn"),
            initializer=_warm_up,
            initargs=(setup, setup_args),
        )
        self._starter: threading.Thread | None = None
        if wait:
            self.wait_ready()
        else:
            # The executor only starts a worker when a task finds none idle, and starting one blocks the caller until
            # the new process has read its set-up (the pool's start-up in `python -m bench.extraction`; longer with a
            # run's rule sets). A thread starts them
            # now, so they warm up while the caller goes on (fetching the first pages, reading feeds).
            self._starter = threading.Thread(target=self._start_workers, name="presswatch-pool-start", daemon=True)
            self._starter.start()

    def wait_ready(self, timeout_s: float = 60.0) -> bool:
        """Start every worker and return once each has run its warm-up (False if that took over `timeout_s`)."""
        # The executor spawns a worker per submitted task while none is idle, and a worker runs `_warm_up` before
        # its first task, so a probe answered by every worker's pid proves the whole pool is warm. Probes sleep a
        # little so that a worker that is already warm cannot drain them all while another is still warming up.
        deadline = time.monotonic() + timeout_s
        seen: set[int] = set()
        while len(seen) < self.workers:
            if time.monotonic() > deadline:
                return False
            probes = [self._executor.submit(_worker_pid) for _ in range(self.workers)]
            seen.update(probe.result() for probe in probes)
        return True

    def _start_workers(self) -> None:
        try:
            for _ in range(self.workers):
                self._executor.submit(_worker_pid)
        except RuntimeError:  # closed before its workers started
            pass

    def extract(self, pages: Sequence[tuple[bytes, str]]) -> list[Article]:
        """Extract `pages` on the pool's workers; keeps input order."""
        # Largest pages first, in small chunks: page size predicts extraction time well enough that this keeps
        # both workers busy to the end instead of leaving one finishing a chunk of big pages alone.
        order = sorted(range(len(pages)), key=lambda i: len(pages[i][0]), reverse=True)
        results = self._executor.map(
            extract_article,
            [pages[i][0] for i in order],
            [pages[i][1] for i in order],
            chunksize=POOL_CHUNKSIZE,
        )
        by_position = dict(zip(order, results, strict=True))
        return [by_position[i] for i in range(len(pages))]

    def submit(self, fn: Callable[..., _T], /, *args: Any) -> Future[_T]:
        """Run `fn(*args)` on a worker (a module-level function, its arguments picklable); tasks start in order."""
        return self._executor.submit(fn, *args)

    def close(self) -> None:
        if self._starter is not None:
            self._starter.join()
        self._executor.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> ExtractionPool:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def _warm_up(setup: Callable[..., None] | None = None, setup_args: tuple[Any, ...] = ()) -> None:
    """Pool initializer: a worker's one-off costs (lazy imports, first date lookup) fall in the pool's start-up.

    Workers ignore Ctrl-C: the terminal sends it to the whole process group, and the parent, which decides what an
    interruption means, stops them itself (a worker's KeyboardInterrupt would only print a traceback)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    extract_article(_WARM_UP_PAGE, "https://warm-up.invalid/2015/08/11/warm-up.html")
    if setup is not None:
        setup(*setup_args)


def _worker_pid() -> int:
    time.sleep(0.02)
    return os.getpid()


def extract_many(
    pages: Sequence[tuple[bytes, str]],
    *,
    workers: int | None = None,
    pool_min_pages: int = POOL_MIN_PAGES,
    pool: ExtractionPool | None = None,
) -> list[Article]:
    """Extract many pages, on all cores when the batch is large enough to pay for the pool. Keeps input order.

    With `pool`, its warm workers take any batch of two or more pages (`workers` and `pool_min_pages` are then
    ignored): callers that extract batch after batch should keep one `ExtractionPool` open for all of them.
    """
    if pool is not None and len(pages) > 1:
        return pool.extract(pages)
    workers = workers or os.cpu_count() or 1
    if workers <= 1 or len(pages) < pool_min_pages:
        return [extract_article(html, url) for html, url in pages]
    with ExtractionPool(workers, wait=False) as temporary:
        return temporary.extract(pages)
