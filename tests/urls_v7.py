"""presswatch's URL canonicaliser up to schema version 7, kept as it was to build warehouses keyed the old way."""

from __future__ import annotations

from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

from extractors.urls import InvalidURLError  # the class the feed parser catches

# Parameters that identify a campaign or a click, never the document. The utm_* family is Google Analytics'
# convention; the others are the click ids and referral tags of the big platforms and newsletter tools.
TRACKING_PREFIXES = ("utm_",)
TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "igshid", "yclid", "_hsenc", "_hsmi",
        "ref", "ref_src", "cmpid", "ocid", "sr_share", "at_medium", "at_campaign", "ito", "ncid", "rss",
    }
)  # fmt: skip
_DEFAULT_PORTS = {"http": 80, "https": 443}
# Characters left unescaped in paths: RFC 3986 unreserved, sub-delims, ":", "@" and "/". Not "%": escapes are
# decoded then re-encoded, which keeps canonicalisation idempotent.
_PATH_SAFE = "/:@!$&'()*+,;=-._~"


def canonicalize_url(url: str) -> str:
    """Return the canonical form of an http(s) URL.

    Lower-cases scheme and host, drops default ports, fragments and tracking parameters, sorts the remaining
    query parameters, normalises percent-escapes, and removes an empty path's trailing slash ambiguity.
    Idempotent: canonicalize_url(canonicalize_url(u)) == canonicalize_url(u).
    """
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise InvalidURLError(f"invalid URL {url!r}: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise InvalidURLError(f"not an http(s) URL: {url!r}")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise InvalidURLError(f"URL has no host: {url!r}")
    try:
        host = host.encode("idna").decode("ascii") if not host.isascii() else host.lower()
    except UnicodeError:
        raise InvalidURLError(f"invalid host name in {url!r}") from None
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = quote(unquote(parts.path), safe=_PATH_SAFE) or "/"
    query_items = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith(TRACKING_PREFIXES) and k.lower() not in TRACKING_PARAMS
    ]
    query = urlencode(sorted(query_items), doseq=True)
    return urlunsplit((scheme, netloc, path, query, ""))
