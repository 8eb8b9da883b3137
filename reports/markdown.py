"""Escaping for text that comes from articles: no title or snippet may break a table, inject HTML or a link."""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

_SPACE = re.compile(r"\s+")
# Characters with a meaning in Markdown or HTML; a backslash escape neutralises each of them.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+!|~])")


def text(value: object, limit: int | None = None) -> str:
    """One line of plain text, safe inside Markdown tables, emphasis and list items."""
    s = _SPACE.sub(" ", str(value or "")).strip()
    if limit is not None and len(s) > limit:
        s = s[: limit - 1].rstrip() + "…"
    s = s.replace("&", "&amp;")
    return _MD_SPECIAL.sub(r"\\\1", s)


def url(value: object) -> str:
    """A link destination: only http(s), percent-encoded so that it cannot close the link or add markup."""
    raw = str(value or "").strip()
    if urlsplit(raw).scheme not in ("http", "https"):
        return ""
    return quote(raw, safe=":/?#@!$&'*+,;=%-._~")


def link(label: object, href: object, limit: int | None = 120) -> str:
    target = url(href)
    shown = text(label, limit) or text(href, limit)
    return f"[{shown}](<{target}>)" if target else shown
