"""Writing query results: table (rich), csv, json (one array), jsonl, markdown."""

from __future__ import annotations

import csv
import json
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any
from uuid import UUID

from warehouse.analyst import QueryResult

FORMATS = ("table", "csv", "json", "jsonl", "markdown")


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
    return " ".join(_cell(value).split()).replace("\\", "\\\\").replace("|", "\\|")


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
        from rich.console import Console
        from rich.table import Table

        table = Table(*result.columns, show_lines=False)
        shown = rows if limit is None else rows[:limit]
        for r in shown:
            table.add_row(*(_cell(v) for v in r))
        console = Console(file=out, soft_wrap=False)
        console.print(table)
        if limit is not None and len(rows) > limit:
            console.print(f"({len(rows) - limit} more rows not shown; --limit)", style="dim")
    else:
        raise ValueError(f"unknown format {fmt!r}")
