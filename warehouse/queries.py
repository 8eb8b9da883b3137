"""Named read-only queries kept as .sql files beside the schema (warehouse/sql/queries/<name>.sql)."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import duckdb

from warehouse.postgres import is_postgres


@cache
def query_text(name: str, dialect: str = "duckdb") -> str:
    """The named query; `dialect` "postgres" reads the shared store's version (warehouse/sql/postgres/queries)."""
    folder = ("sql", "postgres", "queries") if dialect == "postgres" else ("sql", "queries")
    return resources.files("warehouse").joinpath(*folder, f"{name}.sql").read_text(encoding="utf-8")


def fetch_dicts(
    con: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    cursor = con.execute(query_text(name, "postgres" if is_postgres(con) else "duckdb"), params or {})
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def fetch_many_dicts(
    con: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """`fetch_dicts` for results of many rows: read through Arrow a column at a time, which for tens of thousands
    of rows is several times faster than fetching Python tuples row by row."""
    table = con.sql(query_text(name), params=params or None).to_arrow_table()
    names = table.column_names
    columns = [column.to_pylist() for column in table.columns]
    return [dict(zip(names, values, strict=True)) for values in zip(*columns, strict=True)]
