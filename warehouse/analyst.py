"""Analysts' read-only SQL: the connection cannot change the warehouse or reach files unless allowed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from warehouse.db import DEFAULT_LOCK_WAIT_S, connect


class QueryError(Exception):
    """DuckDB refused or failed the query (its message, with a syntax error's line and caret kept), or the query
    is empty or would change something."""


# Statements that read: anything else (DELETE, UPDATE, INSERT, CREATE, DROP, COPY ... TO, ATTACH, SET, ...) is
# refused with a message that says what to do instead, before DuckDB's own binder error would.
_READING = frozenset({"SELECT", "EXPLAIN", "PRAGMA"})
READ_ONLY_HINT = (
    "`presswatch sql` is read-only: it cannot change the warehouse. To correct an article's stance use "
    "`presswatch label URL --stance ...`; to change feeds, `presswatch feeds`"
)


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
            statements = con.extract_statements(sql)
            if not statements:
                raise QueryError("no SQL to run (the query is empty)")
            kinds = {str(statement.type).rsplit(".", 1)[-1] for statement in statements}
            if not kinds <= _READING:
                raise QueryError(f"{', '.join(sorted(kinds - _READING))}: {READ_ONLY_HINT}")
            if not allow_files:
                con.execute("SET enable_external_access = false")
            con.execute("SET lock_configuration = true")
            cursor = con.execute(sql, params or None)
            if cursor is None or cursor.description is None:
                return QueryResult((), (), [])
            columns = tuple(d[0] for d in cursor.description)
            types = tuple(str(d[1]) for d in cursor.description)
            return QueryResult(columns, types, cursor.fetchall())
        except duckdb.Error as exc:
            raise QueryError(_message(exc)) from None


def _message(exc: duckdb.Error) -> str:
    """DuckDB's message with blank lines dropped; a syntax error keeps its LINE and caret lines aligned."""
    return "\n".join(line.rstrip() for line in str(exc).splitlines() if line.strip())
