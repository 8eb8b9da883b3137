from __future__ import annotations

from urllib.parse import quote, unquote_to_bytes, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from extractors.urls import (
    TRACKING_PARAMS,
    InvalidURLError,
    canonicalize_url,
    normalize_escapes,
    remove_dot_segments,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param(
            "HTTP://Example.COM/a/b?utm_source=rss&x=1#top", "http://example.com/a/b?x=1", id="case-tracking-fragment"
        ),
        pytest.param("https://example.com:443/", "https://example.com/", id="default-port"),
        pytest.param("http://example.com:8080/p", "http://example.com:8080/p", id="other-port-kept"),
        pytest.param("https://example.com", "https://example.com/", id="empty-path"),
        pytest.param("https://example.com/p?b=2&a=1", "https://example.com/p?a=1&b=2", id="query-sorted"),
        pytest.param("https://example.com/caf%C3%A9", "https://example.com/caf%C3%A9", id="escapes-kept"),
        pytest.param("https://example.com/café", "https://example.com/caf%C3%A9", id="unicode-path-escaped"),
        pytest.param("https://example.com/p?fbclid=abc&gclid=d", "https://example.com/p", id="click-ids"),
        pytest.param("  https://example.com/p  ", "https://example.com/p", id="whitespace"),
        pytest.param("https://bücher.example/", "https://xn--bcher-kva.example/", id="idna-host"),
        pytest.param("https://user:pw@example.com/p", "https://example.com/p", id="userinfo-dropped"),
        # Escapes in the path (RFC 3986 §6.2.2): reserved characters' escapes mean something else than the character.
        pytest.param("https://example.com/a%2Fb", "https://example.com/a%2Fb", id="escaped-slash-kept"),
        pytest.param("https://example.com/a%2fb", "https://example.com/a%2Fb", id="escape-hex-upper-cased"),
        pytest.param("https://example.com/caf%c3%a9", "https://example.com/caf%C3%A9", id="utf8-escape-upper-cased"),
        pytest.param(
            "https://example.com/a%3Fb%23c%3Bd%40e", "https://example.com/a%3Fb%23c%3Bd%40e", id="reserved-escapes-kept"
        ),
        pytest.param(
            "https://example.com/wiki/A_%28b%29", "https://example.com/wiki/A_%28b%29", id="sub-delim-escapes"
        ),
        pytest.param("https://example.com/%7Euser", "https://example.com/~user", id="tilde-decoded"),
        pytest.param("https://example.com/%41%62%2D%5F%2E%30", "https://example.com/Ab-_.0", id="unreserved-decoded"),
        pytest.param("https://example.com/caf%E9", "https://example.com/caf%E9", id="latin1-escape-kept"),
        pytest.param("https://example.com/100%", "https://example.com/100%25", id="lone-percent-escaped"),
        pytest.param("https://example.com/a b", "https://example.com/a%20b", id="space-escaped"),
        pytest.param("https://example.com/a:b@c;d=e", "https://example.com/a:b@c;d=e", id="pchar-kept-raw"),
        # Dot segments (RFC 3986 §5.2.4).
        pytest.param("https://example.com/a/../b", "https://example.com/b", id="dot-dot"),
        pytest.param("https://example.com/a/./b", "https://example.com/a/b", id="dot"),
        pytest.param("https://example.com/./a/b/../c/./d.html", "https://example.com/a/c/d.html", id="dots-mixed"),
        pytest.param("https://example.com/a/b/..", "https://example.com/a/", id="trailing-dot-dot"),
        pytest.param("https://example.com/a/.", "https://example.com/a/", id="trailing-dot"),
        pytest.param("https://example.com/../../a", "https://example.com/a", id="above-root"),
        pytest.param("https://example.com/a/%2E%2E/b", "https://example.com/b", id="escaped-dots"),
        pytest.param("https://example.com/a/.../b/.c", "https://example.com/a/.../b/.c", id="not-dot-segments"),
        pytest.param("https://example.com/a%2F..%2Fb", "https://example.com/a%2F..%2Fb", id="escaped-slash-no-segment"),
        # The query.
        pytest.param("https://example.com/p?amp", "https://example.com/p?amp", id="valueless-kept"),
        pytest.param("https://example.com/p?a=", "https://example.com/p?a=", id="empty-value-kept"),
        pytest.param("https://example.com/p?b=1&a&a=", "https://example.com/p?a&a=&b=1", id="valueless-and-empty"),
        pytest.param("https://example.com/p?x&&y", "https://example.com/p?x&y", id="empty-fields-dropped"),
        pytest.param("https://example.com/p?", "https://example.com/p", id="empty-query"),
        pytest.param("https://example.com/p?q=a+b%20c", "https://example.com/p?q=a+b+c", id="form-space"),
        pytest.param("https://example.com/p?q=a%2Bb%26c", "https://example.com/p?q=a%2Bb%26c", id="form-reserved"),
        pytest.param("https://example.com/p?q=caf%E9", "https://example.com/p?q=caf%E9", id="query-latin1-kept"),
        pytest.param("https://example.com/p?ref=rss&id=3", "https://example.com/p?id=3&ref=rss", id="ref-kept"),
        pytest.param("https://example.com/p?rss", "https://example.com/p?rss", id="rss-kept"),
        pytest.param("https://example.com/p?ref_src=twsrc%5Etfw", "https://example.com/p", id="ref-src-dropped"),
        pytest.param("https://example.com/p?UTM_Source=x&Fbclid=y", "https://example.com/p", id="tracking-any-case"),
        pytest.param("https://example.com/p?utm_source", "https://example.com/p", id="valueless-tracking-dropped"),
    ],
)
def test_canonicalize(raw: str, expected: str) -> None:
    assert canonicalize_url(raw) == expected


