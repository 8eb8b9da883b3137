"""Why a feed or a page could not be used: the reason codes stored in the warehouse (`feeds.last_error`,
`feed_fetches.error`, `articles.fetch_error`) and listed in docs/fetching.md ("Reason codes").

A `StrEnum`, so a code is both a name the code can check and the plain string the warehouse keeps. An HTTP error
answer is `http_<status>` (`http_reason(404)` is "http_404"), one code per status.
"""

from __future__ import annotations

from enum import StrEnum


class Reason(StrEnum):
    # fetching
    TIMEOUT = "timeout"
    CONNECT_ERROR = "connect_error"
    HTTP_ERROR = "http_error"
    DNS_ERROR = "dns_error"
    PRIVATE_ADDRESS = "private_address"
    BAD_SCHEME = "bad_scheme"
    BAD_URL = "bad_url"
    TOO_MANY_REDIRECTS = "too_many_redirects"
    TOO_LARGE = "too_large"
    NOT_HTML = "not_html"
    ROBOTS_DISALLOWED = "robots_disallowed"
    ROBOTS_UNAVAILABLE = "robots_unavailable"
    HOST_BACKOFF = "host_backoff"
    # parsing a feed
    EMPTY_FEED = "empty_feed"
    NOT_A_FEED = "not_a_feed"
    MALFORMED_FEED = "malformed_feed"
    ENTITY_EXPANSION = "entity_expansion"
    EXTERNAL_ENTITY = "external_entity"
    ENTITY_DECLARATIONS = "entity_declarations"
    PARSE_ERROR = "parse_error"


def http_reason(status: int) -> str:
    """The reason for an HTTP error answer: "http_404", "http_503", ..."""
    return f"http_{status}"
