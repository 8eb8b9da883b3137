"""Analysts' read-only SQL: the connection cannot change the warehouse or reach files unless allowed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb

from extractors.errors import PresswatchError
from warehouse.db import DEFAULT_LOCK_WAIT_S, Location, connect, is_shared


class QueryError(PresswatchError):
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
    path: Location,
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

    On the shared PostgreSQL store the query is PostgreSQL's SQL, checked the same way (one statement that reads),
    and runs in a read-only transaction of a read-only session that is rolled back and closed afterwards.
    """
    if is_shared(path):
        return _run_query_postgres(str(path), sql, params, wait_s)
    with connect(path, read_only=True, wait_s=wait_s) as con:
        try:
            _check_reading(con, sql)
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


def _check_reading(parser: duckdb.DuckDBPyConnection, sql: str, *, single: bool = False) -> None:
    """Refuse SQL that is empty or does anything but read (DuckDB's parser, which PostgreSQL's grammar descends
    from, says what each statement is)."""
    statements = parser.extract_statements(sql)
    if not statements:
        raise QueryError("no SQL to run (the query is empty)")
    kinds = {str(statement.type).rsplit(".", 1)[-1] for statement in statements}
    if not kinds <= _READING:
        raise QueryError(f"{', '.join(sorted(kinds - _READING))}: {READ_ONLY_HINT}")
    if single and len(statements) > 1:
        raise QueryError("one statement at a time on a PostgreSQL warehouse")


def _run_query_postgres(url: str, sql: str, params: dict[str, Any] | None, wait_s: float) -> QueryResult:
    import psycopg

    from warehouse.postgres import open_connection

    try:
        with duckdb.connect() as parser:
            _check_reading(parser, sql, single=True)
    except duckdb.ParserException:
        # PostgreSQL syntax DuckDB does not know: still one statement only, so nothing can end the read-only
        # transaction below and go on outside it.
        if ";" in sql.strip().rstrip(";"):
            raise QueryError("one statement at a time on a PostgreSQL warehouse") from None
    con = open_connection(url, read_only=True, wait_s=wait_s)
    try:
        con.execute("BEGIN READ ONLY")
        cursor = con.execute(sql, params or None)
        if cursor.description is None:
            return QueryResult((), (), [])
        columns = tuple(d.name for d in cursor.description)
        types = tuple(str(d.type_display) for d in cursor.description)
        return QueryResult(columns, types, cursor.fetchall())
    except psycopg.Error as exc:
        raise QueryError(_message(exc)) from None
    finally:
        con.raw.rollback()
        con.close()


def _message(exc: Exception) -> str:
    """DuckDB's message with blank lines dropped; a syntax error keeps its LINE and caret lines aligned."""
    return "\n".join(line.rstrip() for line in str(exc).splitlines() if line.strip())
