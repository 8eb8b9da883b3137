"""Generated parts of the docs: the text from a start marker to an end marker (HTML comments, which Markdown does
not show), rewritten by a generator run as `python -m ...` and compared with it by a test: flows/configdoc.py
(the keys in docs/configuration.md) and flows/schemadoc.py (the failure reasons in docs/schema.md)."""

from __future__ import annotations

from pathlib import Path


def section_of(document: str, start: str, end: str) -> str:
    """The generated part of `document`, both markers included."""
    return document[document.index(start) : document.index(end) + len(end)]


def with_section(document: str, start: str, end: str, section: str) -> str:
    """`document` with the text from `start` to `end` (markers included) replaced by `section`, which holds both."""
    first, last = document.find(start), document.find(end)
    if first < 0 or last < first:
        raise ValueError(f"the markers are missing from the document: {start!r} ... {end!r}")
    return document[:first] + section + document[last + len(end) :]


def rewrite(path: Path, start: str, end: str, section: str) -> None:
    path.write_text(with_section(path.read_text(encoding="utf-8"), start, end, section), encoding="utf-8")