@pytest.mark.parametrize("name", sorted(TRACKING_PARAMS))
def test_each_tracking_parameter_is_dropped(name: str) -> None:
    assert canonicalize_url(f"https://example.com/p?id=1&{name}=x") == "https://example.com/p?id=1"


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("ftp://example.com/file", id="scheme"),
        pytest.param("javascript:alert(1)", id="javascript"),
        pytest.param("https:///nohost", id="no-host"),
        pytest.param("http://example.com:99999/", id="bad-port"),
        pytest.param("https://example.com/\ud800", id="lone-surrogate"),
    ],
)
def test_canonicalize_rejects(raw: str) -> None:
    with pytest.raises(InvalidURLError):
        canonicalize_url(raw)


_segment = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="/?#\x00"), max_size=8)
_hex = st.sampled_from("0123456789abcdefABCDEF")
_escape = st.builds(lambda a, b: f"%{a}{b}", _hex, _hex)
# Path pieces as feeds write them: raw text, escapes in either case, "%" alone, dot segments.
_piece = st.one_of(_segment.map(quote), _segment, _escape, st.sampled_from([".", "..", "%", "%2E", "%2e%2E"]))
_path_segment = st.lists(_piece, max_size=3).map("".join)
_query_field = st.one_of(
    st.tuples(st.sampled_from(["a", "b", "utm_x", "ref", "Q", "amp", "%41", "a+b"]), _segment).map(
        lambda kv: f"{kv[0]}={quote(kv[1])}"
    ),
    st.sampled_from(["amp", "a=", "=", "", "b=%e9", "c=+%2B"]),
)


@given(
    path=st.lists(_path_segment, max_size=5),
    query=st.lists(_query_field, max_size=4),
    fragment=_segment,
    host=st.sampled_from(["Example.com", "news.example.org", "127.0.0.1:8015", "xn--bcher-kva.example"]),
)
def test_canonicalize_is_idempotent(path: list[str], query: list[str], fragment: str, host: str) -> None:
    url = f"https://{host}/" + "/".join(path)
    if query:
        url += "?" + "&".join(query)
    url += "#" + quote(fragment)
    once = canonicalize_url(url)
    assert canonicalize_url(once) == once


def _rfc3986_remove_dot_segments(path: str) -> str:
    """RFC 3986 §5.2.4 as the RFC writes it, step by step on an input and an output buffer."""
    inp, out = path, ""
    while inp:
        if inp.startswith("../"):
            inp = inp[3:]
        elif inp.startswith("./"):
            inp = inp[2:]
        elif inp.startswith("/./") or inp == "/.":
            inp = "/" + inp[3:]
        elif inp.startswith("/../") or inp == "/..":
            inp = "/" + inp[4:]
            out = out[: out.rfind("/")] if "/" in out else ""
        elif inp in (".", ".."):
            inp = ""
        else:
            end = inp.find("/", 1)
            end = len(inp) if end == -1 else end
            out, inp = out + inp[:end], inp[end:]
    return out


def test_the_rfc_example_of_dot_segment_removal() -> None:
    assert _rfc3986_remove_dot_segments("/a/b/c/./../../g") == remove_dot_segments("/a/b/c/./../../g") == "/a/g"


@given(st.lists(st.sampled_from(["", ".", "..", "a", "b", "...", ".a", "a."]), min_size=1, max_size=8))
def test_dot_segments_are_removed_as_rfc_3986_says(segments: list[str]) -> None:
    path = "/" + "/".join(segments)
    assert remove_dot_segments(path) == _rfc3986_remove_dot_segments(path)


@given(st.lists(_piece, max_size=6).map("".join))
def test_escape_normalisation_keeps_the_bytes_and_the_segments(segment: str) -> None:
    """Only escapes of unreserved characters are decoded: the bytes a path means stay the same, and an escaped
    slash never becomes a segment boundary."""
    path = "/" + segment.replace("/", "")
    normal = normalize_escapes(path)
    assert unquote_to_bytes(normal) == unquote_to_bytes(path)
    assert normal.count("/") == path.count("/")
    assert normalize_escapes(normal) == normal


def test_the_canonical_url_keeps_what_the_link_says() -> None:
    url = canonicalize_url("https://example.com/a%2Fb/./c/?ref=home&amp&utm_medium=x")
    parts = urlsplit(url)
    assert (parts.path, parts.query) == ("/a%2Fb/c/", "amp&ref=home")
