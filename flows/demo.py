"""The offline demo: serve the sample news web in demo/web on loopback, ingest it, write the weekly reports
(`run_demo`, what `presswatch demo` runs; the CLI prints what it returns).

Each outlet gets its own loopback address (127.0.0.11, .12, ...) on one fixed port, so that article URLs are the
same on every run (a second `presswatch demo` finds nothing new). Where the extra loopback addresses are not
configured (macOS), every outlet is served on 127.0.0.1 with its own port instead.
"""

from __future__ import annotations

import json
import threading
import tomllib
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flows.settings import Settings, load_settings

if TYPE_CHECKING:
    from flows.reporting import WrittenReport

DEMO_PORT = 8015  # fixed, so that demo URLs are stable across runs; 8015 for the year of the resolution
FALLBACK_PORT_BASE = 18150
SHUTDOWN_POLL_S = 0.1  # how often a server checks whether it is asked to stop (see `serve_site`)
_TEXT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".rss": "application/rss+xml; charset=utf-8",
    ".atom": "application/atom+xml; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}
_BINARY_TYPES = {".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg"}


@dataclass(frozen=True, slots=True)
class Outlet:
    slug: str
    name: str
    layout: str
    language: str
    feeds: tuple[tuple[str, str], ...]  # (path, format)


@dataclass(frozen=True, slots=True)
class DemoRun:
    config: Path  # the demo's own presswatch.toml (`write_demo_config`)
    settings: Settings
    summary: dict[str, Any]  # the ingest run's summary (flows/summary.py says it in words)
    reports: list[WrittenReport]  # every week's report, oldest first; none when the run collected nothing


def run_demo(
    data: Path,
    ingest: Callable[[Settings], dict[str, Any]],
    *,
    port: int = DEMO_PORT,
    announce: Callable[[str], None] = lambda line: None,
) -> DemoRun:
    """Serve the demo web on loopback, ingest it into `data` with `ingest` (the CLI passes a run of the ingest flow
    with its progress shown; the servers stop when it returns), then write the report of every week with data.
    `announce` is told where the web is served before the ingest starts. When every feed failed, no report is
    written: the caller says so with the summary."""
    from flows.reporting import all_weeks_with_data, write_weekly_reports
    from flows.summary import nothing_collected

    site = demo_site_dir()
    outlets = load_manifest(site)
    with serve_site(site, outlets, port=port) as bases:
        config = write_demo_config(data, outlets, bases)
        settings = load_settings(config)
        announce(f"demo web: {len(outlets)} outlets on {', '.join(sorted(set(bases.values()))[:3])}, ...")
        summary = ingest(settings)
    if nothing_collected(summary):
        return DemoRun(config, settings, summary, [])
    return DemoRun(config, settings, summary, write_weekly_reports(settings, all_weeks_with_data(settings)))


def demo_site_dir() -> Path:
    return Path(str(resources.files("demo").joinpath("web")))


def load_manifest(site: Path) -> list[Outlet]:
    raw = tomllib.loads((site / "manifest.toml").read_text(encoding="utf-8"))
    outlets = []
    for item in raw["outlets"]:
        feeds = tuple((f["path"], f.get("format", "rss")) for f in item.get("feeds", []))
        outlets.append(Outlet(item["slug"], item["name"], item.get("layout", ""), item.get("language", ""), feeds))
    return outlets


class _SiteHandler(BaseHTTPRequestHandler):
    """Serves one outlet's folder; `__BASE_<slug>__` placeholders become the outlets' real base URLs."""

    server_version = "presswatch-demo"

    def __init__(self, *args: Any, root: Path, bases: dict[str, str], **kwargs: Any) -> None:
        self.root = root
        self.bases = bases
        super().__init__(*args, **kwargs)

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        target = (self.root / path.lstrip("/")).resolve()
        if not target.is_relative_to(self.root.resolve()) or not target.is_file():
            self._send(404, "text/plain; charset=utf-8", b"not found\n")
            return
        suffix = target.suffix.lower()
        if suffix in _BINARY_TYPES:
            self._send(200, _BINARY_TYPES[suffix], target.read_bytes())
            return
        text = target.read_text(encoding="utf-8")
        for slug, base in self.bases.items():
            text = text.replace(f"__BASE_{slug}__", base)
        self._send(200, _TEXT_TYPES.get(suffix, "application/octet-stream"), text.encode("utf-8"))

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # quiet: the ingest summary says what happened
        pass


@contextmanager
def serve_site(site: Path, outlets: list[Outlet], *, port: int = DEMO_PORT) -> Iterator[dict[str, str]]:
    """Serve every outlet folder on loopback; yields {slug: base URL}. Servers stop when the block ends.

    `port=0` picks free ports (tests); the demo uses a fixed port so that its URLs are stable across runs.
    """
    bases: dict[str, str] = {}  # filled once every server is bound; handlers read it per request
    with ExitStack() as stack:
        for outlet, (host, p) in zip(outlets, _addresses(len(outlets), port), strict=True):
            handler = partial(_SiteHandler, root=site / outlet.slug, bases=bases)
            try:
                server = ThreadingHTTPServer((host, p), handler)
            except OSError as exc:
                message = f"cannot serve the demo on {host}:{p} ({exc.strerror}); is another demo running?"
                raise OSError(message) from None
            server.daemon_threads = True
            bases[outlet.slug] = f"http://{host}:{server.server_address[1]}"
            # The servers stop one after the other, each within one poll interval: at the default interval (0.5 s)
            # stopping the demo web took half a second per outlet.
            serve = partial(server.serve_forever, poll_interval=SHUTDOWN_POLL_S)
            thread = threading.Thread(target=serve, name=f"demo-{outlet.slug}", daemon=True)
            thread.start()
            stack.callback(server.server_close)
            stack.callback(server.shutdown)
        yield bases


def _addresses(count: int, port: int) -> list[tuple[str, int]]:
    hosts = [f"127.0.0.{11 + i}" for i in range(count)]
    if _can_bind(hosts[-1] if hosts else "127.0.0.1"):
        return [(h, port) for h in hosts]
    return [("127.0.0.1", FALLBACK_PORT_BASE + i if port else 0) for i in range(count)]


def _can_bind(host: str) -> bool:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, 0))
        except OSError:
            return False
    return True


def write_demo_config(folder: Path, outlets: list[Outlet], bases: dict[str, str]) -> Path:
    """The demo's own presswatch.toml: its feeds, its warehouse, and fetch settings for a loopback web."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = [
        "# Written by `presswatch demo`: the offline sample web served on loopback.",
        "[warehouse]",
        'path = "presswatch.duckdb"',
        "[reports]",
        'dir = "reports"',
        "[fetch]",
        "allow_private_networks = true  # the demo web lives on 127.0.0.x",
        "per_host_delay_s = 0.05        # our own server: no need to wait between requests",
        "per_host_concurrency = 4",
        "timeout_s = 10.0",
        "",
    ]
    for outlet in outlets:
        for path, _format in outlet.feeds:
            url = f"{bases[outlet.slug]}/{path}"
            lines += ["[[feeds]]", f"url = {json.dumps(url)}", f"name = {json.dumps(outlet.name)}", ""]
    config = folder / "presswatch.toml"
    config.write_text("\n".join(lines), encoding="utf-8")
    return config
