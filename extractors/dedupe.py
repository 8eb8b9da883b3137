"""Near-duplicate detection: one wire story printed by forty outlets is one story with forty placements.

Each text gets a bottom-k MinHash sketch of its word 5-shingles (the k smallest 64-bit hashes). Two sketches
estimate the Jaccard similarity of the two shingle sets; copies at or above `STORY_THRESHOLD` are one story.
Pure functions: the warehouse stores the sketches and finds candidates by shared hash values.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from datetime import timedelta
from functools import partial

# Five-word shingles: long enough that two different reports of the same event rarely share many (common
# phrases and one quoted statement give a Jaccard of about 0.0-0.15), short enough that a wire copy with a new
# headline, a trimmed last paragraph and an added local sentence keeps most of them (about 0.6-0.9).
SHINGLE_WORDS = 5
SKETCH_SIZE = 64  # standard error of the estimate sqrt(J(1-J)/64): about 0.06 at J = 0.5, less near 0 or 1
STORY_THRESHOLD = 0.5  # between the two ranges above (docs/deduplication.md)
_WORD = re.compile(r"\w+", re.UNICODE)
_MASK = (1 << 63) - 1  # keep hashes positive so that they fit DuckDB's BIGINT


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[str]:
    return set(_shingles(text, size))


def _shingles(text: str, size: int) -> Iterable[str]:
    """The text's word `size`-shingles, repeats included (the whole text when it has fewer words)."""
    words = _WORD.findall(text.lower())
    if len(words) < size:
        return [" ".join(words)] if words else []
    # zip of shifted word lists (shorter and shorter: zip stops at the last full shingle) is one C-level pass,
    # with no slice of `words` per shingle.
    return map(" ".join, zip(*(words[offset:] for offset in range(size)), strict=False))


_BLAKE2B_8 = partial(hashlib.blake2b, digest_size=8)


def sketch(text: str, size: int = SKETCH_SIZE) -> tuple[int, ...]:
    """The `size` smallest shingle hashes, ascending (fewer for very short texts).

    A shingle's hash is its UTF-8 bytes' 8-byte BLAKE2b digest read big-endian (int.from_bytes' default) with the
    top bit cleared; stored sketches depend on exactly this. Chained maps keep the per-shingle work out of the
    interpreter loop.
    """
    digests = map(hashlib.blake2b.digest, map(_BLAKE2B_8, map(str.encode, _shingles(text, SHINGLE_WORDS))))
    return _smallest(set(map(_MASK.__and__, map(int.from_bytes, digests))), size)


def _smallest(values: set[int], count: int) -> tuple[int, ...]:
    """The `count` smallest values, ascending, the same as sorted(values)[:count].

    Hashes are uniform over [0, 2**63), so the smallest `count` of n lie below about count/n of the range: sorting
    only the values under twice that bound is exact whenever at least `count` of them are there, and it almost
    always is (about 2 * count are expected). Otherwise every value is sorted.
    """
    if count > 0 and len(values) > 4 * count:
        bound = _MASK // len(values) * 2 * count
        low = [value for value in values if value < bound]
        if len(low) >= count:
            low.sort()
            return tuple(low[:count])
    return tuple(sorted(values)[:count])


def similarity(a: Sequence[int], b: Sequence[int], size: int = SKETCH_SIZE) -> float:
    """Bottom-k estimate of the Jaccard similarity of the two texts' shingle sets."""
    if not a or not b:
        return 0.0
    union_bottom = sorted(set(a) | set(b))[:size]
    shared = set(a) & set(b)
    return sum(h in shared for h in union_bottom) / len(union_bottom)


# A new article is compared with the articles discovered at most this long before it (and everything since). Wire
# copies and syndicated pieces run within days of each other; a window keeps the candidate search's cost at the
# window's size rather than the warehouse's (warehouse/sql/006_sketch_window.sql). A copy re-run more than this
# later starts a story of its own.
STORY_WINDOW = timedelta(days=90)

# Candidates must share this many of their 64 sketch values before the full estimate is computed: pairs below
# it estimate J < 4/64, far under the threshold, so the shortcut never changes a decision.
MIN_SHARED = 4


def assign_stories(
    batch: Sequence[tuple[str, tuple[int, ...]]],
    candidates: dict[str, tuple[str, tuple[int, ...]]],
    threshold: float = STORY_THRESHOLD,
) -> dict[str, str]:
    """story_id for each (url, sketch) of a batch, in order: the story of its most similar earlier copy at or
    above the threshold (stored `candidates`: url -> (story_id, sketch), or earlier in the batch), else itself."""
    known: dict[str, tuple[str, tuple[int, ...]]] = {}
    index: dict[int, list[str]] = {}

    def remember(url: str, story: str, sk: tuple[int, ...]) -> None:
        known[url] = (story, sk)
        for h in sk:
            index.setdefault(h, []).append(url)

    for url, (story, sk) in candidates.items():
        remember(url, story, sk)
    stories: dict[str, str] = {}
    for url, sk in batch:
        shared: dict[str, int] = {}
        for h in sk:
            for other_url in index.get(h, ()):
                shared[other_url] = shared.get(other_url, 0) + 1
        best, best_score = url, 0.0
        for other_url, count in shared.items():
            if other_url == url or count < MIN_SHARED:
                continue
            story, other = known[other_url]
            score = similarity(sk, other)
            if score >= threshold and (score > best_score or (score == best_score and story < best)):
                best, best_score = story, score
        stories[url] = best
        if url not in known:
            remember(url, best, sk)
    return stories
