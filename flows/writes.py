"""How processed articles reach the warehouse: their raw pages, rows, stories, sketches and classifications,
a batch at a time, each part in its transaction.

The one place these writes are put together. The ingest's articles phase and its backlog (flows/ingest.py) and the
re-extraction of stored pages (flows/stored.py) all write through it, so that an article is stored the same way
whichever of them produced it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from extractors.dedupe import MIN_SHARED, STORY_WINDOW
from flows import pipeline
from flows.pipeline import ArticleInFlight
from stance.model import StanceResult
from warehouse import store
from warehouse.rows import ArticleRow

# Articles per batch (one warehouse transaction each): big enough that a transaction's fixed costs (tens of ms)
# vanish, small enough that the few batches in flight (flows/articles.py) hold tens of MB of pages and a killed
# run loses little work.
BATCH_SIZE = 200


def write_batch(
    con: Any, articles: Sequence[ArticleInFlight], results: list[tuple[str, StanceResult]], keep_html: bool
) -> int:
    """Raw pages of one batch, then its articles, stories and classifications, each in one transaction. Pages go
    first: a run killed between the two leaves pages of articles still pending, which the next run fetches and
    stores again, never a stored article without its page. On the shared store a transaction another writer made
    fail is written again (store.atomically); returns how many retries that took."""
    at = pipeline.now_utc()
    pages = pipeline.page_rows(articles) if keep_html else []
    retries = 0
    if pages:
        retries += store.atomically(con, lambda: store.save_pages(con, pages))

    def articles_and_stances() -> None:
        write_articles(con, [article.row for article in articles])
        store.save_classifications(con, results, at)

    return retries + store.atomically(con, articles_and_stances)


def write_articles(con: Any, rows: Sequence[ArticleRow]) -> None:
    """Assign stories (wire copies) against what is stored, then save rows and sketches; inside a transaction."""
    sketches = {row.url: row.sketch for row in rows if row.sketch}
    seen = {row.url: row.discovered_at for row in rows}
    since = min((seen[url] for url in sketches), default=None)
    candidates = store.story_candidates(con, sketches, MIN_SHARED, since - STORY_WINDOW) if since is not None else {}
    # Only articles stored with a story before (re-extraction, the backlog) have sketch rows to replace; a new
    # article's are appended.
    resketched = store.sketched_urls(con, [row.url for row in rows])
    store.save_articles(con, pipeline.apply_stories(rows, candidates))
    store.save_sketches(con, sketches, seen, resketched)
