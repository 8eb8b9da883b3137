"""A Prefect server of presswatch's own, started and supervised by `presswatch serve` when no PREFECT_API_URL is set.

Why a real server: Prefect's temporary server (the one a flow run starts when no API URL is configured) runs
without its background services, the scheduler among them, so served deployments never get a scheduled run
(measured: two minutes of `serve` on a one-minute schedule, zero flow runs). Prefect's runner only polls for runs
that a scheduler has created; there is no scheduling on the client side. So `serve` starts `prefect server start`
on loopback, with its SQLite database in the project's Prefect home beside the warehouse, points this process
and the runs it starts at it, and restarts it if it dies.

Nothing here imports Prefect: the server is a child process, started before Prefect is imported in this one.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from flows.errors import PresswatchError

HOST = "127.0.0.1"  # loopback only: the server has no authentication
# A fresh Prefect home makes the first start slow (database migrations; Prefect's start-up is on the orchestration
# line of `python -m bench.ingest`). The bound leaves room for a loaded machine without hanging forever on a server
# that cannot start.
STARTUP_TIMEOUT_S = 120.0
# How often the supervisor looks at the server process; a dead server is restarted within this.
SUPERVISE_EVERY_S = 2.0
# A server that dies this many times within RESTART_WINDOW_S is broken (bad database, port stolen, ...): the
# supervisor stops restarting it and says so, instead of looping.
MAX_RESTARTS = 5
RESTART_WINDOW_S = 600.0


class PrefectServerError(PresswatchError):
    """presswatch's own Prefect server could not be started."""


def free_port(host: str = HOST) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class PrefectServer:
    """`prefect server start` on loopback with its database in `home`; a context manager that stops it on exit.

    `log` receives one line per event worth telling the user (restarts, giving up)."""

    def __init__(self, home: Path, *, port: int | None = None, log: Callable[[str], None] | None = None) -> None:
        self.home = home
        self.port = port or free_port()
        self.log_path = home / "server.log"
        self._log = log or (lambda message: None)
        self._process: subprocess.Popen[bytes] | None = None
        self._stopping = threading.Event()
        self._restarts: list[float] = []
        self._supervisor: threading.Thread | None = None

    @property
    def api_url(self) -> str:
        return f"http://{HOST}:{self.port}/api"

    @property
    def database(self) -> Path:
        return self.home / "prefect.db"

    @property
    def pid_path(self) -> Path:
        return self.home / "server.pid"

    def __enter__(self) -> PrefectServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self, timeout_s: float = STARTUP_TIMEOUT_S) -> None:
        """Start the server, wait until it answers its health check, then supervise it in a daemon thread."""
        self.home.mkdir(parents=True, exist_ok=True)
        self._stop_orphan()
        self._spawn()
        self._wait_healthy(timeout_s)
        self._supervisor = threading.Thread(target=self._supervise, name="prefect-server-supervisor", daemon=True)
        self._supervisor.start()

    def stop(self) -> None:
        self._stopping.set()
        self._terminate()

    def _terminate(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        self.pid_path.unlink(missing_ok=True)

    def _stop_orphan(self) -> None:
        """A `serve` killed with SIGKILL leaves its server running (it has a session of its own). Stop it, so that
        two servers never share one database; only a process that is still a Prefect server is signalled."""
        try:
            pid = int(self.pid_path.read_text().strip())
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
        except (OSError, ValueError):
            return
        if b"prefect" not in cmdline or b"server" not in cmdline:
            return
        self._log(f"stopping a Prefect server an earlier serve left running (pid {pid})")
        try:
            os.kill(pid, signal.SIGTERM)
            for _ in range(40):
                time.sleep(0.25)
                os.kill(pid, 0)
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.api_url}/health", timeout=2) as response:
                return bool(response.status == 200)
        except (OSError, urllib.error.URLError):
            return False

    # --- internals ---------------------------------------------------------------------------------------------

    def _environment(self) -> dict[str, str]:
        env = dict(os.environ)
        env.pop("PREFECT_API_URL", None)  # the server itself talks to its database, not to an API
        env.update(
            PREFECT_HOME=str(self.home),
            PREFECT_SERVER_ANALYTICS_ENABLED="false",
            DO_NOT_TRACK="1",
            PREFECT_SERVER_API_HOST=HOST,
            PREFECT_SERVER_API_PORT=str(self.port),
            PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED="true",
        )
        return env

    def _spawn(self) -> None:
        command = [sys.executable, "-m", "prefect", "server", "start", "--host", HOST, "--port", str(self.port)]
        with open(self.log_path, "ab") as log:
            log.write(f"\n--- {time.strftime('%Y-%m-%d %H:%M:%S')} starting: {' '.join(command)}\n".encode())
            log.flush()
            # Its own process group: Ctrl-C in the terminal reaches `serve`, which stops the server in order,
            # instead of killing the server under the runs that are still talking to it.
            self._process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=self._environment(),
                start_new_session=True,
            )
        self.pid_path.write_text(str(self._process.pid))

    def _wait_healthy(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            process = self._process
            if process is None or process.poll() is not None:
                code = None if process is None else process.returncode
                raise PrefectServerError(f"the Prefect server exited while starting (code {code}); see {self.log_path}")
            if self.healthy():
                return
            time.sleep(0.25)
        self._terminate()
        raise PrefectServerError(
            f"the Prefect server did not answer on {self.api_url} within {timeout_s:.0f}s; see {self.log_path}"
        )

    def _supervise(self) -> None:
        while not self._stopping.wait(SUPERVISE_EVERY_S):
            process = self._process
            if process is None or process.poll() is None:
                continue
            now = time.monotonic()
            self._restarts = [t for t in self._restarts if now - t < RESTART_WINDOW_S]
            if len(self._restarts) >= MAX_RESTARTS:
                self._log(
                    f"the Prefect server keeps exiting ({MAX_RESTARTS} restarts in {RESTART_WINDOW_S / 60:.0f} min); "
                    f"no more scheduled runs until serve is restarted; see {self.log_path}"
                )
                return
            self._restarts.append(now)
            self._log(f"the Prefect server exited (code {process.returncode}); restarting it (log: {self.log_path})")
            try:
                self._spawn()
                self._wait_healthy(STARTUP_TIMEOUT_S)
            except PrefectServerError as exc:
                self._log(str(exc))
