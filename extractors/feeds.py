"""Feed parsing: RSS/Atom bytes in, our own `ParsedFeed` out. Never fetches, never raises on bad input."""

from __future__ import annotations

import calendar
import html
import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import feedparser

from extractors.types import FeedEntry, ParsedFeed
from extractors.urls import InvalidURLError, canonicalize_url

# feedparser resists billion-laughs and external entities, but one large entity repeated ("quadratic blow-up")
# exhausted 2 GB in our measurements (DESIGN.md). Real feeds do not declare entities, so refuse any that do.
_ENTITY_DECL = re.compile(rb"<!ENTITY", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")
MAX_SUMMARY_CHARS = 2000


def parse_feed(body: bytes, feed_url: str, content_type: str = "") -> ParsedFeed:
    """Parse a feed document. Rejections come back as `ParsedFeed(error=..., detail=...)`."""
    if not body.strip():
        return ParsedFeed(feed_url, error="empty_feed", detail="the response body is empty")
    if _ENTITY_DECL.search(body):
        return ParsedFeed(feed_url, error="entity_declarations", detail="the document declares XML entities; refused")
    headers = {"content-type": content_type} if content_type else {}
    try:
        parsed = feedparser.parse(body, response_headers=headers, sanitize_html=True, resolve_relative_uris=True)
    except Exception as exc:  # feedparser promises not to raise, but a third-party parser is untrusted input
        return ParsedFeed(feed_url, error="parse_error", detail=f"{type(exc).__name__}: {exc}")

    version = parsed.get("version") or ""
    raw_entries = parsed.get("entries") or []
    bozo = bool(parsed.get("bozo"))
    # An HTML page parses with bozo = 0 and no version: check the version and entries, not only bozo.
    if not version and not raw_entries:
        reason = str(parsed.get("bozo_exception") or "no RSS/Atom/RDF root element")
        return ParsedFeed(feed_url, error="not_a_feed", detail=_one_line(reason))

    feed_meta = parsed.get("feed") or {}
    entries: list[FeedEntry] = []
    seen: set[str] = set()
    skipped = 0
    for raw in raw_entries:
        entry = _to_entry(raw, feed_url)
        if entry is None:
            skipped += 1
            continue
        if entry.url in seen:
            continue
        seen.add(entry.url)
        entries.append(entry)
    detail = ""
    if bozo:
        detail = _one_line(str(parsed.get("bozo_exception") or "ill-formed"))
    if skipped:
        detail = (detail + "; " if detail else "") + f"{skipped} entries without a usable http(s) link"
    if not entries and bozo:
        return ParsedFeed(feed_url, version=version, error="malformed_feed", detail=detail or "no entries")
    return ParsedFeed(
        feed_url=feed_url,
        title=_clean(feed_meta.get("title", "")),
        site_url=str(feed_meta.get("link", "")),
        version=version,
        entries=tuple(entries),
        detail=detail,
        recovered=bozo,
    )


def _to_entry(raw: Any, feed_url: str) -> FeedEntry | None:
    link = raw.get("link") or ""
    if not link:
        for candidate in raw.get("links") or []:
            if candidate.get("rel", "alternate") == "alternate" and candidate.get("href"):
                link = candidate["href"]
                break
    if not link:
        guid = raw.get("id") or ""
        if raw.get("guidislink") or str(guid).startswith(("http://", "https://")):
            link = guid
    if not link:
        return None
    link = urljoin(feed_url, str(link).strip())
    try:
        url = canonicalize_url(link)
    except InvalidURLError:
        return None
    return FeedEntry(
        feed_url=feed_url,
        link=link,
        url=url,
        title=_clean(raw.get("title", ""))[:1000],
        summary=_clean(raw.get("summary", ""))[:MAX_SUMMARY_CHARS],
        published_at=_entry_date(raw),
        author=_clean(raw.get("author", ""))[:300],
        guid=str(raw.get("id") or "")[:2000],
    )


def _entry_date(raw: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = raw.get(key)
        if value:
            try:
                return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
            except (OverflowError, ValueError, TypeError):
                continue
    return None


def _clean(value: Any) -> str:
    text = html.unescape(_TAG.sub(" ", str(value or "")))
    return _SPACE.sub(" ", text).strip()


def _one_line(text: str) -> str:
    return _SPACE.sub(" ", text).strip()[:500]
