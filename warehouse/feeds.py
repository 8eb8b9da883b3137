"""The `feeds` table's rows for feed management (flows/feeds.py): the feeds added from the command line or OPML,
their health counters, and whether a feed is watched. Written on an open connection, DuckDB or PostgreSQL."""

from __future__ import annotations

from datetime import datetime
from typing import Any

# What `presswatch feeds list` can show of a feed (the first columns by default).
HEALTH_COLUMNS = (
    "url", "name", "source", "active", "last_success_at", "last_new_item_at", "consecutive_failures",
    "last_error", "last_error_detail", "not_modified_count", "last_fetched_at",
)  # fmt: skip


def added_feeds(con: Any) -> list[tuple[str, str]]:
    """(url, name) of the active feeds added with `feeds add` or `feeds import`, oldest first."""
    rows = con.execute(
        "SELECT url, coalesce(name, '') FROM feeds WHERE active AND source <> 'config' ORDER BY added_at, url"
    ).fetchall()
    return [(str(url), str(name)) for url, name in rows]


def health_rows(con: Any) -> list[tuple[Any, ...]]:
    """Every stored feed's `HEALTH_COLUMNS`, by URL."""
    return [tuple(row) for row in con.execute(f"SELECT {', '.join(HEALTH_COLUMNS)} FROM feeds ORDER BY url").fetchall()]


def watched(con: Any, url: str) -> bool | None:
    """Whether a stored feed is watched (active); None when the warehouse does not know it."""
    found = con.execute("SELECT active FROM feeds WHERE url = ?", [url]).fetchall()
    return bool(found[0][0]) if found else None


def insert_feed(con: Any, url: str, name: str | None, source: str, added_at: datetime) -> None:
    con.execute(
        "INSERT INTO feeds (url, name, source, active, added_at) VALUES (?, ?, ?, true, ?)",
        [url, name, source, added_at],
    )


def set_watched(con: Any, url: str, active: bool, name: str | None = None) -> None:
    """Watch a stored feed again (keeping its name unless one is given) or stop watching it; its history stays."""
    con.execute("UPDATE feeds SET active = ?, name = coalesce(?, name) WHERE url = ?", [active, name, url])
