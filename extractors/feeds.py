"""Feed parsing: RSS/Atom/RDF/CDF (feedparser) or JSON Feed bytes in, our own `ParsedFeed` out.

Never fetches, never raises on bad input: a rejection is a `ParsedFeed` with an `error` reason code, and a feed
that was ill-formed but still yielded something comes back with `recovered=True` and the warning in `detail`.
"""

from __future__ import annotations

import calendar
import html
import json
import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urljoin

import feedparser
from feedparser.encodings import convert_to_utf8

from extractors.reasons import Reason
from extractors.types import FeedEntry, ParsedFeed
from extractors.urls import InvalidURLError, canonicalize_url

_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")
MAX_SUMMARY_CHARS = 2000

# Entity declarations, screened on the UTF-8 text feedparser itself will parse (so a UTF-16 or UTF-32 body
# cannot hide one). feedparser refuses external entities and nested expansion, but one large entity referenced
# many times ("quadratic blow-up") exhausted 2 GB in our measurements (DESIGN.md). Real feeds rarely declare
# entities; the few that do declare a short literal, which we let through with a bound on the total expansion.
_ENTITY_OPEN = re.compile(rb"<!ENTITY", re.IGNORECASE)
_ENTITY_DECL = re.compile(
    rb"""<!ENTITY\s+(?P<param>%\s+)?(?P<name>[^\s"'%>]+)\s+"""
    rb"""(?:(?P<external>SYSTEM|PUBLIC)\b|"(?P<dq>[^"]*)"|'(?P<sq>[^']*)')""",
    re.IGNORECASE,
)
_REFERENCE = re.compile(rb"&([A-Za-z_][\w.:-]*);")
_PREDEFINED = frozenset({b"amp", b"lt", b"gt", b"quot", b"apos"})
# Characters that declared entities may add by expansion: a feed of 10 MB (the fetch bound) using a short
# entity a few thousand times stays far below; the quadratic-blow-up shape (100 KB x 1,000) is 100 times above.
MAX_ENTITY_EXPANSION_CHARS = 1_000_000

# An entry dated more than this ahead of the parse time is a wrong clock or a wrong timezone, not news from the
# future; its date is dropped (the entry is kept) so that it cannot sort to the top of every report.
FUTURE_TOLERANCE = timedelta(days=1)

# feedparser's bozo exceptions that say "the encoding or media type was wrong" rather than "the XML is broken".
_ENCODING_WARNINGS = (
    feedparser.CharacterEncodingOverride,
    feedparser.CharacterEncodingUnknown,
    feedparser.NonXMLContentType,
)
_JSON_FEED_VERSIONS = {"https://jsonfeed.org/version/1": "json1", "https://jsonfeed.org/version/1.1": "json11"}
_ROOT = re.compile(rb"<([A-Za-z_][\w.:-]*)")
_MARKUP_SKIP = re.compile(rb"<!--.*?-->|<\?.*?\?>|<!\[CDATA\[.*?\]\]>|<![^>]*>", re.DOTALL)


def parse_feed(body: bytes, feed_url: str, content_type: str = "", *, now: datetime | None = None) -> ParsedFeed:
    """Parse a feed document. Rejections come back as `ParsedFeed(error=..., detail=...)`.

    `content_type` is the full Content-Type header (its charset matters: RFC 7303); `now` (default: the current
    UTC time) decides which entry dates lie in the future.
    """
    now = now or datetime.now(UTC)
    if not body.strip():
        return ParsedFeed(feed_url, error=Reason.EMPTY_FEED, detail="the response body is empty")
    if _looks_like_json(body, content_type):
        return _parse_json_feed(body, feed_url, now)
    headers = {"content-type": content_type} if content_type else {}
    text = _as_parsed(body, headers)
    refusal = _screen_entities(text)
    if refusal is not None:
        return ParsedFeed(feed_url, error=refusal[0], detail=refusal[1])
    try:
        parsed = feedparser.parse(body, response_headers=headers, sanitize_html=True, resolve_relative_uris=True)
    except Exception as exc:  # feedparser promises not to raise, but a third-party parser is untrusted input
        return ParsedFeed(feed_url, error=Reason.PARSE_ERROR, detail=f"{type(exc).__name__}: {exc}")

    version = parsed.get("version") or ""
    raw_entries = parsed.get("entries") or []
    feed_meta = parsed.get("feed") or {}
    bozo_exception = parsed.get("bozo_exception")
    bozo = bool(parsed.get("bozo"))
    # An HTML page parses with bozo = 0 and no version: check the version and entries, not only bozo. A CDF
    # channel (Microsoft's pre-RSS format) has no version in feedparser but is a feed all the same.
    if not version and feed_meta and _root_name(text) == "channel":
        version = "cdf"
    if not version and not raw_entries:
        reason = str(bozo_exception or "no RSS/Atom/RDF/CDF root element")
        return ParsedFeed(feed_url, error=Reason.NOT_A_FEED, detail=_one_line(reason))

    notes: list[str] = []
    if bozo:
        notes.append(_one_line(str(bozo_exception or "ill-formed")))
    entries, counts = _collect(raw_entries, feed_url, now)
    notes.extend(_count_notes(counts))
    syntax_broken = bozo and not isinstance(bozo_exception, _ENCODING_WARNINGS)
    if syntax_broken and not entries and counts["damaged"]:
        # The document broke off inside its entries (a link opened but never given a value): what it held is
        # lost, and the feed is recorded as failed rather than as an empty success.
        return ParsedFeed(feed_url, version=version, error=Reason.MALFORMED_FEED, detail="; ".join(notes))
    return ParsedFeed(
        feed_url=feed_url,
        title=_clean(feed_meta.get("title", "")),
        site_url=str(feed_meta.get("link", "")),
        version=version,
        entries=tuple(entries),
        detail="; ".join(notes),
        recovered=bozo,
        entries_without_link=counts["no_link"],
    )


