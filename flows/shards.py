"""Feeds split into shards by publisher, for ingest runs on several workers (`presswatch deploy --shards N`).

A feed's publisher is its registrable domain, the key politeness already uses (`extractors.fetch.politeness_key`:
www.bbc.co.uk and feeds.bbc.co.uk are one publisher), so one publisher's feeds are always fetched by one shard and
its per-host limits hold as on one machine. The shard is chosen by rendezvous hashing: each shard scores the
publisher with a hash of (publisher, shard number), and the highest score wins. It depends on nothing but the
publisher and N, so adding or removing feeds never moves another publisher; going from N to N+1 shards moves only
the publishers the new shard wins (about 1 in N+1), and going down from N+1 to N moves only the last shard's.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from extractors.fetch import politeness_key
from flows.errors import PresswatchError
from flows.settings import FeedConfig

# Far more shards than a deployment needs: each is a deployment and a run every interval.
MAX_SHARDS = 64
_SPEC = re.compile(r"(\d+)/(\d+)")


@dataclass(frozen=True, slots=True)
class Shard:
    """Shard `index` of `count` (1-based, written "2/3")."""

    index: int
    count: int

    def __post_init__(self) -> None:
        if not 1 <= self.count <= MAX_SHARDS or not 1 <= self.index <= self.count:
            raise PresswatchError(f"a shard is i/N with 1 <= i <= N <= {MAX_SHARDS}, not {self.index}/{self.count}")

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"

    @classmethod
    def parse(cls, text: str) -> Shard:
        match = _SPEC.fullmatch(text.strip())
        if match is None:
            raise PresswatchError(f"a shard is written i/N (e.g. 2/3), not {text!r}")
        return cls(int(match.group(1)), int(match.group(2)))


def publisher(feed_url: str) -> str:
    return politeness_key(feed_url)


def _score(key: str, index: int) -> int:
    return int.from_bytes(hashlib.sha256(f"{key}\x00{index}".encode()).digest()[:8], "big")


def shard_index(feed_url: str, count: int) -> int:
    """The shard (1..count) whose workers fetch this feed: the one that scores its publisher highest."""
    key = publisher(feed_url)
    return max(range(1, count + 1), key=lambda index: _score(key, index))


def feeds_of(feeds: Iterable[FeedConfig], shard: Shard | None) -> list[FeedConfig]:
    """The feeds of `shard`, in their order; every feed when there is no shard."""
    if shard is None:
        return list(feeds)
    return [feed for feed in feeds if shard_index(feed.url, shard.count) == shard.index]
