"""Feed-robustness benchmark: every file of the shared feed corpus through the served-feed path.

    python -m bench.feeds [--quick] [--corpus PATH]

Each file is served from a loopback server this script starts (127.0.0.1 only, stopped at the end), with the
HTTP headers its manifest entry asks to simulate, fetched with `fetch_all` and parsed with `parse_feed`, exactly
as an ingest run does. The script prints how many files met their manifest outcome, every mismatch with its
reason, the slowest file and the peak memory, writes bench/results/feeds.json and exits non-zero when any file
missed (`judge` says what "met" means for each expected outcome). The corpus is read in place; nothing of it is
copied into the project. Without the corpus, or with a manifest that lists no file, it is skipped (never met) and
exits 0.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from bench.common import Result, exit_code, print_result
from bench.records import RESULTS, write_record
from extractors.feeds import parse_feed
from extractors.fetch import FetchPolicy, FetchRequest, fetch_all
from extractors.reasons import Reason
from extractors.types import FetchResult, ParsedFeed

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "feeds"
# A served file with no simulated headers gets the type a web server would give its extension.
_DEFAULT_TYPES = {".xml": "application/xml", ".json": "application/feed+json"}
# The whole run (about 300 small files) takes seconds; a hung fetch or parse must not hold the bench forever.
FETCH_TIMEOUT_S = 20.0
QUICK_EVERY = 5  # --quick: every fifth file of the manifest, plus every file expected to be rejected


# Fetch reasons that are presswatch refusing the content itself (a body over the size bound), as opposed to the
# connection failing: only these, or a parse rejection, count as the "reject" a manifest entry asks for.
CONTENT_REJECTIONS = frozenset({Reason.TOO_LARGE})
_ENTRY_INDEX = re.compile(r"\bentries\[(\d+)\]")
_FEED_TITLE = re.compile(r"\bfeed(?:\[['\"]title['\"]\]|\.title\b)")
_FEED_LINK = re.compile(r"\bfeed(?:\[['\"]link['\"]\]|\.link\b)")


@dataclass(frozen=True, slots=True)
class Case:
    index: int
    file: str
    expected: str
    headers: dict[str, str]
    expect: str = ""  # the manifest's `expect` (feedparser's expression for the file): read for what must be there

    @property
    def entries_expected(self) -> int:
        """Entries the manifest's expectation reads (`entries[2]` needs three); 0 when it reads none."""
        return max((int(i) + 1 for i in _ENTRY_INDEX.findall(self.expect)), default=0)

    @property
    def title_expected(self) -> bool:
        return bool(_FEED_TITLE.search(self.expect))

    @property
    def link_expected(self) -> bool:
        return bool(_FEED_LINK.search(self.expect))


@dataclass(frozen=True, slots=True)
class Outcome:
    case: Case
    met: bool
    reason: str
    fetch_s: float
    parse_s: float
    recovered: bool


def load_cases(corpus: Path, quick: bool) -> list[Case]:
    manifest = json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))
    cases = []
    for index, item in enumerate(manifest["files"]):
        headers = {str(k): str(v) for k, v in (item.get("http_headers") or {}).items()}
        if not any(k.lower() == "content-type" for k in headers):
            suffix = Path(item["file"]).suffix
            # feedparser's own convention for its "http" files: no Header line means text/xml.
            default = "text/xml" if "http" in Path(item["file"]).name else _DEFAULT_TYPES.get(suffix, "")
            if default:
                headers["Content-Type"] = default
        case = Case(index, item["file"], item["expected_outcome"], headers, str(item.get("expect") or ""))
        if not quick or index % QUICK_EVERY == 0 or case.expected == "reject":
            cases.append(case)
    return cases


