"""Feed management: the config's feeds plus those added from the CLI or OPML (kept in the warehouse)."""

from __future__ import annotations

import ipaddress
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from email.utils import format_datetime
from urllib.parse import urlsplit
from xml.sax.saxutils import quoteattr

from flows.errors import PresswatchError
from flows.settings import FeedConfig, Settings
from warehouse import feeds as stored
from warehouse.analyst import QueryResult
from warehouse.db import connect, exists
from warehouse.feeds import HEALTH_COLUMNS

_ENTITY_OR_DOCTYPE = re.compile(r"<!(ENTITY|DOCTYPE)", re.IGNORECASE)


def watched_feeds(settings: Settings) -> list[FeedConfig]:
    """The feeds an ingest fetches: the config's, then active ones added with `feeds add`/`import`."""
    feeds = list(settings.feeds)
    if exists(settings.store):
        with connect(settings.store) as con:
            added = stored.added_feeds(con)
        known = {f.url for f in feeds}
        feeds += [FeedConfig(url=u, name=n) for u, n in added if u not in known]
    return feeds


def feed_health(settings: Settings) -> QueryResult:
    rows: dict[str, tuple[object, ...]] = {}
    for feed in settings.feeds:
        rows[feed.url] = (feed.url, feed.name, "config", True, None, None, 0, None, None, 0, None)
    if exists(settings.store):
        with connect(settings.store, read_only=True) as con:
            for row in stored.health_rows(con):
                url, source = row[0], row[2]
                if source == "config" and url not in rows:
                    continue  # no longer in the config: not watched
                if url in rows:
                    row = (url, rows[url][1] or row[1], "config", True, *row[4:])
                rows[url] = tuple(row)
    return QueryResult(HEALTH_COLUMNS, (), list(rows.values()))


def check_feed_url(url: str) -> list[str]:
    """Refuse what cannot be a feed address (PresswatchError); return warnings about what may be a mistake."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise PresswatchError(f"not an http(s) feed URL: {url!r}")
    host = parts.hostname or ""
    if not host or any(ch.isspace() for ch in url) or not _HOST.fullmatch(host):
        raise PresswatchError(f"not a valid feed URL (the host is missing or has invalid characters): {url!r}")
    try:
        parts.port  # noqa: B018 - raises for a port that is not a number
    except ValueError:
        raise PresswatchError(f"not a valid feed URL (bad port): {url!r}") from None
    warnings = []
    if parts.username or parts.password:
        warnings.append("the URL carries a user name or password: it is stored in the warehouse and in exports")
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        address = None
    if host == "localhost" or (address is not None and not address.is_global):
        warnings.append(
            f"{host} is a private or local address: ingest refuses it unless [fetch] allow_private_networks = true "
            "or allowed_private_hosts lists it"
        )
    return warnings


# Host names: letters (any script), digits, hyphens and dots; IPv6 literals in brackets are parsed by urlsplit.
_HOST = re.compile(r"[\w\-.]+|\[?[0-9a-f:.]+\]?", re.IGNORECASE)


def add_feed(settings: Settings, url: str, name: str = "", source: str = "cli") -> str:
    url = url.strip()
    check_feed_url(url)
    if any(f.url == url for f in settings.feeds):
        return f"already watched (in {settings.config_path}): {url}"
    with connect(settings.store) as con:
        active = stored.watched(con, url)
        if active is None:
            stored.insert_feed(con, url, name or None, source, datetime.now(UTC))
            return f"added {url}"
        if active:
            return f"already watched: {url}"
        stored.set_watched(con, url, True, name or None)
        return f"watching again: {url}"


def remove_feed(settings: Settings, url: str) -> str:
    if any(f.url == url for f in settings.feeds):
        raise PresswatchError(f"{url} is listed in {settings.config_path}: remove it there")
    with connect(settings.store) as con:
        if not stored.watched(con, url):
            raise PresswatchError(f"not a watched feed: {url}")
        # Kept, not deleted: its articles and fetch history stay, and `feeds add` resumes it.
        stored.set_watched(con, url, False)
    return f"removed {url} (its articles stay in the warehouse)"


def parse_opml(text: str, source: str) -> list[FeedConfig]:
    if _ENTITY_OR_DOCTYPE.search(text):
        raise PresswatchError(f"{source}: OPML with a DOCTYPE or entity declarations is refused")
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise PresswatchError(f"{source}: not well-formed OPML: {exc}") from None
    if root.tag != "opml":
        raise PresswatchError(f"{source}: root element is <{root.tag}>, not <opml>")
    feeds = []
    for outline in root.iter("outline"):
        url = (outline.get("xmlUrl") or "").strip()
        if url:
            feeds.append(FeedConfig(url=url, name=(outline.get("title") or outline.get("text") or "").strip()))
    return feeds


def import_opml(settings: Settings, text: str, source: str) -> str:
    feeds = parse_opml(text, source)
    added = skipped = 0
    for feed in feeds:
        try:
            check_feed_url(feed.url)
        except PresswatchError:
            skipped += 1  # one bad outline does not stop the import; the count says how many were left out
            continue
        message = add_feed(settings, feed.url, feed.name, source="opml")
        added += message.startswith(("added", "watching again"))
    already = len(feeds) - added - skipped
    return f"{len(feeds)} feeds in {source}: {added} added, {already} already watched, {skipped} not valid http(s) URLs"


def export_opml(settings: Settings) -> str:
    now = format_datetime(datetime.now(UTC), usegmt=True)
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<opml version="2.0">',
        "  <head>",
        "    <title>presswatch feeds</title>",
        f"    <dateCreated>{now}</dateCreated>",
        "  </head>",
        "  <body>",
    ]
    for feed in watched_feeds(settings):
        label = quoteattr(feed.name or feed.url)
        lines.append(f'    <outline type="rss" text={label} title={label} xmlUrl={quoteattr(feed.url)}/>')
    lines += ["  </body>", "</opml>", ""]
    return "\n".join(lines)
