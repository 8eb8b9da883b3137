"""Stages over what the warehouse already holds, with nothing fetched: classifying stored text and extracting
stored raw pages again.

`presswatch reclassify` and `presswatch reextract` run them (flows/cli.py), and the ingest's backlog classifies
text left without a current result (flows/ingest.py). The ingest imports this module, never the other way round.
No Prefect: these are plain functions, and the commands that run them start without it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from functools import partial

from extractors.extract import ExtractionPool
from flows import pipeline, progress
from flows.writes import BATCH_SIZE, write_articles
from stance.rules import RuleSet
from warehouse import store
from warehouse.db import Location, connect
from warehouse.rows import StoredPage

# Texts per classification batch: classifying needs no pages in memory, so a batch can be larger than an
# ingest's (its results are still written in one transaction).
CLASSIFY_BATCH = BATCH_SIZE * 5


def classify_stored(
    warehouse_path: Location,
    rulesets: Sequence[RuleSet],
    *,
    force: bool = False,
    feed_topics: Mapping[str, frozenset[str]] | None = None,
) -> int:
    """(Re)classify stored text in batches; without `force`, only text lacking a current-version result. Articles
    of feeds limited to some topics (`feed_topics`) are classified for those only. Returns how many (article,
    topic) results were written."""
    done = 0
    for ruleset in rulesets:
        if force:
            with connect(warehouse_path) as con:
                progress.start(f"classify {ruleset.topic}", store.count_rows(con, "articles", "text IS NOT NULL"))
        offset, after = 0, ""
        while True:
            with connect(warehouse_path) as con:
                if force:
                    rows = store.stored_texts(con, limit=CLASSIFY_BATCH, offset=offset)
                else:
                    rows = store.unclassified_articles(
                        con, ruleset.topic, ruleset.version, limit=CLASSIFY_BATCH, after=after
                    )
            if not rows:
                break
            offset += len(rows)
            after = rows[-1].url
            results = pipeline.classify_rows([ruleset], rows, feed_topics)
            progress.advance(f"classify {ruleset.topic}", len(rows))
            with connect(warehouse_path) as con:
                store.atomically(con, partial(store.save_classifications, con, results, pipeline.now_utc()))
            done += len(results)
    return done


def reextract_stored(
    warehouse_path: Location,
    rulesets: Sequence[RuleSet],
    *,
    batch_size: int = BATCH_SIZE,
    feed_topics: Mapping[str, frozenset[str]] | None = None,
) -> int:
    """Rebuild text, metadata, stories and classifications from the stored raw pages (no fetching). Returns how
    many pages were extracted again."""
    done = 0
    after = ""
    with connect(warehouse_path) as con:
        total = store.count_rows(con, "pages")
    progress.start("re-extract", total)
    with pipeline.run_pool(total) as pool:
        while True:
            with connect(warehouse_path) as con:
                stored = store.stored_pages(con, after, batch_size)
            if not stored:
                return done
            done += _reextract_batch(warehouse_path, rulesets, stored, pool, feed_topics)
            after = stored[-1].article.url
            progress.advance("re-extract", len(stored))
    return done


def _reextract_batch(
    warehouse_path: Location,
    rulesets: Sequence[RuleSet],
    stored: list[StoredPage],
    pool: ExtractionPool | None,
    feed_topics: Mapping[str, frozenset[str]] | None = None,
) -> int:
    extracted = pipeline.extract_rows([pipeline.stored_page(page) for page in stored], pool=pool)
    results = pipeline.classify_rows(rulesets, extracted, feed_topics)
    with connect(warehouse_path) as con, store.transaction(con):
        # Stories are assigned afresh: the new text may no longer be a copy of what it was a copy of.
        write_articles(con, [replace(row, story_id=None) for row in extracted])
        store.save_classifications(con, results, pipeline.now_utc())
    return len(stored)
