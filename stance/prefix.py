"""Fast rule matching: jump straight to the words a rule can start with.

Python's regex engine scans every position of the text for a pattern that begins with an alternation
("(serious|grave|...) mistake"), which made a rule set of a few hundred patterns cost ~15 ms per article.
Almost every rule phrase starts with a known word, though, so each rule gets the set of its possible first
three characters (read off the parsed pattern), each article gets an index from the first three characters
of each word to where those words start, and the pattern is tried only there. Rules whose start cannot be
read that way (a leading quote mark, a short word) are searched the ordinary way. Both ways give exactly the
matches of `stance.text.word_matches`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

# The regex parser is private but stable in the Python versions we support (3.11+); if it ever changes,
# literal_prefixes raises nothing worse than returning None, and matching falls back to plain search.
from re import _constants as _sre_constants  # type: ignore[attr-defined]
from re import _parser as _sre_parse  # type: ignore[attr-defined]
from typing import Any

from stance.text import word_matches

PREFIX_LENGTH = 3  # long enough to be selective, short enough that stems ("prostitu\w*") still qualify
_MAX_PREFIXES = 400  # beyond this many alternatives the plain search is as quick
_WORD = re.compile(r"\w+")
# A word's key: its first PREFIX_LENGTH characters, or the whole word when shorter.
_KEY = re.compile(rf"\b\w{{1,{PREFIX_LENGTH}}}")
_ZERO_WIDTH = {_sre_constants.AT, _sre_constants.ASSERT, _sre_constants.ASSERT_NOT}


class _Unindexable(Exception):
    pass


def literal_prefixes(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """Every possible key of a match's first word (see WordIndex); None if they cannot be read off."""
    try:
        tree = _sre_parse.parse(pattern.pattern, pattern.flags)
        found = _prefixes(list(tree), PREFIX_LENGTH)
    except (_Unindexable, RecursionError, re.error, AttributeError, TypeError, ValueError):
        return None
    if not found or len(found) > _MAX_PREFIXES or not all(p and _WORD.fullmatch(p) for p in found):
        return None
    return frozenset(found)


def _prefixes(nodes: Sequence[Any], need: int) -> set[str]:
    if need == 0:
        return {""}
    if not nodes:
        raise _Unindexable  # a match could be shorter than the prefix
    op, arg = nodes[0]
    rest = nodes[1:]
    if need < PREFIX_LENGTH and _ends_word(op, arg):
        return {""}  # a short word ("no", "we") is complete here: the index keys it whole
    if op == _sre_constants.LITERAL:
        return {chr(arg) + tail for tail in _prefixes(rest, need - 1)}
    if op == _sre_constants.IN:
        chars = _class_chars(arg)
        tails = _prefixes(rest, need - 1)
        return _capped({c + tail for c in chars for tail in tails})
    if op == _sre_constants.SUBPATTERN:
        return _prefixes(list(arg[-1]) + list(rest), need)
    if op == _sre_constants.BRANCH:
        out: set[str] = set()
        for alternative in arg[1]:
            out |= _prefixes(list(alternative) + list(rest), need)
            _capped(out)
        return out
    if op in (_sre_constants.MAX_REPEAT, _sre_constants.MIN_REPEAT):
        low, high, item = arg
        if high == 1:
            skip = _prefixes(rest, need) if low == 0 else set()
            return _capped(skip | _prefixes(list(item) + list(rest), need))
        raise _Unindexable
    if op in _ZERO_WIDTH:
        return _prefixes(rest, need)  # a look-ahead only narrows the matches: the prefixes stay a superset
    raise _Unindexable


def _ends_word(op: Any, arg: Any) -> bool:
    """Can this node only match a non-word character (or the end of a word)?"""
    if op == _sre_constants.LITERAL:
        return not _WORD.match(chr(arg))
    if op == _sre_constants.IN:
        return all(
            (o == _sre_constants.LITERAL and not _WORD.match(chr(a)))
            or (o == _sre_constants.CATEGORY and a == _sre_constants.CATEGORY_SPACE)
            for o, a in arg
        )
    if op in (_sre_constants.MAX_REPEAT, _sre_constants.MIN_REPEAT) and arg[0] >= 1 and len(arg[2]) == 1:
        return _ends_word(*arg[2][0])
    if op == _sre_constants.ASSERT_NOT:  # (?!\w)
        direction, inner = arg
        return (
            direction == 1
            and len(inner) == 1
            and inner[0]
            == (
                _sre_constants.IN,
                [(_sre_constants.CATEGORY, _sre_constants.CATEGORY_WORD)],
            )
        )
    return False


def _class_chars(items: Sequence[Any]) -> set[str]:
    chars: set[str] = set()
    for op, arg in items:
        if op == _sre_constants.LITERAL:
            chars.add(chr(arg))
        elif op == _sre_constants.RANGE and arg[1] - arg[0] < 64:
            chars.update(chr(c) for c in range(arg[0], arg[1] + 1))
        else:
            raise _Unindexable  # negated classes, categories (\s, \w), wide ranges
    return chars


def _capped(found: set[str]) -> set[str]:
    if len(found) > _MAX_PREFIXES:
        raise _Unindexable
    return found


def key_pattern(keys: set[str]) -> re.Pattern[str]:
    """One regex finding the words whose key is in `keys`, built as a trie so the engine does the filtering.

    A three-letter key matches any word starting with it; a shorter key only the whole word ("no", not "not").
    """
    trie: dict[str, Any] = {}
    for key in keys:
        node = trie
        for char in key:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: dict[str, Any], depth: int) -> str:
        if depth == PREFIX_LENGTH:
            return ""
        parts = [re.escape(char) + emit(child, depth + 1) for char, child in sorted(node.items()) if char]
        if "" in node:
            parts.append(r"(?!\w)")
        return "(?:" + "|".join(parts) + ")" if len(parts) > 1 else parts[0]

    return re.compile(r"\b" + emit(trie, 0)) if keys else re.compile(r"(?!)")


class WordIndex:
    """Where the words that some rule can start with begin in a (folded) text, keyed as in `key_pattern`."""

    __slots__ = ("_starts", "text")

    def __init__(self, text: str, keys: re.Pattern[str] | None = None) -> None:
        self.text = text
        starts: dict[str, list[int]] = {}
        for match in (keys or _KEY).finditer(text):
            key = match.group()
            found = starts.get(key)
            if found is None:
                starts[key] = [match.start()]
            else:
                found.append(match.start())
        self._starts = starts

    def matches(self, pattern: re.Pattern[str], prefixes: frozenset[str] | None) -> Iterator[re.Match[str]]:
        """The same matches as `word_matches(pattern, text)`, found from the index when prefixes are known."""
        if prefixes is None:
            yield from word_matches(pattern, self.text)
            return
        candidates: list[int] = []
        for prefix in prefixes:
            found = self._starts.get(prefix)
            if found:
                candidates.extend(found)
        if not candidates:
            return
        candidates.sort()
        match_at = pattern.match
        resume = 0
        for position in candidates:
            if position < resume:
                continue
            match = match_at(self.text, position)
            if match is not None:
                yield match
                resume = match.end() if match.end() > position else position + 1
