"""Writing query results: table (rich), csv, json (one array), jsonl, markdown."""

from __future__ import annotations

import csv
import json
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any
from uuid import UUID

from flows.choices import OutputFormat
from reports import markdown
from warehouse.analyst import QueryResult

FORMATS = tuple(member.value for member in OutputFormat)


def _plain(value: Any) -> Any:
    """JSON-friendly value: ISO timestamps, numbers as numbers, lists and dicts kept."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, UUID | bytes):
        return str(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def _cell(value: Any) -> str:
    if value is None:
        return ""
    plain = _plain(value)
    return json.dumps(plain, ensure_ascii=False) if isinstance(plain, list | dict) else str(plain)


def _md_cell(value: Any) -> str:
    # The report's escaper: pipes, emphasis, links, HTML and line starts cannot change a cell's meaning.
    return markdown.text(_cell(value))


def write_result(result: QueryResult, fmt: str, out: IO[str], *, limit: int | None = None) -> None:
    rows = result.rows
    if fmt == "json":
        out.write(
            json.dumps([dict(zip(result.columns, map(_plain, r), strict=True)) for r in rows], ensure_ascii=False)
        )
        out.write("\n")
    elif fmt == "jsonl":
        for r in rows:
            out.write(json.dumps(dict(zip(result.columns, map(_plain, r), strict=True)), ensure_ascii=False) + "\n")
    elif fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(result.columns)
        writer.writerows([_cell(v) for v in r] for r in rows)
    elif fmt == "markdown":
        out.write("| " + " | ".join(_md_cell(c) for c in result.columns) + " |\n")
        out.write("|" + "---|" * len(result.columns) + "\n")
        for r in rows:
            out.write("| " + " | ".join(_md_cell(v) for v in r) + " |\n")
    elif fmt == "table":
        _write_table(result, out, limit)
    else:
        raise ValueError(f"unknown format {fmt!r}")


def select_columns(result: QueryResult, columns: str | None, default: tuple[str, ...] = ()) -> QueryResult:
    """The result with only `columns` (comma-separated names, "all" for every one), or `default` when none are
    asked for (every column when there is no default). Unknown names are a ValueError naming the known ones."""
    if columns is None and not default:
        return result
    if columns is not None and columns.strip().casefold() == "all":
        return result
    wanted = [c.strip() for c in columns.split(",") if c.strip()] if columns is not None else list(default)
    unknown = [c for c in wanted if c not in result.columns]
    if unknown:
        raise ValueError(f"unknown column {', '.join(unknown)} (columns: {', '.join(result.columns)}, or all)")
    index = [result.columns.index(c) for c in wanted]
    types = tuple(result.types[i] for i in index) if result.types else ()
    return QueryResult(tuple(wanted), types, [tuple(row[i] for i in index) for row in result.rows])


def _table_cell(value: Any) -> str:
    """A cell for people: a timestamp to the second, without the microseconds a terminal has no room for."""
    if isinstance(value, datetime):
        offset = value.utcoffset()
        zone = "" if offset is None else " UTC" if not offset else value.strftime(" %z")
        return value.strftime("%Y-%m-%d %H:%M:%S") + zone
    return _cell(value)


def _write_table(result: QueryResult, out: IO[str], limit: int | None) -> None:
    """A terminal table that never hides a value: long values wrap inside their cell; a single row is shown
    vertically (one "column: value" line each); a table wider than the terminal says how to see it whole."""
    from rich.console import Console
    from rich.table import Table

    console = Console(file=out, soft_wrap=False)
    rows = result.rows
    if len(rows) == 1:
        width = max((len(c) for c in result.columns), default=0)
        for column, value in zip(result.columns, rows[0], strict=True):
            out.write(f"{column.rjust(width)}: {_table_cell(value)}\n")
        return
    table = Table(show_lines=False)
    for column in result.columns:
        table.add_column(column, overflow="fold")
    shown = [[_table_cell(v) for v in r] for r in (rows if limit is None else rows[:limit])]
    for cells in shown:
        table.add_row(*cells)
    console.print(table)
    natural = sum(max([len(c)] + [len(r[i]) for r in shown]) + 3 for i, c in enumerate(result.columns)) + 1
    if natural > console.width:
        console.print(
            f"(wider than this terminal's {console.width} columns: long values are wrapped; --columns picks fewer, "
            "--format csv or json prints every value on one line)",
            style="dim",
        )
    if limit is not None and len(rows) > limit:
        console.print(f"({len(rows) - limit} more rows not shown; --limit)", style="dim")
