"""A synthetic news web for the benchmarks: generated feeds and article pages served on many loopback hosts.

    with ServerFarm(hosts=40, latency_s=0.05, corpora=[Corpus("c1", feeds=500, articles_per_feed=4)]) as farm:
        farm.feed_urls("c1")   # http://127.0.1.1:PORT/c1/feed-0.xml, ...

Every host is its own loopback address (127.0.1.1, 127.0.1.2, ..., then 127.0.2.x; always inside 127.0.0.0/8)
so that per-host politeness applies exactly as it does on the real web. One asyncio event loop in a background
thread serves them all (HTTP/1.1 with keep-alive, thousands of concurrent connections), sleeping `latency_s`
before each answer. Pages and feeds are generated on request from a seed, so a page is byte-for-byte the same on
every request, nothing is held in memory, and a second run over the same corpus finds nothing new: feeds with an
even index send an ETag and answer 304 to `If-None-Match`; odd ones send no validators and an unchanged body.

Article text comes from a small built-in vocabulary: about two thirds of the articles are about the topic
(Amnesty, its council vote, sex work, decriminalisation) with supportive, opposed or neutral phrasing in the
author's voice and in quotations; the rest are off-topic news. Each sentence is drawn at random, so 5-word
shingles are not shared by chance between articles, except by the deliberate wire copies (2%: the same text on
another outlet), as on the real web. Pages carry the boilerplate of a news site (menus, related links, footer)
up to about `page_bytes`, so that extraction does realistic work.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import html
import random
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

# --- the corpus ------------------------------------------------------------------------------------------------

_PLAIN = (
    "the a of in on for with and to at by from about after before over under between during this that these "
    "their its our new old public local national government minister city council report week year day people "
    "group members officials police court law bill plan budget health school water energy market workers union "
    "state region office community service policy debate issue question support concern change rights women men "
    "families children study data figures record number share rise fall growth cost price tax housing transport "
    "railway election party leader campaign vote voters poll survey hospital doctors nurses teachers students "
    "farmers business industry company companies jobs wages strike protest statement meeting talks agreement "
    "climate weather storm flood river coast harbour festival museum theatre music film book library football "
    "match season club coach players fans stadium morning evening afternoon spring summer autumn winter months "
    "several many most some few first last next second major small large early late recent current former "
    "important difficult clear open long short high low strong weak local regional international european"
).split()
_VERBS = (
    "announced published discussed reviewed approved rejected delayed expanded reduced increased described "
    "examined considered questioned welcomed criticised defended proposed introduced confirmed"
).split()
_TOPIC = [
    "Amnesty International",
    "Amnesty's International Council",
    "the council meeting in Dublin",
    "the resolution on sex work",
    "decriminalisation of sex work",
    "the decriminalisation of consensual adult sex work",
    "sex workers",
    "the vote in Dublin",
    "Amnesty's new policy",
    "the human rights of sex workers",
    "prostitution laws",
    "the sex trade",
]
_OWN = {
    "supportive": [
        "Amnesty is right",
        "the vote was brave and overdue",
        "an evidence-based decision that protects sex workers",
        "a victory for human rights",
        "Amnesty deserves credit",
    ],
    "opposed": [
        "a betrayal of women",
        "the policy is a disgrace",
        "Amnesty got this badly wrong",
        "a gift to pimps and traffickers",
        "members should reject the policy",
    ],
    "neutral": [
        "delegates debated the proposal",
        "the organisation explained its reasoning",
        "the decision will be reviewed",
        "the draft was circulated to sections",
    ],
}
_SPEAKERS = ["a spokeswoman for the group", "the campaign director", "one delegate", "a researcher", "a survivor"]
_STANCES = ("supportive", "opposed", "neutral", "off_topic")
_OUTLET_WORDS = "Courier Herald Gazette Tribune Post Times Chronicle Observer Mail Echo Star Journal".split()
_TOWN_WORDS = "Harbour River Hill North South East West Bay Lake Valley Port Bridge".split()
# Dates spread over three years from the resolution's season, so that reports have many weeks of data.
CORPUS_START = datetime(2015, 1, 5, 8, 0, tzinfo=UTC)
CORPUS_DAYS = 3 * 365
WIRE_COPY_EVERY = 50  # one article in fifty is a copy of another outlet's article (a wire story)


@dataclass(frozen=True, slots=True)
class Corpus:
    """A set of feeds and their articles, served under `/<name>/` on every host (feed i on host i mod hosts)."""

    name: str
    feeds: int
    articles_per_feed: int
    page_bytes: int = 60_000
    seed: int = 2015

    @property
    def articles(self) -> int:
        return self.feeds * self.articles_per_feed


def outlet_name(host: int) -> str:
    return f"The {_TOWN_WORDS[host % len(_TOWN_WORDS)]} {_OUTLET_WORDS[(host // 12) % len(_OUTLET_WORDS)]} {host}"


def _rng(*parts: object) -> random.Random:
    digest = hashlib.blake2b("/".join(map(str, parts)).encode(), digest_size=8).digest()
    return random.Random(int.from_bytes(digest, "big"))


def _sentence(rng: random.Random, insert: str | None = None) -> str:
    words = rng.choices(_PLAIN, k=rng.randint(9, 18))
    words.insert(rng.randint(1, 3), rng.choice(_VERBS))
    if insert:
        words.insert(rng.randint(0, len(words)), insert)
    text = " ".join(words)
    return text[0].upper() + text[1:] + "."


def article_text(corpus: Corpus, feed: int, index: int, chars: int = 4500) -> tuple[str, str, str]:
    """(title, stance drawn, paragraphs joined by blank lines) of one article; deterministic."""
    if index == 0 and feed % WIRE_COPY_EVERY == 1:
        return article_text(corpus, feed - 1, 0, chars)  # a wire copy: the neighbouring outlet's story
    rng = _rng(corpus.seed, corpus.name, feed, index)
    stance = _STANCES[rng.randrange(len(_STANCES))]
    if stance == "off_topic":
        title = _sentence(rng)[:-1]
    else:
        title = f"{rng.choice(_TOPIC)[0].upper()}{rng.choice(_TOPIC)[1:]}: {_sentence(rng, rng.choice(_VERBS))[:-1]}"
    paragraphs: list[str] = []
    size = 0
    while size < chars:
        sentences = []
        for _ in range(rng.randint(3, 5)):
            cue: str | None = None
            if stance != "off_topic":
                roll = rng.random()
                if roll < 0.35:
                    cue = rng.choice(_TOPIC)
                elif roll < 0.45:
                    cue = rng.choice(_OWN[stance])
                elif roll < 0.52:
                    side = rng.choice(("supportive", "opposed"))
                    cue = f'"{rng.choice(_OWN[side])}," said {rng.choice(_SPEAKERS)},'
            sentences.append(_sentence(rng, cue))
        paragraph = " ".join(sentences)
        paragraphs.append(paragraph)
        size += len(paragraph) + 2
    return title, stance, "\n\n".join(paragraphs)


def published_at(corpus: Corpus, feed: int, index: int) -> datetime:
    rng = _rng("date", corpus.seed, corpus.name, feed, index)
    return CORPUS_START + timedelta(days=rng.randrange(CORPUS_DAYS), minutes=rng.randrange(24 * 60))


def article_path(corpus: Corpus, feed: int, index: int) -> str:
    day = published_at(corpus, feed, index)
    return f"/{corpus.name}/{day:%Y/%m/%d}/story-{feed}-{index}.html"


def render_page(corpus: Corpus, host: int, feed: int, index: int) -> bytes:
    """An article page with a news site's boilerplate around the text, padded to about `corpus.page_bytes`."""
    title, _stance, text = article_text(corpus, feed, index)
    outlet = outlet_name(host)
    when = published_at(corpus, feed, index).isoformat()
    esc = html.escape
    nav = "".join(f'<li><a href="/{corpus.name}/section/{w}">{w.title()}</a></li>' for w in _PLAIN[:40])
    body = "".join(f"<p>{esc(p)}</p>\n" for p in text.split("\n\n"))
    head = (
        f"<!doctype html>\n<html lang='en'><head><meta charset='utf-8'><title>{esc(title)} | {esc(outlet)}</title>"
        f"<meta property='og:title' content='{esc(title)}'><meta property='og:site_name' content='{esc(outlet)}'>"
        f"<meta property='article:published_time' content='{when}'><meta name='author' content='Staff reporter'>"
        "<link rel='stylesheet' href='/static/site.css'></head><body>"
        f"<header><div class='brand'>{esc(outlet)}</div><nav><ul>{nav}</ul></nav></header>"
        f"<main><article><h1>{esc(title)}</h1><p class='byline'>By Staff reporter, {when[:10]}</p>\n{body}"
        "</article>"
    )
    bank = _teasers(corpus.name)
    start = _rng("related", corpus.seed, corpus.name, feed, index).randrange(len(bank))
    related: list[str] = []
    size = len(head) + 400
    while size < corpus.page_bytes:
        link = bank[(start + len(related)) % len(bank)]
        related.append(link)
        size += len(link)
    tail = (
        f"<aside><h2>More from {esc(outlet)}</h2><ul>{''.join(related)}</ul></aside></main>"
        "<footer><p>All rights reserved. Contact, privacy, terms, advertising.</p></footer></body></html>"
    )
    return (head + tail).encode("utf-8")


