from __future__ import annotations

import gzip
import itertools
import socket
import threading
import time
from collections.abc import Callable, Iterator

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


@pytest.mark.parametrize("status", [410, 500])
def test_gone_and_server_error_are_recorded(server: LoopbackServer, status: int) -> None:
    server.routes["/feed.xml"] = lambda r: (status, {"Content-Type": "text/plain"}, b"no")
    result = _one(server, "/feed.xml", kind="feed")
    assert result.error == f"http_{status}" and result.status == status and result.body == b""


def _endless(chunk: bytes, pause_s: float = 0.0) -> Iterator[bytes]:
    while True:
        yield chunk
        if pause_s:
            time.sleep(pause_s)


def test_an_endless_body_is_cut_by_the_size_bound(server: LoopbackServer) -> None:
    server.routes["/endless"] = lambda r: (200, {"Content-Type": "application/rss+xml"}, _endless(b"<item/>" * 1000))
    started = time.monotonic()
    result = _one(server, "/endless", kind="feed")
    assert result.error == "too_large" and result.body == b""
    assert time.monotonic() - started < 3


def test_an_endless_trickle_is_cut_by_the_deadline(server: LoopbackServer) -> None:
    # One byte every 20 ms never trips the read timeout; the total deadline ends it.
    server.routes["/trickle"] = lambda r: (200, {"Content-Type": "application/rss+xml"}, _endless(b"<", 0.02))
    policy = FetchPolicy(per_host_delay_s=0.0, allow_private_networks=True, timeout_s=0.2, max_bytes=10_000_000)
    result = _one(server, "/trickle", policy, kind="feed")
    assert result.error == "timeout" and "deadline" in result.detail
    assert result.elapsed_s < 1.5


def _in_flight_counter(log: list[tuple[float, int]]) -> Callable[[Request], tuple[int, dict[str, str], bytes]]:
    lock = threading.Lock()
    current = [0]

    def route(request: Request) -> tuple[int, dict[str, str], bytes]:
        with lock:
            current[0] += 1
            log.append((time.monotonic(), current[0]))
        time.sleep(0.05)
        with lock:
            current[0] -= 1
        return 200, {"Content-Type": "application/rss+xml"}, b"<rss/>"

    return route


def test_per_host_cap_is_observed_at_the_server() -> None:
    servers = [LoopbackServer().start(), LoopbackServer().start()]
    try:
        logs: list[list[tuple[float, int]]] = [[], []]
        for srv, log in zip(servers, logs, strict=True):
            srv.routes["/f"] = _in_flight_counter(log)
        policy = FetchPolicy(per_host_delay_s=0.0, per_host_concurrency=2, allow_private_networks=True, timeout_s=5.0)
        requests = [FetchRequest(url=srv.url(f"/f?{i}"), kind="feed") for i in range(6) for srv in servers]
        assert all(r.ok for r in fetch_all(policy, requests))
        # Each host saw at most two requests at once, and did see two: the cap is used, not just respected.
        assert [max(n for _, n in log) for log in logs] == [2, 2]
        # The two hosts were served side by side, not one after the other.
        assert min(t for t, _ in logs[1]) < max(t for t, _ in logs[0])
    finally:
        for srv in servers:
            srv.stop()


def test_per_host_delay_is_observed_in_request_start_times(server: LoopbackServer) -> None:
    server.routes["/f"] = lambda r: (200, {"Content-Type": "application/rss+xml"}, b"<rss/>")
    policy = FetchPolicy(per_host_delay_s=0.1, per_host_concurrency=2, allow_private_networks=True, timeout_s=5.0)
    assert all(
        r.ok for r in fetch_all(policy, [FetchRequest(url=server.url(f"/f?{i}"), kind="feed") for i in range(4)])
    )
    starts = sorted(r.started for r in server.log)
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert len(gaps) == 3 and min(gaps) >= 0.09  # a little slack for the clock of another thread


def test_last_modified_round_trip_without_etag(server: LoopbackServer) -> None:
    stamp = "Wed, 12 Aug 2015 07:00:00 GMT"

    def feed(request: Request) -> tuple[int, dict[str, str], bytes]:
        if request.headers.get("if-modified-since") == stamp:
            return 304, {"Last-Modified": stamp}, b""
        return 200, {"Content-Type": "application/rss+xml", "Last-Modified": stamp}, b"<rss/>"

    server.routes["/lm.rss"] = feed
    first = _one(server, "/lm.rss", kind="feed")
    assert first.ok and first.etag is None and first.last_modified == stamp and first.body == b"<rss/>"
    second = _one(server, "/lm.rss", kind="feed", etag=first.etag, last_modified=first.last_modified)
    assert second.not_modified and second.body == b""
    assert "if-none-match" not in server.log[-1].headers and server.log[-1].headers["if-modified-since"] == stamp


def test_a_mixed_run_records_every_bad_case_and_fetches_the_good_ones(server: LoopbackServer) -> None:
    good = b'<?xml version="1.0"?><rss version="2.0"><channel><title>ok</title></channel></rss>'
    server.routes["/good1.rss"] = lambda r: (200, {"Content-Type": "application/rss+xml"}, good)
    server.routes["/good2.rss"] = lambda r: (200, {"Content-Type": "application/rss+xml"}, good)
    for i in range(8):
        server.routes[f"/loop{i}"] = lambda r, i=i: (302, {"Location": f"/loop{i + 1}"}, b"")
    server.routes["/slow"] = lambda r: (time.sleep(0.6), (200, {}, b"<rss/>"))[1]  # type: ignore[func-returns-value]
    bomb = gzip.compress(b"<rss>" + b"\0" * 2_000_000)
    server.routes["/bomb"] = lambda r: (200, {"Content-Type": "application/rss+xml", "Content-Encoding": "gzip"}, bomb)
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        dead_port = sock.getsockname()[1]
    # Private networks are refused except for the one host the test server runs on; "localhost" stays refused.
    policy = FetchPolicy(per_host_delay_s=0.0, timeout_s=0.3, max_bytes=100_000, allowed_private_hosts=("127.0.0.1",))
    port = server.base.rsplit(":", 1)[1]
    cases = [
        (FetchRequest(url=server.url("/good1.rss"), kind="feed"), None),
        (FetchRequest(url=server.url("/loop0"), kind="feed"), "too_many_redirects"),
        (FetchRequest(url=server.url("/slow"), kind="feed"), "timeout"),
        (FetchRequest(url=server.url("/bomb"), kind="feed"), "too_large"),
        (FetchRequest(url=server.url("/misc/papers.pdf")), "not_html"),
        (FetchRequest(url=server.url("/news/gone.html")), "http_404"),
        (FetchRequest(url=f"http://127.0.0.1:{dead_port}/feed.rss", kind="feed"), "connect_error"),
        (FetchRequest(url=f"http://localhost:{port}/good1.rss", kind="feed"), "private_address"),
        (FetchRequest(url=server.url("/good2.rss"), kind="feed"), None),
        (FetchRequest(url=server.url("/news/amnesty-vote.html")), None),
    ]
    results = fetch_all(policy, [request for request, _ in cases])
    assert [r.error for r in results] == [reason for _, reason in cases]
    assert all(r.detail for r in results if r.error)
    assert results[0].body == good and results[8].body == good and b"Dublin" in results[9].body


def test_dns_rebinding_is_refused_at_connect(server: LoopbackServer) -> None:
    # The name first resolves to a public address (the early check passes), then to loopback when httpx
    # connects. The transport resolves once more, checks, and refuses; nothing reaches the server.
    answers = ["93.184.216.34", "127.0.0.1"]

    async def resolve(host: str, port: int) -> list[str]:
        return [answers.pop(0) if len(answers) > 1 else answers[0]]

    port = server.base.rsplit(":", 1)[1]
    strict = FetchPolicy(per_host_delay_s=0.0, timeout_s=2.0)
    result = fetch_all(
        strict, [FetchRequest(url=f"http://rebind.test:{port}/feed.rss", kind="feed")], resolver=resolve
    )[0]
    assert result.error == "private_address" and "127.0.0.1" in result.detail
    assert server.log == []


def test_the_transport_connects_to_the_address_it_checked(server: LoopbackServer) -> None:
    # A name only our resolver knows: the connection can only have used the address the check saw, and the
    # Host header still names the URL's host.
    server.routes["/feed.rss"] = lambda r: (200, {"Content-Type": "application/rss+xml"}, b"<rss/>")
    seen: list[str] = []

    async def resolve(host: str, port: int) -> list[str]:
        seen.append(host)
        return ["127.0.0.1"]

    port = server.base.rsplit(":", 1)[1]
    policy = FetchPolicy(per_host_delay_s=0.0, timeout_s=2.0, allowed_private_hosts=("feeds.internal.test",))
    result = fetch_all(
        policy, [FetchRequest(url=f"http://feeds.internal.test:{port}/feed.rss", kind="feed")], resolver=resolve
    )[0]
    assert result.ok and result.body == b"<rss/>"
    assert server.log[0].headers["host"] == f"feeds.internal.test:{port}"


@pytest.mark.parametrize(
    ("url", "key"),
    [
        pytest.param("https://www.bbc.co.uk/news/x", "bbc.co.uk", id="www"),
        pytest.param("https://feeds.bbc.co.uk/rss", "bbc.co.uk", id="same-publisher"),
        pytest.param("https://a.b.theguardian.com:8443/x", "theguardian.com", id="deep-subdomain-and-port"),
        pytest.param("https://alice.blogspot.com/x", "alice.blogspot.com", id="private-suffix"),
        pytest.param("http://127.0.0.11:8015/a", "127.0.0.11:8015", id="address-keeps-port"),
        pytest.param("http://localhost:8000/x", "localhost:8000", id="no-public-suffix"),
    ],
)
def test_politeness_is_per_registrable_domain(url: str, key: str) -> None:
    from extractors.fetch import politeness_key

    assert politeness_key(url) == key


