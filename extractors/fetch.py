"""Polite, bounded HTTP fetching of feeds and article pages (the only module here that touches the network).

Every outcome is a `FetchResult`; a failure is a result with an `error` reason code, never an exception:
a dead host, a hostile redirect or a huge body must not stop a run.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx
from protego import Protego
from tld import get_fld

from extractors.reasons import Reason, http_reason
from extractors.types import FetchResult


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    """How politely and within which bounds we fetch. The `[fetch]` table of presswatch.toml."""

    user_agent: str = "presswatch (+https://github.com/presswatch/presswatch)"
    # Two connections per host is the ceiling RFC 2616 (section 8.1.4) asked of clients; polite crawlers keep it.
    per_host_concurrency: int = 2
    # A 5 s gap between request starts to one host: the order of the Crawl-delay values news sites publish.
    per_host_delay_s: float = 5.0
    allow_private_networks: bool = False
    # Host names (as written in URLs) that may resolve to private addresses while the rest may not: an
    # operator's internal feed mirror, or the loopback server of a test that also checks the refusal.
    allowed_private_hosts: tuple[str, ...] = ()
    respect_robots: bool = True
    # A feed or page that takes longer than this in total, or is larger once decompressed, is recorded as failed.
    timeout_s: float = 30.0
    max_bytes: int = 10 * 1024 * 1024
    # Five redirects: the limit RFC 1945 recommended and browsers' loop detectors are far above.
    max_redirects: int = 5
    # Requests in flight across all hosts; per-host limits still apply.
    max_in_flight: int = 32
    # Longest pause a Retry-After may impose inside one run; longer ones fail the request (next run retries).
    max_retry_after_s: float = 60.0


@dataclass(frozen=True, slots=True)
class FetchRequest:
    url: str
    kind: str = "page"  # "page" (robots.txt applies, HTML expected) or "feed"
    etag: str | None = None
    last_modified: str | None = None


# Resolves a host name to the addresses a connection may use; injectable so that tests can play DNS rebinding.
Resolver = Callable[[str, int], Awaitable[list[str]]]
# Hears ("start" | "done", url) for each request: progress for a person at a terminal, never a decision.
Watcher = Callable[[str, str], None]
HTML_TYPES = ("text/html", "application/xhtml+xml")
ROBOTS_AGENT = "presswatch"  # the token robots.txt rules name; the full User-Agent carries version and URL
# A robots.txt Crawl-delay raises the pause between request starts to that publisher, up to this: some sites ask
# for hours (86400 has been seen), which would stop a run that has a few dozen of their pages; a minute keeps us
# far below any real load and still finishes a publisher's new articles within an hourly run.
MAX_CRAWL_DELAY_S = 60.0


@dataclass
class _HostState:
    slots: asyncio.Semaphore
    start_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    next_start: float = 0.0
    backoff_until: float = 0.0
    crawl_delay: float = 0.0  # the publisher's robots.txt Crawl-delay (capped), a floor on the pause between starts
    client: httpx.AsyncClient | None = None  # created on the host's first request (Fetcher._client_for)


class _Refused(Exception):
    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


class Fetcher:
    """An async client with per-host politeness; use as `async with Fetcher(policy) as f: await f.fetch(...)`."""

    def __init__(
        self,
        policy: FetchPolicy,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        resolver: Resolver | None = None,
        watch: Watcher | None = None,
    ) -> None:
        """`transport` replaces the network (tests, `httpx.MockTransport`); the default one checks every address
        it connects to. `resolver` replaces the system's getaddrinfo for both checks."""
        self.policy = policy
        self._resolve = resolver or system_resolve
        self._watch = watch
        self._private_ok = frozenset(h.lower() for h in policy.allowed_private_hosts)
        self._transport = transport
        self._client: httpx.AsyncClient | None = None  # one client for every host, only with `transport`
        self._ssl_context: ssl.SSLContext | None = None
        self._hosts: dict[str, _HostState] = {}
        self._robots: dict[str, Protego | _Refused | None] = {}
        self._robots_locks: dict[str, asyncio.Lock] = {}
        self._in_flight = asyncio.Semaphore(policy.max_in_flight)

    async def __aenter__(self) -> Fetcher:
        if self._transport is not None:
            self._client = self._new_client(self._transport)
        else:
            # One TLS context for every host's client: building one loads the CA bundle, which is not free.
            self._ssl_context = httpx.create_ssl_context()
        return self

    def _new_client(self, transport: httpx.AsyncBaseTransport) -> httpx.AsyncClient:
        timeout = httpx.Timeout(self.policy.timeout_s, connect=min(10.0, self.policy.timeout_s))
        return httpx.AsyncClient(
            headers={"User-Agent": self.policy.user_agent, "Accept-Encoding": "gzip, deflate"},
            timeout=timeout,
            follow_redirects=False,  # followed by hand so that every hop is checked
            # Our transport resolves each host once, refuses non-public addresses and connects to the address it
            # checked (no second lookup for a rebinding DNS server to answer differently). Passing a transport also
            # keeps httpx from routing through environment proxies, which would resolve names where we cannot check.
            transport=transport,
        )

    def _client_for(self, host: _HostState) -> httpx.AsyncClient:
        """The host's own client: its connections stay open between its requests, and a request never scans
        another host's connections (httpcore checks every pooled connection of its pool on each request, so one
        pool for hundreds of hosts cost more CPU than the pages themselves)."""
        if self._client is not None:
            return self._client
        if host.client is None:
            host.client = self._new_client(
                CheckedTransport(
                    resolver=self._resolve,
                    allow_private_networks=self.policy.allow_private_networks,
                    allowed_private_hosts=self._private_ok,
                    max_connections=self.policy.per_host_concurrency,
                    ssl_context=self._ssl_context,
                )
            )
        return host.client

    async def __aexit__(self, *exc: object) -> None:
        if self._client is not None:
            await self._client.aclose()
        for host in self._hosts.values():
            if host.client is not None:
                await host.client.aclose()

    async def fetch_many(self, requests: Iterable[FetchRequest]) -> list[FetchResult]:
        return list(await asyncio.gather(*(self.fetch(r) for r in requests)))

    async def fetch(self, request: FetchRequest) -> FetchResult:
        started = time.monotonic()
        try:
            async with self._in_flight:
                if self._watch is not None:
                    self._watch("start", request.url)
                return await asyncio.wait_for(self._fetch(request, started), timeout=self.policy.timeout_s * 2)
        except TimeoutError:
            return _failure(request.url, Reason.TIMEOUT, "total deadline exceeded", started)
        finally:
            if self._watch is not None:
                self._watch("done", request.url)

    async def _fetch(self, request: FetchRequest, started: float) -> FetchResult:
        url = request.url
        headers: dict[str, str] = {}
        if request.etag:
            headers["If-None-Match"] = request.etag
        if request.last_modified:
            headers["If-Modified-Since"] = request.last_modified
        if request.kind == "page":
            headers["Accept"] = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"
        else:
            headers["Accept"] = (
                "application/rss+xml,application/atom+xml,application/xml;q=0.9,text/xml;q=0.9,*/*;q=0.1"
            )
        try:
            for _hop in range(self.policy.max_redirects + 1):
                await self._check_target(url)
                if request.kind == "page" and self.policy.respect_robots and not await self._allowed(url):
                    raise _Refused(Reason.ROBOTS_DISALLOWED, f"robots.txt of {urlsplit(url).netloc} disallows {url}")
                response = await self._send(url, headers)
                if response.status in (301, 302, 303, 307, 308) and response.location:
                    url = urljoin(url, response.location)
                    continue
                return self._finish(request, url, response, started)
            raise _Refused(Reason.TOO_MANY_REDIRECTS, f"more than {self.policy.max_redirects} redirects")
        except _Refused as exc:
            return _failure(request.url, exc.reason, exc.detail, started, final_url=url)
        except httpx.TimeoutException as exc:
            return _failure(
                request.url, Reason.TIMEOUT, f"{type(exc).__name__} after {self.policy.timeout_s}s", started
            )
        except httpx.ConnectError as exc:
            return _failure(request.url, Reason.CONNECT_ERROR, str(exc) or type(exc).__name__, started)
        except httpx.HTTPError as exc:
            return _failure(request.url, Reason.HTTP_ERROR, f"{type(exc).__name__}: {exc}", started)

    def _finish(self, request: FetchRequest, url: str, response: _Response, started: float) -> FetchResult:
        status = response.status
        result = FetchResult(
            url=request.url,
            final_url=url,
            status=status,
            content_type=response.content_type,
            etag=response.headers.get("etag"),
            last_modified=response.headers.get("last-modified"),
            elapsed_s=time.monotonic() - started,
            headers=response.headers,
        )
        if status == 304:
            return result
        if status >= 400:
            return replace(result, error=http_reason(status), detail=f"HTTP {status} from {url}")
        if request.kind == "page" and not _looks_like_html(response.content_type, response.body):
            kind = response.content_type or "unknown"
            return replace(result, error=Reason.NOT_HTML, detail=f"content type {kind} is not an HTML page")
        return replace(result, body=response.body)

    async def _send(self, url: str, headers: dict[str, str]) -> _Response:
        assert self._client is not None or self._ssl_context is not None, "use Fetcher as an async context manager"
        host = self._host(url)
        async with host.slots:
            await self._wait_turn(host, url)
            async with self._client_for(host).stream("GET", url, headers=headers) as response:
                result = await self._read(response)
            if result.status in (429, 503):
                pause = _retry_after(result.headers.get("retry-after")) or self.policy.per_host_delay_s * 4 or 1.0
                host.backoff_until = max(host.backoff_until, time.monotonic() + pause)
            return result

    async def _wait_turn(self, host: _HostState, url: str) -> None:
        async with host.start_lock:
            now = time.monotonic()
            wait = max(host.next_start, host.backoff_until) - now
            if host.backoff_until - now > self.policy.max_retry_after_s:
                raise _Refused(Reason.HOST_BACKOFF, f"{urlsplit(url).netloc} asked us to wait; retrying next run")
            if wait > 0:
                await asyncio.sleep(wait)
            host.next_start = time.monotonic() + max(self.policy.per_host_delay_s, host.crawl_delay)

    async def _read(self, response: httpx.Response) -> _Response:
        headers = {k.lower(): v for k, v in response.headers.items()}
        content_type = headers.get("content-type", "").split(";")[0].strip().lower()
        status = response.status_code
        if status in (301, 302, 303, 307, 308) or status == 304 or status >= 400:
            return _Response(status, headers, content_type, b"", headers.get("location"))
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.policy.max_bytes:
            raise _Refused(Reason.TOO_LARGE, f"Content-Length {declared} exceeds {self.policy.max_bytes} bytes")
        chunks: list[bytes] = []
        size = 0
        # aiter_bytes yields decoded (decompressed) bytes, so the bound also stops decompression bombs.
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > self.policy.max_bytes:
                raise _Refused(Reason.TOO_LARGE, f"body exceeds {self.policy.max_bytes} bytes")
            chunks.append(chunk)
        return _Response(status, headers, content_type, b"".join(chunks), None)

    async def _check_target(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise _Refused(Reason.BAD_SCHEME, f"only http and https are fetched, not {parts.scheme or 'none'}")
        hostname = parts.hostname
        if not hostname:
            raise _Refused(Reason.BAD_URL, f"no host in {url}")
        if self.policy.allow_private_networks or hostname.lower() in self._private_ok:
            return
        # An early, clear refusal before any request (robots.txt included); the connection itself is checked
        # again by CheckedTransport, on the addresses it actually connects to.
        _refuse_private(hostname, await _resolve_checked(self._resolve, hostname, parts.port or 80))

    async def _allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        key = f"{parts.scheme}://{parts.netloc}"
        async with self._robots_locks.setdefault(key, asyncio.Lock()):
            if key not in self._robots:
                self._robots[key] = await self._load_robots(key)
        rules = self._robots[key]
        if isinstance(rules, _Refused):
            raise rules
        return rules is None or bool(rules.can_fetch(url, ROBOTS_AGENT))

    async def _load_robots(self, origin: str) -> Protego | _Refused | None:
        """robots.txt per RFC 9309 (protego: `*` and `$` patterns, the longest matching rule wins, Allow wins a
        tie): 4xx means no rules; 5xx means fetch nothing from the host for now. Its Crawl-delay for us becomes a
        floor on the publisher's pause between requests, capped at MAX_CRAWL_DELAY_S.

        An unreachable host is remembered for the run with the reason, so every page of it fails with that reason.
        """
        try:
            response = await self._send(origin + "/robots.txt", {"Accept": "text/plain"})
        except _Refused as exc:
            return exc
        except httpx.TimeoutException:
            return _Refused(Reason.TIMEOUT, f"{origin}/robots.txt timed out")
        except httpx.ConnectError as exc:
            return _Refused(Reason.CONNECT_ERROR, f"{origin}: {exc or type(exc).__name__}")
        except httpx.HTTPError as exc:
            return _Refused(Reason.HTTP_ERROR, f"{origin}/robots.txt: {type(exc).__name__}: {exc}")
        if response.status in (301, 302, 303, 307, 308) or 400 <= response.status < 500:
            return None  # RFC 9309 lets crawlers follow; we treat a moved or missing robots.txt as "no rules"
        if response.status >= 500:
            return _Refused(Reason.ROBOTS_UNAVAILABLE, f"{origin}/robots.txt answered HTTP {response.status}")
        rules = Protego.parse(response.body.decode("utf-8", errors="replace"))
        delay = rules.crawl_delay(ROBOTS_AGENT)
        if delay:
            host = self._host(origin)
            host.crawl_delay = max(host.crawl_delay, min(float(delay), MAX_CRAWL_DELAY_S))
        return rules

    def _host(self, url: str) -> _HostState:
        key = politeness_key(url)
        state = self._hosts.get(key)
        if state is None:
            state = _HostState(slots=asyncio.Semaphore(self.policy.per_host_concurrency))
            self._hosts[key] = state
        return state


def politeness_key(url: str) -> str:
    """Whose servers a request loads: the registrable domain (www.bbc.co.uk and feeds.bbc.co.uk are one
    publisher), from the Public Suffix List the `tld` package bundles (no network). Addresses and names without a
    public suffix (127.0.0.11:8015, localhost) fall back to host and port, so demo outlets on loopback stay apart."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    try:
        ipaddress.ip_address(host)
    except ValueError:
        domain = get_fld(url, fail_silently=True) if "." in host else None
        if domain:
            return domain.lower()
    return parts.netloc.lower()


async def system_resolve(host: str, port: int) -> list[str]:
    """The addresses getaddrinfo gives for `host`, in its order of preference."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


async def _resolve_checked(resolve: Resolver, host: str, port: int) -> list[str]:
    try:
        addresses = await resolve(host, port)
    except socket.gaierror as exc:
        raise _Refused(Reason.DNS_ERROR, f"cannot resolve {host}: {exc.strerror}") from None
    if not addresses:
        raise _Refused(Reason.DNS_ERROR, f"cannot resolve {host}: no addresses")
    return addresses


def _refuse_private(host: str, addresses: Iterable[str]) -> None:
    for text in addresses:
        address = ipaddress.ip_address(text.split("%")[0])  # drop an IPv6 zone id ("fe80::1%eth0")
        if not address.is_global or address.is_multicast:
            raise _Refused(
                Reason.PRIVATE_ADDRESS,
                f"{host} resolves to {address}, a non-public address (fetch.allow_private_networks)",
            )


class _CheckedBackend(httpcore.AsyncNetworkBackend):
    """Connects only to addresses it has just resolved and checked (closes the DNS-rebinding gap).

    httpcore takes the TLS server name (SNI and certificate check) from the request's origin, and httpx the Host
    header from the URL, so connecting to the checked IP changes neither.
    """

    def __init__(self, resolve: Resolver, allow_private_networks: bool, allowed_hosts: Iterable[str] = ()) -> None:
        self._resolve = resolve
        self._allow_private = allow_private_networks
        self._allowed_hosts = frozenset(h.lower() for h in allowed_hosts)
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            addresses = await asyncio.wait_for(_resolve_checked(self._resolve, host, port), timeout)
        except TimeoutError:
            raise httpcore.ConnectTimeout(f"resolving {host} took longer than {timeout}s") from None
        if not (self._allow_private or host.lower() in self._allowed_hosts):
            _refuse_private(host, addresses)
        failure: httpcore.ConnectError | httpcore.ConnectTimeout | None = None
        for address in addresses:  # in getaddrinfo's order, like a plain connect would try them
            try:
                return await self._inner.connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        assert failure is not None
        raise failure

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise _Refused(Reason.BAD_URL, "unix sockets are never fetched")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class CheckedTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport, with a connection pool whose network backend is `_CheckedBackend`.

    httpx 0.28 has no public way to pass an httpcore network backend, so the pool is rebuilt here and put in
    place of the one `AsyncHTTPTransport.__init__` made (`_pool`, which `handle_async_request` uses). The test
    `test_dns_rebinding_is_refused_at_connect` fails if a future httpx stops using it.
    """

    def __init__(
        self,
        *,
        resolver: Resolver | None = None,
        allow_private_networks: bool = False,
        allowed_private_hosts: Iterable[str] = (),
        max_connections: int = 32,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        ssl_context = ssl_context or httpx.create_ssl_context()
        super().__init__(verify=ssl_context, limits=httpx.Limits(max_connections=max_connections))
        if not isinstance(getattr(self, "_pool", None), httpcore.AsyncConnectionPool):
            raise RuntimeError("this httpx version has no AsyncHTTPTransport._pool; CheckedTransport needs updating")
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context,
            max_connections=max_connections,
            # Every connection may stay open between requests (httpx's default keeps 20): a host's next page
            # reuses it instead of a new name lookup, handshake and socket.
            max_keepalive_connections=max_connections,
            keepalive_expiry=5.0,  # httpx's default
            http1=True,
            http2=False,
            network_backend=_CheckedBackend(resolver or system_resolve, allow_private_networks, allowed_private_hosts),
        )


@dataclass(frozen=True, slots=True)
class _Response:
    status: int
    headers: dict[str, str]
    content_type: str
    body: bytes
    location: str | None


def fetch_all(
    policy: FetchPolicy,
    requests: Sequence[FetchRequest],
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    resolver: Resolver | None = None,
    watch: Watcher | None = None,
) -> list[FetchResult]:
    """Fetch many URLs concurrently (per-host limits apply) from synchronous code; results keep input order.
    `watch("start" | "done", url)` hears of each request as it starts and ends (progress on a terminal)."""

    async def run() -> list[FetchResult]:
        async with Fetcher(policy, transport=transport, resolver=resolver, watch=watch) as fetcher:
            return await fetcher.fetch_many(requests)

    return asyncio.run(run())


class BackgroundFetcher:
    """One `Fetcher` for a whole run, on an event loop in its own thread, fed from synchronous code:
    `submit(requests)` returns a future of the results (in input order) while the caller does other work.

    Politeness spans every submission: robots.txt is read once per host, per-host concurrency, delays and a
    Retry-After hold across batches, and connections are kept alive between them. Use as a context manager."""

    def __init__(
        self,
        policy: FetchPolicy,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        resolver: Resolver | None = None,
        watch: Watcher | None = None,
    ) -> None:
        self._loop = asyncio.new_event_loop()
        self._fetcher = Fetcher(policy, transport=transport, resolver=resolver, watch=watch)
        self._thread = threading.Thread(target=self._loop.run_forever, name="presswatch-fetch", daemon=True)

    def __enter__(self) -> BackgroundFetcher:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._fetcher.__aenter__(), self._loop).result()
        return self

    def submit(self, requests: Sequence[FetchRequest]) -> concurrent.futures.Future[list[FetchResult]]:
        return asyncio.run_coroutine_threadsafe(self._fetcher.fetch_many(list(requests)), self._loop)

    def __exit__(self, *exc: object) -> None:
        async def close() -> None:
            current = asyncio.current_task()
            for task in asyncio.all_tasks():
                if task is not current:
                    task.cancel()
            await self._fetcher.__aexit__()

        try:
            asyncio.run_coroutine_threadsafe(close(), self._loop).result(timeout=30)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)
            if not self._thread.is_alive():
                self._loop.close()


def _looks_like_html(content_type: str, body: bytes) -> bool:
    if content_type:
        return content_type in HTML_TYPES
    head = body[:512].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<body")) or b"<html" in head


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _failure(url: str, reason: str, detail: str, started: float, *, final_url: str | None = None) -> FetchResult:
    return FetchResult(
        url=url,
        final_url=final_url or url,
        status=None,
        error=reason,
        detail=detail,
        elapsed_s=time.monotonic() - started,
    )
