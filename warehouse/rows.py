"""The warehouse's rows as types: what the ingest stages hand to warehouse/store.py and get back from it.

Types only, no I/O (flows/ and warehouse/store.py import it; it imports nothing of ours). Each dataclass's fields
are its table's columns, by name and in the table's order, so the columns are named here and nowhere else:
warehouse/store.py builds its Arrow tables and its SELECT lists from these fields. `ArticleText` is the part of an
article that classification reads.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Literal

FetchStatus = Literal["pending", "fetched", "failed"]
DateSource = Literal["feed", "page", "discovered"]
TextSource = Literal["page", "feed_summary"]


# kw_only: the fields follow the table's column order, NOT NULL columns (no default) among nullable ones.
@dataclass(frozen=True, slots=True, kw_only=True)
class ArticleRow:
    """One row of `articles` (docs/schema.md): an article as discovery, fetching, extraction and story assignment
    leave it. Stages change it with `dataclasses.replace`."""

    url: str  # canonical URL: the key every stage dedupes on
    link: str  # as the feed wrote it
    feed_url: str
    host: str
    feed_title: str | None = None
    feed_summary: str | None = None
    feed_author: str | None = None
    feed_published_at: datetime | None = None
    discovered_at: datetime
    fetch_status: FetchStatus
    fetch_attempts: int = 0
    fetched_at: datetime | None = None
    final_url: str | None = None
    http_status: int | None = None
    fetch_error: str | None = None  # reason code, e.g. http_404, robots_disallowed
    fetch_detail: str | None = None
    extract_status: str | None = None  # "ok" | "too_short" | "empty" (extractors.types.Article.status)
    extract_detail: str | None = None
    outlet: str | None = None
    title: str | None = None
    author: str | None = None
    description: str | None = None
    published_at: datetime | None = None  # the best date known, see date_source
    date_source: DateSource | None = None
    language: str | None = None
    text: str | None = None
    text_source: TextSource | None = None
    word_count: int | None = None
    content_hash: str | None = None
    story_id: str | None = None  # URL of the earliest-seen copy of the story
    sketch: tuple[int, ...] | None = None  # near-duplicate sketch of `text` (extractors/dedupe.py)


@dataclass(frozen=True, slots=True, kw_only=True)
class PageRow:
    """One row of `pages`: an article's raw page, compressed (`[warehouse] keep_html`)."""

    url: str
    fetched_at: datetime
    content_type: str | None
    compression: str  # "zlib"
    bytes: int  # size before compression
    body: builtins.bytes  # `bytes` in this class is the field above


@dataclass(frozen=True, slots=True)
class StoredPage:
    """An article with its stored page, as `presswatch reextract` reads them: the page's body still compressed."""

    article: ArticleRow
    compression: str
    body: bytes


@dataclass(frozen=True, slots=True)
class ArticleText:
    """What classification reads of a stored article (`presswatch reclassify`, the ingest's backlog)."""

    url: str
    title: str | None
    text: str
    language: str | None
    feed_url: str


ARTICLE_COLUMNS = tuple(f.name for f in fields(ArticleRow))
PAGE_COLUMNS = tuple(f.name for f in fields(PageRow))
TEXT_COLUMNS = tuple(f.name for f in fields(ArticleText))
