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


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[object]:
    """A real PostgreSQL cluster on loopback for the whole session (tests/pgcluster.py), torn down at the end.
    Skipped, saying why, where PostgreSQL's server binaries or psycopg (the scale extra) are missing."""
    from tests.pgcluster import PgCluster, server_bin

    binaries = server_bin()
    if binaries is None:
        pytest.skip("PostgreSQL server binaries not found (apt-get install postgresql, or set PRESSWATCH_PG_BIN)")
    pytest.importorskip("psycopg", reason="the scale extra is not installed (pip install -e '.[scale]')")
    cluster = PgCluster(binaries).start()
    yield cluster
    cluster.stop()


@pytest.fixture
def pg_url(pg_cluster: object, request: pytest.FixtureRequest) -> str:
    """The URL of a new, empty database on the session's cluster, one per test."""
    import re

    name = "t_" + re.sub(r"\W", "_", request.node.name.lower())[:40] + f"_{os.getpid()}_{id(request) % 100000}"
    return pg_cluster.create_database(name)  # type: ignore[attr-defined,no-any-return]