@functools.cache
def _teasers(name: str, count: int = 4000) -> tuple[str, ...]:
    """Links to other stories, generated once per corpus: the boilerplate around every article (cheap to serve)."""
    rng = _rng("teasers", name)
    return tuple(
        f"<li class='teaser'><a href='/{name}/more/{rng.randrange(10**6)}.html'>{html.escape(_sentence(rng))}</a>"
        f"<span class='meta'>{rng.randint(1, 28)} minutes ago</span></li>\n"
        for _ in range(count)
    )


def render_feed(corpus: Corpus, base: str, feed: int, host: int) -> bytes:
    items = []
    for index in range(corpus.articles_per_feed):
        title, _stance, text = article_text(corpus, feed, index)
        link = base + article_path(corpus, feed, index)
        items.append(
            f"<item><title>{html.escape(title)}</title><link>{link}</link><guid>{link}</guid>"
            f"<pubDate>{format_datetime(published_at(corpus, feed, index))}</pubDate>"
            f"<description>{html.escape(text[:300])}</description></item>"
        )
    return (
        "<?xml version='1.0' encoding='utf-8'?>\n<rss version='2.0'><channel>"
        f"<title>{html.escape(outlet_name(host))}: feed {feed}</title><link>{base}/</link>"
        f"<description>Synthetic feed {feed}</description>{''.join(items)}</channel></rss>"
    ).encode()


