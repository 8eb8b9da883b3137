"""Analysts' read-only SQL: the connection cannot change the warehouse or reach files unless allowed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from warehouse.db import DEFAULT_LOCK_WAIT_S, connect


class QueryError(Exception):
    """DuckDB refused or failed the query; the message is DuckDB's, on one line."""


@dataclass(frozen=True, slots=True)
class QueryResult:
    columns: tuple[str, ...]
    types: tuple[str, ...]
    rows: list[tuple[Any, ...]]


def run_query(
    path: Path,
    sql: str,
    params: dict[str, Any] | None = None,
    *,
    allow_files: bool = False,
    wait_s: float = DEFAULT_LOCK_WAIT_S,
) -> QueryResult:
    """Run one query on a read-only connection.

    Read-only refuses DROP/DELETE/UPDATE/INSERT/CREATE; with external access disabled (and the configuration
    locked so that the query cannot turn it back on) COPY ... TO, ATTACH, INSTALL/LOAD and file-reading table
    functions are refused too. `allow_files` lets an analyst join their own CSV/Parquet files.
    """
    with connect(path, read_only=True, wait_s=wait_s) as con:
        try:
            if not allow_files:
                con.execute("SET enable_external_access = false")
            con.execute("SET lock_configuration = true")
            cursor = con.execute(sql, params or None)
            if cursor.description is None:
                return QueryResult((), (), [])
            columns = tuple(d[0] for d in cursor.description)
            types = tuple(str(d[1]) for d in cursor.description)
            return QueryResult(columns, types, cursor.fetchall())
        except duckdb.Error as exc:
            raise QueryError(" ".join(str(exc).split())) from None
