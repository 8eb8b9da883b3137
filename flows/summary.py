"""What an ingest run says at its end, in plain words: what was collected first, what failed and why, timings last.

Pure: a run summary (the dict stored in `runs.summary`) in, lines out. The CLI prints them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from extractors.reasons import Reason


def failure_in_words(reason: str, detail: str, url: str) -> str:
    """A feed's failure reason code (docs/schema.md, "Failure reasons") as a person would say it."""
    host = urlsplit(url).hostname or url
    if reason.startswith("http_") and reason[5:].isdigit():
        status = int(reason[5:])
        known = {401: "login required", 403: "access refused", 404: "not found", 410: "gone for good",
                 429: "too many requests; slowing down", 500: "server error", 502: "bad gateway",
                 503: "server unavailable"}  # fmt: skip
        return f"HTTP {status}" + (f" ({known[status]})" if status in known else "")
    words: dict[str, str] = {
        Reason.DNS_ERROR: f"cannot resolve {host} (no network, or a typo in the address?)",
        Reason.CONNECT_ERROR: f"cannot connect to {host} (server down, or no network?)",
        Reason.TIMEOUT: f"{host} did not answer in time",
        Reason.PRIVATE_ADDRESS: f"{host} is a private or local address; refused (allow_private_networks)",
        Reason.BAD_SCHEME: "not an http(s) address",
        Reason.BAD_URL: "not a valid address",
        Reason.TOO_MANY_REDIRECTS: "redirects in a loop, or too many",
        Reason.TOO_LARGE: "response too large",
        Reason.NOT_HTML: "not an HTML page",
        Reason.HTTP_ERROR: f"{host} sent a broken HTTP response",
        Reason.ROBOTS_DISALLOWED: f"robots.txt of {host} disallows it",
        Reason.ROBOTS_UNAVAILABLE: f"robots.txt of {host} answered with a server error; retried next run",
        Reason.HOST_BACKOFF: f"{host} asked us to wait; retried next run",
        Reason.EMPTY_FEED: "the feed is empty",
        Reason.NOT_A_FEED: "not a feed (a web page or another document?)",
        Reason.MALFORMED_FEED: "the feed is broken and no entry could be read",
        Reason.ENTITY_EXPANSION: "refused: the feed declares expanding entities (an XML bomb?)",
        Reason.EXTERNAL_ENTITY: "refused: the feed points at external files (XXE)",
        Reason.ENTITY_DECLARATIONS: "refused: the feed declares entities that could not be checked",
        Reason.PARSE_ERROR: "the feed could not be parsed",
    }
    return words.get(reason, reason.replace("_", " ") + (f": {detail}" if detail else ""))


def summary_lines(summary: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """(lines for stdout, lines for stderr): the run's outcome first, failures one per line, timings last."""
    s = summary
    new = s.get("entries_new", 0)
    out = [
        f"{new} new article{'s' if new != 1 else ''}, {s['relevant']} relevant "
        f"({s.get('supportive', 0)} supportive / {s.get('opposed', 0)} opposed / {s.get('neutral', 0)} neutral); "
        "run `presswatch report` for the weekly report",
        f"feeds: {s['feeds_ok']} ok, {s['feeds_not_modified']} not modified, {s['feeds_unchanged']} unchanged, "
        f"{s['feeds_failed']} failed, {s['feeds_backing_off']} backing off after earlier failures",
        f"articles: {s['articles_fetched']} fetched, {s['articles_failed']} failed, {s['articles_extracted']} "
        f"extracted, {s['articles_too_short']} too short, {s['articles_classified']} classified",
    ]
    for failed in s.get("failed_feeds", []):
        label = f"{failed['name']} ({failed['url']})" if failed.get("name") else failed["url"]
        out.append(f"  failed: {label}: {failure_in_words(failed['reason'], failed.get('detail', ''), failed['url'])}")
    if s.get("failed_feeds"):
        out.append("  (`presswatch feeds list` shows every feed's health; failing feeds are retried with backoff)")
    stages = ", ".join(f"{k} {v:.2f}" for k, v in s.get("stage_seconds", {}).items())
    err = [
        f"run {s['run_id']}; stage seconds (CPU of the workers' stages summed over batches, not wall time): {stages}"
    ]
    return out, err


def nothing_collected(summary: Mapping[str, Any]) -> bool:
    """Every feed tried in this run failed: the run could collect nothing (the CLI exits non-zero)."""
    tried = summary["feeds_ok"] + summary["feeds_not_modified"] + summary["feeds_unchanged"] + summary["feeds_failed"]
    return tried > 0 and summary["feeds_failed"] == tried
