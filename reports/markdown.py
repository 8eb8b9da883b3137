"""Escaping for text that comes from articles: no title or snippet may break a table, inject HTML or a link."""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

_SPACE = re.compile(r"\s+")
# Characters with a meaning anywhere in a line of Markdown (GFM) or HTML; a backslash escape neutralises each.
# Parentheses and "!" only matter after "]", which is always escaped, so they are left alone for readability.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")
# At the start of a line (a snippet after "> "), these open a heading, a list, a quote or a setext underline.
_LINE_START = re.compile(r"^[#+\-=>]")
_ORDERED_ITEM = re.compile(r"^(\d+)([.)])")
# Text that none of the steps of `text` would change: words without special characters, single spaces between
# them, not starting like a block. Most titles and outlet names are like that, and a report may list thousands.
_PLAIN = re.compile(r"(?![#+\-=>]|\d+[.)])[^\s\\`*_\[\]<>|~&]+(?: [^\s\\`*_\[\]<>|~&]+)*")
# An http(s) URL made only of characters `quote` keeps as they are (its safe set, letters, digits, "_.-~").
_PLAIN_URL = re.compile(r"https?://[A-Za-z0-9:/?#@!$&'*+,;=%\-._~]*")


def text(value: object, limit: int | None = None) -> str:
    """One line of plain text, safe inside Markdown tables, emphasis and list items."""
    if type(value) is str and (limit is None or len(value) <= limit) and _PLAIN.fullmatch(value):
        return value
    return escape(value, limit)


def escape(value: object, limit: int | None = None) -> str:
    """`text` without its shortcut for text that needs no escaping (the tests check that both agree)."""
    s = _SPACE.sub(" ", str(value or "")).strip()
    if limit is not None and len(s) > limit:
        s = s[: limit - 1].rstrip() + "…"
    s = s.replace("&", "&amp;")
    s = _MD_SPECIAL.sub(r"\\\1", s)
    s = _LINE_START.sub(lambda m: "\\" + m.group(0), s)
    return _ORDERED_ITEM.sub(r"\1\\\2", s)


def url(value: object) -> str:
    """A link destination: only http(s), percent-encoded so that it cannot close the link or add markup."""
    raw = str(value or "").strip()
    if _PLAIN_URL.fullmatch(raw):
        return raw
    return quote_url(raw)


def quote_url(raw: str) -> str:
    """`url` without its shortcut for URLs that need no quoting (the tests check that both agree)."""
    try:
        scheme = urlsplit(raw).scheme
    except ValueError:  # e.g. "http://[": not a URL a reader could follow, so it is shown as text
        return ""
    if scheme not in ("http", "https"):
        return ""
    return quote(raw, safe=":/?#@!$&'*+,;=%-._~")


def link(label: object, href: object, limit: int | None = 120) -> str:
    target = url(href)
    shown = text(label, limit) or text(href, limit)
    return f"[{shown}](<{target}>)" if target else shown