def _collect(raw_entries: list[Any], feed_url: str, now: datetime) -> tuple[list[FeedEntry], Counter[str]]:
    entries: list[FeedEntry] = []
    seen: set[str] = set()
    counts: Counter[str] = Counter()
    for raw in raw_entries:
        link = _entry_link(raw)
        entry = _make_entry(
            feed_url,
            link,
            title=raw.get("title", ""),
            summary=raw.get("summary", ""),
            published_at=_entry_date(raw),
            author=raw.get("author", ""),
            guid=raw.get("id") or "",
            now=now,
            counts=counts,
        )
        if entry is None:
            if any(isinstance(c, dict) and not c.get("href") for c in raw.get("links") or []):
                counts["damaged"] += 1
            continue
        if entry.url in seen:
            continue
        seen.add(entry.url)
        entries.append(entry)
    return entries, counts


def _make_entry(
    feed_url: str,
    link: str,
    *,
    title: Any,
    summary: Any,
    published_at: datetime | None,
    author: Any,
    guid: Any,
    now: datetime,
    counts: Counter[str],
) -> FeedEntry | None:
    if not link:
        counts["no_link"] += 1
        return None
    link = urljoin(feed_url, link.strip())
    try:
        url = canonicalize_url(link)
    except InvalidURLError:
        counts["no_link"] += 1
        return None
    if published_at is not None and published_at > now + FUTURE_TOLERANCE:
        counts["future"] += 1
        published_at = None
    return FeedEntry(
        feed_url=feed_url,
        link=link,
        url=url,
        title=_clean(title)[:1000],
        summary=_clean(summary)[:MAX_SUMMARY_CHARS],
        published_at=published_at,
        author=_clean(author)[:300],
        guid=str(guid)[:2000],
    )


def _count_notes(counts: Counter[str]) -> list[str]:
    notes = []
    if counts["no_link"]:
        notes.append(f"{counts['no_link']} entries without a usable http(s) link")
    if counts["future"]:
        notes.append(f"{counts['future']} entries dated in the future; date ignored")
    return notes


def _entry_link(raw: Any) -> str:
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
    return str(link)