class _CorpusServer:
    """Serves /f/<index> from the corpus files; read-only, loopback only, a fixed set of paths."""

    def __init__(self, corpus: Path, cases: list[Case]) -> None:
        self.routes = {f"/f/{c.index}": (corpus / c.file, c.headers) for c in cases}
        routes = self.routes

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                found = routes.get(self.path)
                if found is None:
                    self.send_error(404)
                    return
                path, headers = found
                body = path.read_bytes()
                self.send_response(200)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        class Server(ThreadingHTTPServer):
            request_queue_size = 64  # the default backlog of 5 makes concurrent connects wait for SYN retries

        self.httpd = Server(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> _CorpusServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def url(self, case: Case) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}/f/{case.index}"


def judge(case: Case, fetched: FetchResult, parsed: ParsedFeed | None, crash: str) -> tuple[bool, str]:
    """Whether presswatch's outcome for one file is the one its manifest entry asks for, and why.

    - "reject": presswatch refused the content with a recorded reason (a parse rejection, or a fetch refusal of
      the content itself, `CONTENT_REJECTIONS`); a connection failure or timeout is not a rejection.
    - "parse" and "parse-with-recovery": not rejected, and the feed holds what the manifest's expectation reads:
      as many entries as it indexes (`entries[0]` needs one; an entry left out for want of a usable link is read
      and recorded, so it counts), a title or link when it reads `feed['title']` or `feed.link`. Beyond that,
      "parse" needs entries or a detected version, "parse-with-recovery" entries or a recorded warning.
    - A crash is never met.
    """
    if crash:
        return False, f"crashed: {crash}"
    if parsed is None:
        reason = f"{fetched.error} ({fetched.detail})"
        if fetched.error in CONTENT_REJECTIONS:
            return case.expected == "reject", f"rejected when fetched: {reason}"
        return False, f"fetch failed, so presswatch never judged the content: {reason}"
    summary = f"{len(parsed.entries)} entries, version {parsed.version or '-'}"
    if case.expected == "reject":
        if parsed.error:
            return True, f"rejected: {parsed.error}"
        return False, f"expected a rejection, got {summary}"
    if parsed.error:
        return False, f"rejected as {parsed.error}: {parsed.detail}"
    missing = []
    # An entry read but left out for want of a usable link is recorded with its reason (`entries_without_link`,
    # listed in the feed's detail): presswatch read it and said why it is not an article, so it counts as read.
    read = len(parsed.entries) + parsed.entries_without_link
    if read < case.entries_expected:
        missing.append(f"{case.entries_expected} entries expected, {read} read")
    if case.title_expected and not parsed.title:
        missing.append("a feed title expected, none read")
    if case.link_expected and not parsed.site_url:
        missing.append("a feed link expected, none read")
    if missing:
        return False, "; ".join(missing) + f" ({summary}{'; ' + parsed.detail if parsed.detail else ''})"
    if case.expected == "parse":
        if read or parsed.version:
            return True, summary
        return False, f"no entries and no feed version ({parsed.detail or 'no detail'})"
    if read or parsed.recovered or parsed.detail:
        return True, summary + (f"; {parsed.detail}" if parsed.detail else "")
    return False, "nothing recovered and nothing recorded"