def test_a_watcher_hears_each_request_start_and_end_and_progress_names_the_host_awaited(
    server: LoopbackServer,
) -> None:
    """The terminal's progress: every request is reported when it starts and when it ends (failures too), and
    while one is outstanding its host is named, so a feed that never answers is not silent."""
    from flows import progress

    release = threading.Event()

    def slow(request: Request) -> tuple[int, dict[str, str], bytes]:
        release.wait(5)
        return 200, {"Content-Type": "application/rss+xml"}, b"<rss/>"

    server.routes["/slow.rss"] = slow
    recorded: list[tuple[str, object]] = []

    class Recording:  # the Reporter protocol a terminal bar implements
        def start(self, stage: str, total: int) -> None:
            recorded.append(("start", total))

        def advance(self, stage: str, count: int) -> None:
            recorded.append(("advance", count))

        def waiting(self, stage: str, hosts: list[str]) -> None:
            recorded.append(("waiting", tuple(hosts)))

    progress._reporter = Recording()
    try:
        watch = progress.fetch_watcher("feeds")
        assert watch is not None
        urls = [server.url("/feed.rss"), server.url("/none.rss"), server.url("/slow.rss")]
        timer = threading.Timer(1.0, release.set)
        timer.start()
        results = fetch_all(POLICY, [FetchRequest(u, kind="feed") for u in urls], watch=watch)
    finally:
        progress._reporter = None
        release.set()
    assert [r.ok for r in results] == [True, False, True]
    assert [e for e in recorded if e[0] == "advance"] == [("advance", 1)] * 3
    host = server.base.split("//")[1].split(":")[0]
    waits = [e[1] for e in recorded if e[0] == "waiting"]
    assert (host,) in waits and waits[-1] == ()  # the slow one named while awaited; nothing left at the end
    assert progress.fetch_watcher("feeds") is None  # nobody watching: no hook at all


ROBOTS_9309 = """User-agent: *
Disallow: /*?share=
Disallow: /*.pdf$
Disallow: /news/
Allow: /news/public
Crawl-delay: 1.5
"""


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        pytest.param("/story.html?share=twitter", False, id="wildcard-query"),
        pytest.param("/papers/annual.pdf", False, id="dollar-end"),
        pytest.param("/papers/annual.pdf.html", True, id="dollar-not-end"),
        pytest.param("/news/local.html", False, id="disallow-prefix"),
        pytest.param("/news/public/story.html", True, id="longest-match-allow-wins"),
        pytest.param("/opinion/story.html", True, id="no-rule"),
    ],
)
def test_robots_txt_per_rfc_9309(server: LoopbackServer, path: str, allowed: bool) -> None:
    """`*` and `$` patterns, and the longest matching rule wins whatever its order (urllib.robotparser got each of
    these wrong: it ignores wildcards and applies the first matching rule)."""
    server.routes["/robots.txt"] = lambda request: (200, {"Content-Type": "text/plain"}, ROBOTS_9309.encode())
    page = lambda request: (200, {"Content-Type": "text/html"}, b"<html><body>x</body></html>")  # noqa: E731
    server.routes[path.split("?")[0]] = page
    result = _one(server, path)
    assert (result.error != "robots_disallowed") == allowed
    assert any(r.path.split("?")[0] == path.split("?")[0] for r in server.log) == allowed


def test_robots_crawl_delay_is_a_floor_on_the_publishers_pause_and_capped(server: LoopbackServer) -> None:
    from extractors import fetch

    server.routes["/robots.txt"] = lambda request: (200, {"Content-Type": "text/plain"}, ROBOTS_9309.encode())
    for name in ("/a.html", "/b.html", "/c.html"):
        server.routes[name] = lambda request: (200, {"Content-Type": "text/html"}, b"<html><body>x</body></html>")
    requests = [FetchRequest(server.url(p)) for p in ("/a.html", "/b.html", "/c.html")]
    assert all(r.ok for r in fetch_all(POLICY, requests))  # per_host_delay_s = 0 in POLICY
    starts = sorted(r.started for r in server.log if r.path.endswith(".html"))
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert all(gap >= 1.4 for gap in gaps), gaps  # Crawl-delay: 1.5
    assert fetch.MAX_CRAWL_DELAY_S == 60.0
    server.log.clear()
    huge = ROBOTS_9309.replace("Crawl-delay: 1.5", "Crawl-delay: 86400")
    server.routes["/robots.txt"] = lambda request: (200, {"Content-Type": "text/plain"}, huge.encode())
    original = fetch.MAX_CRAWL_DELAY_S
    fetch.MAX_CRAWL_DELAY_S = 0.5  # the cap, shrunk so that the test stays fast
    try:
        assert all(r.ok for r in fetch_all(POLICY, requests[:2]))
    finally:
        fetch.MAX_CRAWL_DELAY_S = original
    starts = sorted(r.started for r in server.log if r.path.endswith(".html"))
    assert 0.4 <= starts[1] - starts[0] < 5