def _entry_date(raw: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = raw.get(key)
        if value:
            try:
                return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
            except (OverflowError, ValueError, TypeError, OSError):
                continue
    return None


def _screen_entities(text: bytes) -> tuple[str, str] | None:
    """Refuse the entity declarations that attack a parser; let short literal entities through."""
    if not _ENTITY_OPEN.search(text):
        return None
    declared = list(_ENTITY_DECL.finditer(text))
    sizes: dict[bytes, int] = {}
    for decl in declared:
        name = decl["name"]
        value = decl["dq"] if decl["dq"] is not None else decl["sq"]
        if decl["param"]:
            if value is not None:  # an internal parameter entity can declare further entities when referenced
                return Reason.ENTITY_EXPANSION, f"internal parameter entity %{_name(name)} declared; refused"
            continue  # an external parameter entity is never fetched (feedparser drops the DTD)
        if value is None:
            return Reason.EXTERNAL_ENTITY, f"entity &{_name(name)}; refers to an external resource; refused"
        nested = [r for r in _REFERENCE.findall(value) if r not in _PREDEFINED]
        if nested:
            return (
                Reason.ENTITY_EXPANSION,
                f"entity &{_name(name)}; refers to &{_name(nested[0])};: nested expansion (billion laughs); refused",
            )
        sizes[name] = len(value)
    if len(declared) != len(_ENTITY_OPEN.findall(text)):
        return Reason.ENTITY_DECLARATIONS, "an entity declaration could not be read; refused"
    references = Counter(r for r in _REFERENCE.findall(text) if r in sizes)
    expansion = sum(sizes[name] * count for name, count in references.items())
    if expansion > MAX_ENTITY_EXPANSION_CHARS:
        return (
            Reason.ENTITY_EXPANSION,
            f"declared entities would expand to {expansion:,} characters (limit {MAX_ENTITY_EXPANSION_CHARS:,})",
        )
    return None


def _as_parsed(body: bytes, headers: dict[str, str]) -> bytes:
    """The UTF-8 bytes feedparser's XML parsers will see (its own encoding detection: BOM, HTTP, declaration)."""
    try:
        text = convert_to_utf8(dict(headers), body, {})
    except Exception:  # feedparser itself would then fail on it; screening the raw bytes is the safe fallback
        return body
    return text if isinstance(text, bytes) else body


def _root_name(text: bytes) -> str:
    head = _MARKUP_SKIP.sub(b"", text[:65536])
    match = _ROOT.search(head)
    return match.group(1).decode("ascii", "replace").lower() if match else ""


def _looks_like_json(body: bytes, content_type: str) -> bool:
    start = body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    return start == b"{" or ("json" in content_type.lower() and start in (b"{", b"["))


def _parse_json_feed(body: bytes, feed_url: str, now: datetime) -> ParsedFeed:
    """JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1) into our types."""
    try:
        document = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        return ParsedFeed(feed_url, error=Reason.MALFORMED_FEED, detail=_one_line(f"invalid JSON: {exc}"))
    if not isinstance(document, dict):
        return ParsedFeed(feed_url, error=Reason.NOT_A_FEED, detail="a JSON document that is not a JSON Feed object")
    declared = str(document.get("version") or "")
    items = document.get("items")
    if not declared.startswith("https://jsonfeed.org/version/") or not isinstance(items, list):
        return ParsedFeed(
            feed_url, error=Reason.NOT_A_FEED, detail="a JSON document without a JSON Feed version and items"
        )
    counts: Counter[str] = Counter()
    entries: list[FeedEntry] = []
    seen: set[str] = set()
    for item in items:
        if not isinstance(item, dict):
            counts["no_link"] += 1
            continue
        link = item.get("url") or item.get("external_url") or ""
        entry = _make_entry(
            feed_url,
            link if isinstance(link, str) else "",
            title=item.get("title") or "",
            summary=item.get("summary") or item.get("content_text") or item.get("content_html") or "",
            published_at=_json_date(item.get("date_published") or item.get("date_modified")),
            author=_json_author(item) or _json_author(document),
            guid=item.get("id") or "",
            now=now,
            counts=counts,
        )
        if entry is not None and entry.url not in seen:
            seen.add(entry.url)
            entries.append(entry)
    notes = _count_notes(counts)
    version = _JSON_FEED_VERSIONS.get(declared.rstrip("/"), "json")
    if version == "json":
        notes.insert(0, f"unknown JSON Feed version {declared}")
    return ParsedFeed(
        feed_url=feed_url,
        title=_clean(document.get("title") or ""),
        site_url=str(document.get("home_page_url") or ""),
        version=version,
        entries=tuple(entries),
        detail="; ".join(notes),
        entries_without_link=counts["no_link"],
    )


def _json_author(obj: dict[str, Any]) -> str:
    authors = obj.get("authors")
    if isinstance(authors, list):
        names = [str(a.get("name")) for a in authors if isinstance(a, dict) and a.get("name")]
        if names:
            return ", ".join(names)
    author = obj.get("author")  # JSON Feed 1.0
    if isinstance(author, dict) and author.get("name"):
        return str(author["name"])
    return ""


def _json_date(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        when = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:  # RFC 3339 requires an offset; a missing one is read as UTC rather than guessed
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC)


def _name(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")[:80]


def _clean(value: Any) -> str:
    text = html.unescape(_TAG.sub(" ", str(value or "")))
    return _SPACE.sub(" ", text).strip()


def _one_line(text: str) -> str:
    return _SPACE.sub(" ", text).strip()[:500]
