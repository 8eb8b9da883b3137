from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from extractors.urls import InvalidURLError, canonicalize_url


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
    ],
)
def test_canonicalize(raw: str, expected: str) -> None:
    assert canonicalize_url(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("ftp://example.com/file", id="scheme"),
        pytest.param("javascript:alert(1)", id="javascript"),
        pytest.param("https:///nohost", id="no-host"),
        pytest.param("http://example.com:99999/", id="bad-port"),
    ],
)
def test_canonicalize_rejects(raw: str) -> None:
    with pytest.raises(InvalidURLError):
        canonicalize_url(raw)


_segment = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="/?#\x00"), max_size=8)


@given(
    path=st.lists(_segment, max_size=4),
    query=st.lists(st.tuples(st.sampled_from(["a", "b", "utm_x", "ref", "Q"]), _segment), max_size=4),
    fragment=_segment,
    host=st.sampled_from(["Example.com", "news.example.org", "127.0.0.1:8015", "xn--bcher-kva.example"]),
)
def test_canonicalize_is_idempotent(path: list[str], query: list[tuple[str, str]], fragment: str, host: str) -> None:
    from urllib.parse import quote

    url = f"https://{host}/" + "/".join(quote(p) for p in path)
    if query:
        url += "?" + "&".join(f"{k}={quote(v)}" for k, v in query)
    url += "#" + quote(fragment)
    once = canonicalize_url(url)
    assert canonicalize_url(once) == once