def run(corpus: Path, quick: bool) -> list[Result]:
    cases = load_cases(corpus, quick)
    name = "feed corpus: files meeting their manifest outcome" + (" (quick: indicative)" if quick else "")
    if not cases:
        result = Result.skip(name, f"the manifest at {corpus} lists no file")
        print_result(result)
        return [result]
    policy = FetchPolicy(
        user_agent="presswatch-bench",
        allow_private_networks=True,
        per_host_delay_s=0,
        per_host_concurrency=8,
        timeout_s=FETCH_TIMEOUT_S,
    )
    rss_before_mb = _peak_rss_mb()
    started = time.monotonic()
    with _CorpusServer(corpus, cases) as server:
        results = fetch_all(policy, [FetchRequest(url=server.url(c), kind="feed") for c in cases])
    fetched_s = time.monotonic() - started
    outcomes = []
    for case, fetched in zip(cases, results, strict=True):
        parsed: ParsedFeed | None = None
        crash = ""
        t0 = time.monotonic()
        if fetched.ok:
            try:
                parsed = parse_feed(fetched.body, fetched.final_url, fetched.headers.get("content-type", ""))
            except Exception as exc:  # the point of the bench: a crash is a finding, not the end of the run
                crash = f"{type(exc).__name__}: {exc}"
        parse_s = time.monotonic() - t0
        met, reason = judge(case, fetched, parsed, crash)
        outcomes.append(Outcome(case, met, reason, fetched.elapsed_s, parse_s, bool(parsed and parsed.recovered)))
    total_s = time.monotonic() - started
    report(outcomes, fetched_s, total_s, (rss_before_mb, _peak_rss_mb()), quick)
    met = sum(o.met for o in outcomes)
    by_expected = Counter(o.case.expected for o in outcomes)
    met_by_expected = Counter(o.case.expected for o in outcomes if o.met)
    return [
        Result(
            name,
            f"{met}/{len(outcomes)}",
            f"all {len(outcomes)}",
            "none",
            met == len(outcomes),
            ", ".join(f"{e} {met_by_expected[e]}/{n}" for e, n in sorted(by_expected.items()))
            + f"; {total_s:.1f} s in all",
        )
    ]


def _peak_rss_mb() -> float:
    # ru_maxrss is the process's peak resident set, in kilobytes on Linux. tracemalloc would trace Python
    # allocations more precisely but slows feedparser about three times, which would distort the timings.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def report(outcomes: list[Outcome], fetched_s: float, total_s: float, rss_mb: tuple[float, float], quick: bool) -> None:
    met = [o for o in outcomes if o.met]
    print(f"feed corpus{' (quick sample)' if quick else ''}: {len(met)}/{len(outcomes)} met their manifest outcome")
    by_expected = Counter(o.case.expected for o in outcomes)
    met_by_expected = Counter(o.case.expected for o in met)
    for expected in ("parse", "parse-with-recovery", "reject"):
        print(f"  {expected:<20} {met_by_expected[expected]:>4}/{by_expected[expected]}")
    soft = [o for o in met if o.case.expected == "parse" and o.recovered]
    if soft:
        print(f"  note: {len(soft)} files expected to parse cleanly were parsed with recovery (flagged, not failed)")
    misses = [o for o in outcomes if not o.met]
    print(f"mismatches: {len(misses)}")
    for o in misses:
        print(f"  {o.case.file} (expected {o.case.expected}): {o.reason}")
    slowest = max(outcomes, key=lambda o: o.parse_s)
    print(f"slowest file to parse: {slowest.case.file} ({slowest.parse_s * 1000:.0f} ms; {slowest.reason})")
    fetch_slowest = max(outcomes, key=lambda o: o.fetch_s)
    fetch_ms = fetch_slowest.fetch_s * 1000
    print(f"slowest file to fetch: {fetch_slowest.case.file} ({fetch_ms:.0f} ms, queueing included)")
    parse_total = sum(o.parse_s for o in outcomes)
    print(f"peak memory: process peak RSS {rss_mb[1]:.0f} MB ({rss_mb[0]:.0f} MB before the run, imports included)")
    print(f"time: {fetched_s:.2f} s fetching (one fetch_all call), {parse_total:.2f} s parsing, {total_s:.2f} s in all")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.feeds", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="every fifth file plus every expected rejection")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help=f"default: {DEFAULT_CORPUS}")
    parser.add_argument("--results-dir", type=Path, default=RESULTS, help="where to write the record (JSON)")
    args = parser.parse_args(argv)
    if (args.corpus / "manifest.json").is_file():
        results = run(args.corpus, args.quick)
    else:
        name = "feed corpus: files meeting their manifest outcome" + (" (quick: indicative)" if args.quick else "")
        results = [Result.skip(name, f"no feed corpus at {args.corpus} (no manifest.json)")]
        print_result(results[0])
    write_record("feeds", results, quick=args.quick, argv=argv, directory=args.results_dir)
    return exit_code(results)


if __name__ == "__main__":
    sys.exit(main())
