from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.loopback import LoopbackServer

FIXTURES = Path(__file__).parent / "fixtures"


# Modules whose tests kill real processes mid-write and check what survives (marked `crash`, left out of `make
# test-fast` with the Prefect-harness and slow tests).
CRASH_MODULES = frozenset({"test_crash_safety"})


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test that runs real Prefect flows (`flow`, by its use of the harness) or crash tests (`crash`)."""
    for item in items:
        if "prefect_harness" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.flow)
        if item.module is not None and item.module.__name__.rsplit(".", 1)[-1] in CRASH_MODULES:
            item.add_marker(pytest.mark.crash)


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    srv = LoopbackServer(root=FIXTURES / "site").start()
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def prefect_harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """One real Prefect test server for the whole session (it takes 12-16 s to start)."""
    home = tmp_path_factory.mktemp("prefect-home")
    os.environ["PREFECT_HOME"] = str(home)
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield
