"""Small value types shared by the extractors and the rest of presswatch."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One item of an RSS/Atom feed, in our own terms (nothing downstream sees feedparser's dicts)."""

    feed_url: str
    link: str  # as written in the feed (absolute)
    url: str  # canonical form of `link`: the key the warehouse dedupes on
    title: str = ""
    summary: str = ""
    published_at: datetime | None = None  # timezone-aware UTC
    author: str = ""
    guid: str = ""


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    feed_url: str
    title: str = ""
    site_url: str = ""
    version: str = ""  # "rss20", "atom10", ... as detected
    entries: tuple[FeedEntry, ...] = ()
    error: str | None = None  # reason code when the feed was rejected, e.g. "not_a_feed"
    detail: str = ""  # human-readable explanation
    recovered: bool = False  # ill-formed but entries were recovered
    entries_without_link: int = 0  # entries read but left out: no usable http(s) link (counted in `detail` too)


@dataclass(frozen=True, slots=True)
class FetchResult:
    url: str  # requested URL
    final_url: str  # after redirects
    status: int | None  # HTTP status, None when no response arrived
    content_type: str = ""
    body: bytes = b""
    etag: str | None = None
    last_modified: str | None = None
    error: str | None = None  # reason code: "http_404", "timeout", "too_large", "robots_disallowed", ...
    detail: str = ""
    elapsed_s: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclass(frozen=True, slots=True)
class Article:
    """Text and metadata extracted from one article page."""

    url: str
    status: str  # "ok" | "too_short" | "empty"
    text: str = ""
    title: str = ""
    author: str = ""
    published_date: str | None = None  # ISO date found in the page, if any
    site_name: str = ""
    description: str = ""
    language: str | None = None  # from <html lang> / meta, normalised to ISO-639-1 when possible
    word_count: int = 0
    detail: str = ""
