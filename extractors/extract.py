"""Article extraction: HTML bytes in, `Article` out (trafilatura). Pure: never fetches."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

import trafilatura

from extractors.types import Article

# Below this many words a page is a teaser, a paywall or an index page, not an article: such pages fall back to
# the feed summary and are flagged. 80 words is about one short paragraph; the shortest real news briefs we
# want to keep (wire "snaps") run to 100+.
MIN_WORDS = 80
# A process pool costs about 2-3 s to start (each worker imports trafilatura and warms its date parser), while
# one page takes about 26 ms: below this many pages the pool costs more than it saves.
POOL_MIN_PAGES = 200
_LANG_ATTR = re.compile(rb"<html\b[^>]*?\blang\s*=\s*[\"']?([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]+)?", re.IGNORECASE)
_META_LANG = re.compile(
    rb"<meta\b[^>]*?(?:http-equiv\s*=\s*[\"']?content-language|property\s*=\s*[\"']og:locale)[^>]*?"
    rb"content\s*=\s*[\"']?([A-Za-z]{2,3})",
    re.IGNORECASE,
)


def extract_article(html: bytes, url: str) -> Article:
    """Extract main text and metadata from one page; boilerplate (menus, comments, related links) is left out."""
    try:
        doc = trafilatura.bare_extraction(
            html,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            favor_precision=True,
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    except Exception as exc:  # trafilatura/lxml on hostile markup; one page must not stop a batch
        return Article(url=url, status="empty", detail=f"extraction failed: {type(exc).__name__}: {exc}")
    if doc is None:
        return Article(url=url, status="empty", detail="no main text found", language=page_language(html))
    data = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    text = (data.get("text") or "").strip()
    words = len(text.split())
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


def page_language(html: bytes) -> str | None:
    """The language the page declares (<html lang>, Content-Language, og:locale), as ISO-639-1 when it is one."""
    head = html[:16384]
    for pattern in (_LANG_ATTR, _META_LANG):
        match = pattern.search(head)
        if match:
            return match.group(1).decode("ascii").lower()
    return None


def extract_many(
    pages: Sequence[tuple[bytes, str]], *, workers: int | None = None, pool_min_pages: int = POOL_MIN_PAGES
) -> list[Article]:
    """Extract many pages, on all cores when the batch is large enough to pay for the pool. Keeps input order."""
    workers = workers or os.cpu_count() or 1
    if workers <= 1 or len(pages) < pool_min_pages:
        return [extract_article(html, url) for html, url in pages]
    # spawn, not fork: the parent runs Prefect's threads, and forking a threaded process can deadlock.
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
        htmls = [html for html, _ in pages]
        urls = [url for _, url in pages]
        return list(pool.map(extract_article, htmls, urls, chunksize=8))