# --- the servers -----------------------------------------------------------------------------------------------


def loopback_address(index: int) -> str:
    """127.0.1.1, ..., 127.0.1.254, 127.0.2.1, ...: loopback addresses, never anything outside 127.0.0.0/8."""
    third, fourth = divmod(index, 254)
    if third + 1 > 255:
        raise ValueError("too many hosts for 127.0.0.0/8 with this numbering")
    return f"127.0.{third + 1}.{fourth + 1}"


_MAX_HEADER_BYTES = 16_384
_REASONS = {200: "OK", 304: "Not Modified", 404: "Not Found", 400: "Bad Request"}


class ServerFarm:
    """`hosts` HTTP servers on distinct loopback addresses, serving `corpora`; a context manager."""

    def __init__(self, hosts: int, latency_s: float, corpora: list[Corpus]) -> None:
        self.hosts = hosts
        self.latency_s = latency_s
        self.corpora = {c.name: c for c in corpora}
        self.bases: list[str] = []
        self.requests = 0
        self.not_modified = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._servers: list[asyncio.Server] = []
        self._ready = threading.Event()
        self._error: BaseException | None = None

    def add(self, corpus: Corpus) -> None:
        self.corpora[corpus.name] = corpus

    def feed_urls(self, name: str) -> list[str]:
        corpus = self.corpora[name]
        return [f"{self.bases[f % self.hosts]}/{corpus.name}/feed-{f}.xml" for f in range(corpus.feeds)]

    def page_urls(self, name: str) -> list[str]:
        corpus = self.corpora[name]
        return [
            self.bases[f % self.hosts] + article_path(corpus, f, i)
            for f in range(corpus.feeds)
            for i in range(corpus.articles_per_feed)
        ]

    def pages(self, name: str) -> list[tuple[bytes, str]]:
        """Every page of a corpus with its URL, generated here without HTTP (for bare extraction timing)."""
        corpus = self.corpora[name]
        return [
            (render_page(corpus, f % self.hosts, f, i), self.bases[f % self.hosts] + article_path(corpus, f, i))
            for f in range(corpus.feeds)
            for i in range(corpus.articles_per_feed)
        ]

    # lifecycle

    def start(self) -> ServerFarm:
        self._thread = threading.Thread(target=self._run, name="bench-farm", daemon=True)
        self._thread.start()
        if not self._ready.wait(30):
            raise RuntimeError("the loopback server farm did not start within 30 s")
        if self._error is not None:
            raise RuntimeError(f"the loopback server farm could not start: {self._error}") from self._error
        return self

    def stop(self) -> None:
        loop = self._loop
        if loop is not None and loop.is_running():
            loop.call_soon_threadsafe(loop.stop)
        if self._thread is not None:
            self._thread.join(timeout=10)

    def __enter__(self) -> ServerFarm:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        self._loop = loop
        try:
            loop.run_until_complete(self._bind())
        except BaseException as exc:  # reported to start()
            self._error = exc
            self._ready.set()
            loop.close()
            return
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            for server in self._servers:
                server.close()
            pending = asyncio.all_tasks(loop)
            for task in pending:
                task.cancel()
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.close()

    async def _bind(self) -> None:
        port = 0
        for index in range(self.hosts):
            address = loopback_address(index)

            async def handle(r: asyncio.StreamReader, w: asyncio.StreamWriter, host: int = index) -> None:
                await self._serve_connection(host, r, w)

            # The first host picks a free port; the others try the same one, so URLs differ only in the address.
            try:
                server = await asyncio.start_server(handle, address, port, backlog=1024, reuse_address=True)
            except OSError:
                server = await asyncio.start_server(handle, address, 0, backlog=1024, reuse_address=True)
            bound = server.sockets[0].getsockname()[1]
            port = port or bound
            self._servers.append(server)
            self.bases.append(f"http://{address}:{bound}")

    async def _serve_connection(self, host: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:  # one request per iteration; ends when the client closes the connection
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
                    return
                if len(head) > _MAX_HEADER_BYTES:
                    return
                lines = head.decode("latin-1").split("\r\n")
                parts = lines[0].split(" ")
                headers = {}
                for line in lines[1:]:
                    if ":" in line:
                        key, value = line.split(":", 1)
                        headers[key.strip().lower()] = value.strip()
                await asyncio.sleep(self.latency_s)
                status, content_type, extra, body = self._respond(host, parts[1] if len(parts) > 1 else "/", headers)
                self.requests += 1
                lines_out = [f"HTTP/1.1 {status} {_REASONS.get(status, 'OK')}", f"Content-Length: {len(body)}"]
                if content_type:
                    lines_out.append(f"Content-Type: {content_type}")
                lines_out += [f"{k}: {v}" for k, v in extra.items()]
                writer.write(("\r\n".join(lines_out) + "\r\n\r\n").encode("latin-1") + body)
                await writer.drain()
                if headers.get("connection", "").lower() == "close":
                    return
        except ConnectionError:
            return
        finally:
            writer.close()

    def _respond(self, host: int, target: str, headers: dict[str, str]) -> tuple[int, str, dict[str, str], bytes]:
        path = target.split("?", 1)[0]
        if path == "/robots.txt":
            return 200, "text/plain", {}, b"User-agent: *\nAllow: /\n"
        parts = path.strip("/").split("/")
        corpus = self.corpora.get(parts[0]) if parts else None
        if corpus is None:
            return 404, "text/plain", {}, b"not found\n"
        name = parts[-1]
        try:
            if name.startswith("feed-") and name.endswith(".xml"):
                feed = int(name[5:-4])
                if feed >= corpus.feeds or feed % self.hosts != host:
                    return 404, "text/plain", {}, b"not found\n"
                body = render_feed(corpus, self.bases[host], feed, host)
                if feed % 2:
                    return 200, "application/rss+xml; charset=utf-8", {}, body
                etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
                if headers.get("if-none-match") == etag:
                    self.not_modified += 1
                    return 304, "", {"ETag": etag}, b""
                return 200, "application/rss+xml; charset=utf-8", {"ETag": etag}, body
            if name.startswith("story-") and name.endswith(".html"):
                feed, index = (int(x) for x in name[6:-5].split("-"))
                if feed >= corpus.feeds or index >= corpus.articles_per_feed or feed % self.hosts != host:
                    return 404, "text/plain", {}, b"not found\n"
                return 200, "text/html; charset=utf-8", {}, render_page(corpus, host, feed, index)
        except ValueError:
            return 400, "text/plain", {}, b"bad request\n"
        return 404, "text/plain", {}, b"not found\n"


def write_config(
    folder: str,
    feed_urls: list[str],
    *,
    warehouse: str = "presswatch.duckdb",
    per_host_concurrency: int = 2,
    per_host_delay_s: float = 0.0,
) -> str:
    """A presswatch.toml for a synthetic corpus: its own warehouse in `folder`, loopback allowed."""
    import json
    from pathlib import Path

    lines = [
        "# Written by the benchmark (bench/synthetic.py): a synthetic web on loopback addresses.",
        "[warehouse]",
        f"path = {json.dumps(warehouse)}",
        "[reports]",
        'dir = "reports"',
        "[fetch]",
        "allow_private_networks = true",
        f"per_host_concurrency = {per_host_concurrency}",
        f"per_host_delay_s = {per_host_delay_s}",
        # Above hosts x per-host concurrency, so that the network limit of the benchmark is the per-host one.
        "max_in_flight = 128",
        "timeout_s = 30.0",
        "",
    ]
    for url in feed_urls:
        lines += ["[[feeds]]", f"url = {json.dumps(url)}", ""]
    path = Path(folder) / "presswatch.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")
    return str(path)
