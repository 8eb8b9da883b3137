"""Reading JSON Lines input (`classify`, `evaluate --labels`): UTF-8, a byte-order mark tolerated, every problem
named with its line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO, Any

from flows.errors import PresswatchError

_BOM = b"\xef\xbb\xbf"


def json_lines(stream: IO[bytes], name: str) -> Iterator[tuple[int, Any, str | None]]:
    """(line number, parsed value, None) per non-blank line, or (line number, None, why it is not JSON).

    Text that is not UTF-8 (a Latin-1 export, UTF-16) stops the whole file with one clear line: JSON Lines is UTF-8
    by definition, and guessing another encoding would silently change the text being classified."""
    for number, raw in enumerate(stream, start=1):
        if number == 1 and raw.startswith(_BOM):
            raw = raw[len(_BOM) :]
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise PresswatchError(
                f"{name}:{number}: not UTF-8 (byte 0x{raw[exc.start]:02x} at column {exc.start + 1}); JSON Lines "
                "must be UTF-8: save the file as UTF-8 and try again"
            ) from None
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except ValueError as exc:
            yield number, None, f"invalid JSON: {exc}"
            continue
        yield number, value, None


def article_problem(item: Any) -> str | None:
    """Why a record cannot be classified, or None: an object with a non-empty "text" string (title optional)."""
    if not isinstance(item, dict):
        return "expected a JSON object"
    text = item.get("text")
    if not isinstance(text, str):
        return 'missing "text" (the article\'s text, a string)' if text is None else '"text" must be a string'
    if not text.strip():
        return '"text" is empty'
    return None
