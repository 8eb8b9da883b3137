"""A real HTTP server on 127.0.0.1 for fetch tests: static files plus programmable routes."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".rss": "application/rss+xml",
    ".atom": "application/atom+xml",
    ".xml": "application/xml",
    ".txt": "text/plain",
    ".pdf": "application/pdf",
}
# A route returns bytes, or an iterable of byte chunks to stream (no Content-Length; the connection ends the body).
Route = Callable[["Request"], tuple[int, dict[str, str], bytes | Iterable[bytes]]]


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    started: float = field(default_factory=time.monotonic)  # when the server received it (time.monotonic)


@dataclass
class LoopbackServer:
    root: Path | None = None
    routes: dict[str, Route] = field(default_factory=dict)
    log: list[Request] = field(default_factory=list)
    substitutions: dict[str, str] = field(default_factory=dict)

    def start(self) -> LoopbackServer:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                request = Request(self.path, {k.lower(): v for k, v in self.headers.items()})
                owner.log.append(request)
                status, headers, body = owner.respond(request)
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                if not isinstance(body, bytes):
                    self.end_headers()
                    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                        for chunk in body:
                            self.wfile.write(chunk)
                            self.wfile.flush()
                    return
                if "Content-Length" not in headers:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        # A short poll interval: shutdown() waits for it, and every test stops its server.
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()
        self.substitutions.setdefault("__BASE__", self.base)
        return self

    @property
    def base(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base + path

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def respond(self, request: Request) -> tuple[int, dict[str, str], bytes | Iterable[bytes]]:
        path = request.path.split("?")[0]
        if path in self.routes:
            return self.routes[path](request)
        if self.root is not None:
            target = (self.root / path.lstrip("/")).resolve()
            if target.is_file() and target.is_relative_to(self.root.resolve()):
                body = target.read_bytes()
                if target.suffix in (".html", ".xml", ".rss", ".atom", ".txt"):
                    text = body.decode("utf-8")
                    for k, v in self.substitutions.items():
                        text = text.replace(k, v)
                    body = text.encode("utf-8")
                return 200, {"Content-Type": _TYPES.get(target.suffix, "application/octet-stream")}, body
        return 404, {"Content-Type": "text/plain"}, b"not found"
