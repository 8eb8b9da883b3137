from __future__ import annotations

import gzip
import time

import pytest

from extractors.fetch import FetchPolicy, FetchRequest, fetch_all
from tests.loopback import LoopbackServer, Request

POLICY = FetchPolicy(
    user_agent="presswatch-test/0 (+https://example.org)",
    per_host_delay_s=0.0,
    allow_private_networks=True,
    timeout_s=5.0,
    max_bytes=100_000,
)


def _one(server: LoopbackServer, path: str, policy: FetchPolicy = POLICY, **kw: object) -> object:
    return fetch_all(policy, [FetchRequest(url=server.url(path), **kw)])[0]  # type: ignore[arg-type]


def test_page_fetch_sends_our_user_agent(server: LoopbackServer) -> None:
    result = _one(server, "/news/amnesty-vote.html")
    assert result.ok and result.status == 200 and b"Dublin" in result.body
    page_requests = [r for r in server.log if r.path.startswith("/news/")]
    assert page_requests[0].headers["user-agent"] == POLICY.user_agent


def test_http_error_is_a_reason(server: LoopbackServer) -> None:
    result = _one(server, "/news/gone.html")
    assert result.error == "http_404" and result.status == 404


def test_robots_txt_is_obeyed_for_pages_and_cached(server: LoopbackServer) -> None:
    results = fetch_all(
        POLICY,
        [
            FetchRequest(url=server.url("/private/members.html")),
            FetchRequest(url=server.url("/news/amnesty-vote.html")),
        ],
    )
    assert results[0].error == "robots_disallowed"
    assert results[1].ok
    assert [r.path for r in server.log].count("/robots.txt") == 1
    assert not any(r.path.startswith("/private/") for r in server.log)


def test_robots_txt_does_not_apply_to_feeds(server: LoopbackServer) -> None:
    server.routes["/private/feed.rss"] = lambda r: (200, {"Content-Type": "application/rss+xml"}, b"<rss/>")
    assert _one(server, "/private/feed.rss", kind="feed").ok


def test_not_html_is_recorded(server: LoopbackServer) -> None:
    result = _one(server, "/misc/papers.pdf")
    assert result.error == "not_html" and "application/pdf" in result.detail and result.body == b""


def test_private_addresses_are_refused_by_default(server: LoopbackServer) -> None:
    strict = FetchPolicy(per_host_delay_s=0.0, timeout_s=5.0)
    result = _one(server, "/news/amnesty-vote.html", strict)
    assert result.error == "private_address" and "127.0.0.1" in result.detail
    assert server.log == []


def test_body_size_is_bounded_while_streaming(server: LoopbackServer) -> None:
    big = b"<html>" + b"x" * 200_000
    server.routes["/big"] = lambda r: (200, {"Content-Type": "text/html", "Content-Length": str(len(big))}, big)
    server.routes["/chunked-big"] = lambda r: (200, {"Content-Type": "text/html", "Content-Length": ""}, big)
    assert _one(server, "/big").error == "too_large"


def test_decompression_bomb_is_bounded(server: LoopbackServer) -> None:
    bomb = gzip.compress(b"<html>" + b"\0" * 5_000_000)  # about 5 KB on the wire, 5 MB decoded
    assert len(bomb) < POLICY.max_bytes
    server.routes["/bomb"] = lambda r: (200, {"Content-Type": "text/html", "Content-Encoding": "gzip"}, bomb)
    result = _one(server, "/bomb")
    assert result.error == "too_large"


def test_redirects_are_followed_and_bounded(server: LoopbackServer) -> None:
    server.routes["/moved"] = lambda r: (301, {"Location": "/news/amnesty-vote.html"}, b"")
    for i in range(10):
        server.routes[f"/loop{i}"] = lambda r, i=i: (302, {"Location": f"/loop{i + 1}"}, b"")
    moved = _one(server, "/moved")
    assert moved.ok and moved.final_url.endswith("/news/amnesty-vote.html")
    looped = _one(server, "/loop0")
    assert looped.error == "too_many_redirects"
    assert sum(r.path.startswith("/loop") for r in server.log) == POLICY.max_redirects + 1


def test_redirect_to_another_scheme_is_refused(server: LoopbackServer) -> None:
    server.routes["/to-file"] = lambda r: (302, {"Location": "file:///etc/passwd"}, b"")
    assert _one(server, "/to-file").error == "bad_scheme"


def test_conditional_get_sends_validators_and_understands_304(server: LoopbackServer) -> None:
    def feed(request: Request) -> tuple[int, dict[str, str], bytes]:
        if request.headers.get("if-none-match") == '"v1"':
            return 304, {}, b""
        return (
            200,
            {"Content-Type": "application/rss+xml", "ETag": '"v1"', "Last-Modified": "Tue, 11 Aug 2015 18:30:00 GMT"},
            b"<rss/>",
        )

    server.routes["/cond.rss"] = feed
    first = _one(server, "/cond.rss", kind="feed")
    assert first.ok and first.etag == '"v1"' and first.last_modified == "Tue, 11 Aug 2015 18:30:00 GMT"
    second = _one(server, "/cond.rss", kind="feed", etag=first.etag, last_modified=first.last_modified)
    assert second.not_modified and second.ok and second.body == b""
    assert server.log[-1].headers["if-modified-since"] == "Tue, 11 Aug 2015 18:30:00 GMT"


def test_dead_host_is_a_reason_not_an_exception() -> None:
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = fetch_all(POLICY, [FetchRequest(url=f"http://127.0.0.1:{port}/x")])[0]
    assert result.error == "connect_error"


def test_slow_server_times_out(server: LoopbackServer) -> None:
    def slow(request: Request) -> tuple[int, dict[str, str], bytes]:
        time.sleep(1.5)
        return 200, {"Content-Type": "text/html"}, b"<html></html>"

    server.routes["/slow"] = slow
    policy = FetchPolicy(per_host_delay_s=0.0, allow_private_networks=True, timeout_s=0.5)
    assert _one(server, "/slow", policy).error == "timeout"


def test_per_host_delay_spaces_request_starts(server: LoopbackServer) -> None:
    policy = FetchPolicy(per_host_delay_s=0.2, allow_private_networks=True, respect_robots=False, timeout_s=5.0)
    started = time.monotonic()
    results = fetch_all(policy, [FetchRequest(url=server.url(f"/news/amnesty-vote.html?n={i}")) for i in range(4)])
    assert all(r.ok for r in results)
    assert time.monotonic() - started >= 0.6  # three gaps of 0.2 s between four starts


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_is_honoured(server: LoopbackServer, status: int) -> None:
    server.routes["/busy"] = lambda r: (status, {"Retry-After": "3600"}, b"")
    serial = FetchPolicy(per_host_delay_s=0.0, per_host_concurrency=1, allow_private_networks=True, timeout_s=5.0)
    results = fetch_all(serial, [FetchRequest(url=server.url(f"/busy?{i}")) for i in range(3)])
    assert results[0].error == f"http_{status}"
    # The host asked for an hour: the rest of the run leaves it alone.
    assert [r.error for r in results[1:]] == ["host_backoff", "host_backoff"]
    assert sum(r.path.startswith("/busy") for r in server.log) == 1
