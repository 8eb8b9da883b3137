"""Why a feed or a page could not be used: the reason codes stored in the warehouse (`feeds.last_error`,
`feed_fetches.error`, `articles.fetch_error`, the `problem` of `article_problems`).

A `StrEnum`, so a code is both a name the code can check and the plain string the warehouse keeps. Each member
also says which step gives it (`stage`: fetch or parse) and what it means in one line (`meaning`): docs/schema.md
("Failure reasons") lists them from here (`python -m flows.schemadoc`). An HTTP error answer is `http_<status>`
(`http_reason(404)` is "http_404"), one code per status.
"""

from __future__ import annotations

from enum import StrEnum

FETCH = "fetch"
PARSE = "parse"


class Reason(StrEnum):
    stage: str  # FETCH (extractors/fetch.py) or PARSE (extractors/feeds.py)
    meaning: str  # one line, for docs/schema.md

    # The defaults only let a lookup by code, `Reason("timeout")`, type-check: every member gives both.
    def __new__(cls, code: str, stage: str = "", meaning: str = "") -> Reason:
        member = str.__new__(cls, code)
        member._value_ = code
        member.stage = stage
        member.meaning = meaning
        return member

    # fmt: off
    TIMEOUT = "timeout", FETCH, "connect/read timeout, the total per-request deadline, or robots.txt timing out"
    CONNECT_ERROR = ("connect_error", FETCH,
        "connection refused, reset or otherwise not established (also for an unreachable robots.txt)")
    HTTP_ERROR = ("http_error", FETCH,
        "any other HTTP protocol failure (malformed response, broken chunking, decoding error)")
    DNS_ERROR = "dns_error", FETCH, "the host name does not resolve"
    PRIVATE_ADDRESS = ("private_address", FETCH,
        "the host resolves to a non-public address and private networks are not allowed")
    BAD_SCHEME = "bad_scheme", FETCH, "a URL or redirect target that is not http/https"
    BAD_URL = "bad_url", FETCH, "a URL without a host"
    TOO_MANY_REDIRECTS = "too_many_redirects", FETCH, "more than `max_redirects` hops (loops included)"
    TOO_LARGE = "too_large", FETCH, "the body exceeds `max_bytes`, declared or while streaming (after decompression)"
    NOT_HTML = "not_html", FETCH, "a page request answered with a non-HTML content type"
    ROBOTS_DISALLOWED = "robots_disallowed", FETCH, "robots.txt disallows the page for `presswatch`"
    ROBOTS_UNAVAILABLE = ("robots_unavailable", FETCH,
        "robots.txt answered 5xx; the origin's pages are not fetched this run")
    HOST_BACKOFF = ("host_backoff", FETCH,
        "the host asked (429/503 + Retry-After) for a longer pause than `max_retry_after_s`; retried next run")
    EMPTY_FEED = "empty_feed", PARSE, "the body is empty or whitespace"
    NOT_A_FEED = ("not_a_feed", PARSE,
        "no RSS/Atom/RDF/CDF root (an HTML page, another XML document) or JSON that is not a JSON Feed")
    MALFORMED_FEED = ("malformed_feed", PARSE,
        "ill-formed XML whose entries broke off with nothing usable left, or invalid JSON")
    ENTITY_EXPANSION = ("entity_expansion", PARSE,
        "nested/recursive entities, internal parameter entities, or expansion over 1,000,000 characters")
    EXTERNAL_ENTITY = "external_entity", PARSE, "an entity that points at a file or URL"
    ENTITY_DECLARATIONS = ("entity_declarations", PARSE,
        "an entity declaration the screen could not read; refused rather than guessed at")
    PARSE_ERROR = ("parse_error", PARSE,
        "feedparser itself raised (it promises not to; kept so a surprise cannot stop a run)")
    # fmt: on


# `http_<status>` is a family of codes, not a member: documented beside the members.
HTTP_REASON_MEANING = "the server answered 4xx/5xx, e.g. `http_404`, `http_410`, `http_429`, `http_500`, `http_503`"


def http_reason(status: int) -> str:
    """The reason for an HTTP error answer: "http_404", "http_503", ..."""
    return f"http_{status}"
