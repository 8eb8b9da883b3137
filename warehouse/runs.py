"""The run history (`presswatch runs`): what each ingest and report run did, read-only."""

from __future__ import annotations

from warehouse.analyst import QueryResult, run_query
from warehouse.db import Location, is_shared
from warehouse.queries import query_text


def recent_runs(path: Location, limit: int = 20) -> QueryResult:
    """The latest `limit` runs, newest first, with their duration and the headline figures of their summary."""
    return run_query(path, query_text("runs", "postgres" if is_shared(path) else "duckdb"), {"limit": limit})
