"""Reading a topic rule file: TOML parsing, schema checks and locating a key's line for error messages.

Kept apart from `rules.py` (which turns checked values into compiled rules) because the two change for different
reasons: this module changes with the file format, that one with the matching machinery.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from stance.errors import RuleFileError

# A key line: `key = ...`, `"quoted key" = ...`, `a.b = ...`. Lines inside multi-line arrays never look like this.
_KEY_LINE = re.compile(r'^\s*((?:"[^"]*"|[A-Za-z0-9_\-*]+)(?:\s*\.\s*(?:"[^"]*"|[A-Za-z0-9_\-*]+))*)\s*=')
_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_TOML_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")


def _split_dotted(text: str) -> list[str]:
    parts = re.findall(r'"([^"]*)"|([A-Za-z0-9_\-*]+)', text)
    return [quoted or bare for quoted, bare in parts]


class KeyLocator:
    """Maps key paths such as ``stance.en.supportive[3].weight`` to the line where the file defines them.

    A line scanner rather than a TOML parser: it only needs to follow table headers, array-of-table counters and
    key lines, and it is right for every layout our rule files use (best effort for exotic TOML).
    """

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.where: dict[str, int] = {}
        counters: dict[str, int] = {}
        current = ""
        for number, line in enumerate(self.lines, start=1):
            header = _HEADER.match(line)
            if header and not _KEY_LINE.match(line):
                name = ".".join(_split_dotted(header.group(2)))
                if header.group(1) == "[[":
                    index = counters.get(name, -1) + 1
                    counters[name] = index
                    self.where.setdefault(name, number)
                    current = f"{name}[{index}]"
                else:
                    current = name
                self.where.setdefault(current, number)
                continue
            key = _KEY_LINE.match(line)
            if key:
                dotted = ".".join(_split_dotted(key.group(1)))
                self.where.setdefault(f"{current}.{dotted}" if current else dotted, number)

    def line_of(self, key: str, value: str | None = None) -> int | None:
        """The line defining `key` (or its nearest defined parent); with `value`, the line holding that string."""
        probe = key
        while probe:
            if probe in self.where:
                line = self.where[probe]
                if value:
                    for offset, text in enumerate(self.lines[line - 1 :]):
                        if value in text:
                            return line + offset
                return line
            probe = re.sub(r"(\[\d+\]|\.[^.\[]*)$", "", probe) if re.search(r"(\[\d+\]|\.)", probe) else ""
        return None


class RuleFile:
    """A parsed rule file plus what is needed to report an error at the right line."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise RuleFileError(path, None, None, f"cannot read rule file: {exc.strerror or exc}") from None
        self.raw = raw
        try:
            self.text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise RuleFileError(path, None, None, f"not UTF-8 text ({exc.reason})") from None
        self.locator = KeyLocator(self.text)
        try:
            self.data: dict[str, Any] = tomllib.loads(self.text)
        except tomllib.TOMLDecodeError as exc:
            message = str(exc)
            position = _TOML_POSITION.search(message)
            line = int(position.group(1)) if position else None
            key = None
            if line is not None and 0 < line <= len(self.locator.lines):
                found = _KEY_LINE.match(self.locator.lines[line - 1])
                key = ".".join(_split_dotted(found.group(1))) if found else None
            plain = _TOML_POSITION.sub("", message).strip()
            raise RuleFileError(path, line, key, f"malformed TOML: {plain}") from None

    def error(self, key: str, message: str, value: str | None = None) -> RuleFileError:
        return RuleFileError(self.path, self.locator.line_of(key, value), key, message)

    # --- typed accessors: each names the key path it checks -----------------------------------------------------

    def table(
        self, value: Any, key: str, allowed: set[str], required: frozenset[str] | set[str] = frozenset()
    ) -> Mapping[str, Any]:
        if not isinstance(value, dict):
            raise self.error(key, "must be a table")
        for name in value:
            if name not in allowed:
                child = f"{key}.{name}" if key else name
                raise self.error(child, f"unknown key (allowed here: {', '.join(sorted(allowed))})")
        for name in sorted(required):
            if name not in value:
                child = f"{key}.{name}" if key else name
                # Nothing to point at: the table that lacks it, or the top of the file for a whole section.
                line = self.locator.line_of(child) or 1
                message = "missing required key" if key else "missing required section"
                raise RuleFileError(self.path, line, child, message)
        return value

    def string(self, value: Any, key: str, *, empty_ok: bool = False) -> str:
        if not isinstance(value, str) or (not empty_ok and not value.strip()):
            raise self.error(key, "must be a non-empty string")
        return value

    def strings(self, value: Any, key: str) -> list[str]:
        if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
            raise self.error(key, "must be a list of non-empty strings")
        return list(value)

    def number(self, value: Any, key: str, low: float, high: float) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
            raise self.error(key, f"must be a number between {_plain(low)} and {_plain(high)}")
        return float(value)

    def integer(self, value: Any, key: str, low: int, high: int) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise self.error(key, f"must be a whole number between {low} and {high}")
        return value

    def choice(self, value: Any, key: str, options: tuple[str, ...]) -> str:
        if value not in options:
            raise self.error(key, f"must be one of {', '.join(options)}")
        return str(value)

    def array_of_tables(self, value: Any, key: str) -> list[dict[str, Any]]:
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            raise self.error(key, f"must be an array of tables ([[{key}]])")
        return value


def _plain(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)
