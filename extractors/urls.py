"""URL canonicalisation: one article, one key, however a feed spells its link.

The canonical form (docs/deduplication.md, "Canonical URLs"):
- scheme and host lower-cased, the host in IDNA (punycode) form, a trailing dot of the host dropped, the default
  port (80, 443) dropped, user name and password dropped, the fragment dropped;
- path: RFC 3986 §6.2.2 normalisation. Escapes of unreserved characters are decoded (`%7E` -> `~`, `%41` -> `A`);
  every other escape is kept, its hex upper-cased (`%2f` -> `%2F`: an escaped reserved character means something
  else than the character itself); characters a path may not hold raw are escaped as UTF-8; then dot segments
  are removed (RFC 3986 §5.2.4: `/a/./b/../c` -> `/a/c`); an empty path is `/`;
- query: read as form data, as servers do (`+` and `%20` are both a space), tracking parameters dropped, the rest
  sorted by name, then value, and written back with every byte but the unreserved ones escaped. A parameter
  without `=` stays without one (`?amp`), an empty value keeps its `=` (`?a=`).
"""

from __future__ import annotations

import re
from urllib.parse import quote_from_bytes, unquote_to_bytes, urlsplit, urlunsplit

from extractors.errors import PresswatchError

# Parameters that identify a campaign, a click or a share, never the document: dropping them merges the copies of a
# link that differ only in where the reader came from. A name belongs here only when no site uses it to choose what
# a page shows: a wrongly kept parameter costs one more fetch (and the story dedupe counts the copy once), a wrongly
# dropped one loses the article. So generic words are not here: `ref` (a real parameter on many sites: a revision,
# a record, a referee) and `rss` (CMSs use it to ask for a page's feed) are kept.
TRACKING_PREFIXES = ("utm_",)  # Google Analytics' campaign tags (Urchin Tracking Module): utm_source, utm_medium, ...
TRACKING_PARAMS = frozenset(
    {
        "fbclid",  # Facebook's click id, added to every outbound link
        "gclid",  # Google Ads' click id (auto-tagging)
        "dclid",  # Google Display & Video 360 (DoubleClick) click id
        "msclkid",  # Microsoft Advertising's click id (auto-tagging)
        "yclid",  # Yandex Direct's click id
        "igshid",  # Instagram's share id on shared links
        "mc_cid",  # Mailchimp: the campaign of a newsletter link
        "mc_eid",  # Mailchimp: the subscriber who clicked it
        "_hsenc",  # HubSpot email tracking
        "_hsmi",  # HubSpot email tracking: the message
        "ref_src",  # Twitter/X's embed and share-button referral tag (ref_src=twsrc^tfw)
        "cmpid",  # campaign id of publishers' Adobe Analytics tagging on social and newsletter links
        "ocid",  # Microsoft's origin campaign id on MSN and Bing News links (ocid=BingNewsSearch)
        "ncid",  # Yahoo, AOL and HuffPost newsletter and syndication campaign id
        "sr_share",  # SimpleReach's share-button attribution (sr_share=twitter)
        "at_medium",  # AT Internet / Piano Analytics campaign tags, e.g. the BBC's at_medium=RSS
        "at_campaign",  # the same tags' campaign
        "ito",  # DMG Media's (Daily Mail, Metro) origin tag on RSS and share links (ito=1490)
    }
)  # fmt: skip
_DEFAULT_PORTS = {"http": 80, "https": 443}

# RFC 3986 §2.3: escapes of these are the characters themselves (§6.2.2.2: decode them); any other escape is kept.
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
# What a path holds raw (RFC 3986 `pchar` and "/"): unreserved, sub-delims, ":" and "@". Everything else, a "%" that
# starts no escape included, is escaped: so the output holds only these and upper-case escapes of other bytes, and a
# second pass changes nothing.
_PATH_TOKEN = re.compile(r"%[0-9A-Fa-f]{2}|[^A-Za-z0-9\-._~!$&'()*+,;=:@/]")


class InvalidURLError(PresswatchError, ValueError):
    """A URL with no canonical form (not http(s), no host, unparsable); a ValueError too, for callers that catch
    that."""


def canonicalize_url(url: str) -> str:
    """Return the canonical form of an http(s) URL (the module docstring lists the rules).

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
        path = remove_dot_segments(normalize_escapes(parts.path)) or "/"
    except UnicodeError:
        raise InvalidURLError(f"invalid host name or path in {url!r}") from None
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    return urlunsplit((scheme, netloc, path, _canonical_query(parts.query), ""))


def normalize_escapes(path: str) -> str:
    """RFC 3986 §6.2.2.1-2 on a path: decode escapes of unreserved characters, upper-case the hex of the others,
    escape (as UTF-8) what may not stand raw."""
    return _PATH_TOKEN.sub(_path_token, path)


def _path_token(match: re.Match[str]) -> str:
    token = match.group()
    if len(token) == 3:  # an escape
        char = chr(int(token[1:], 16))
        return char if char in _UNRESERVED else token.upper()
    return "".join(f"%{byte:02X}" for byte in token.encode("utf-8"))


def remove_dot_segments(path: str) -> str:
    """RFC 3986 §5.2.4 for an absolute path: `.` segments go, `..` removes the segment before it (never above the
    root); a path ending in a dot segment keeps its trailing slash (`/a/b/..` -> `/a/`)."""
    segments = path.split("/")
    if "." not in segments and ".." not in segments:
        return path
    kept = [segments[0]]  # "" before the leading slash
    for segment in segments[1:]:
        if segment == "..":
            if len(kept) > 1:
                kept.pop()
        elif segment != ".":
            kept.append(segment)
    if segments[-1] in (".", ".."):
        kept.append("")
    return "/".join(kept) if len(kept) > 1 else "/"


def _canonical_query(query: str) -> str:
    """Tracking parameters dropped, the rest sorted and written as form data; `name` and `name=` stay apart."""
    params: list[tuple[bytes, bytes | None]] = []
    for field in query.split("&"):
        if not field:
            continue
        name, eq, value = field.partition("=")
        key = _form_bytes(name)
        label = key.decode("utf-8", "replace").lower()
        if label.startswith(TRACKING_PREFIXES) or label in TRACKING_PARAMS:
            continue
        params.append((key, _form_bytes(value) if eq else None))
    # Bytes sort as their text would: UTF-8 keeps the order of code points. A valueless name sorts first.
    params.sort(key=lambda p: (p[0], p[1] is not None, p[1] or b""))
    return "&".join(_form_text(k) if v is None else f"{_form_text(k)}={_form_text(v)}" for k, v in params)


def _form_bytes(text: str) -> bytes:
    # Bytes, not text: an escape that is not UTF-8 (`%E9`, Latin-1) keeps its byte instead of becoming U+FFFD.
    return unquote_to_bytes(text.replace("+", " "))


def _form_text(data: bytes) -> str:
    # As urllib.parse.urlencode writes form data: unreserved bytes raw, a space as "+", every other byte escaped.
    return quote_from_bytes(data, safe=" ").replace(" ", "+")


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()
