"""`presswatch export`: the analyst views written as Parquet (partitioned by week) or CSV files."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from warehouse.db import Location, WarehouseError
from warehouse.snapshot import reading

# View -> (date column for --since, partition column for Parquet). None: not filtered / not partitioned.
EXPORTED_VIEWS: dict[str, tuple[str | None, str | None]] = {
    "coverage": ("published_at", "week"),
    "stories": ("first_published_at", None),
    "current_evidence": (None, None),
    "voices_quoted": (None, "week"),
    "weekly_stance": (None, None),
    "outlet_weeks": (None, None),
    "article_problems": ("discovered_at", None),
    "feed_health": (None, None),
    "run_history": ("started_at", None),
}


@dataclass(frozen=True, slots=True)
class Exported:
    view: str
    path: Path
    rows: int


def export_views(
    warehouse: Location, out: Path, fmt: str, since: date | None = None, *, replace: bool = False
) -> list[Exported]:
    """Write each analyst view under `out` (Parquet: `out/<view>/week=.../*.parquet`; CSV: `out/<view>.csv`).

    A folder that already holds an export is refused unless `replace`: writing over it would leave the earlier
    export's other weeks beside the new ones, and a reader of the folder would count both. With `replace`, each
    view's earlier output is removed first."""
    if fmt not in ("parquet", "csv"):
        raise ValueError(f"format must be parquet or csv, not {fmt!r}")
    if out.exists() and not out.is_dir():
        raise WarehouseError(f"{out} exists and is not a folder; --out needs a folder")
    earlier = [p for view in EXPORTED_VIEWS for p in (out / view, out / f"{view}.csv") if p.exists()]
    if earlier and not replace:
        raise WarehouseError(
            f"{out} already holds an export ({earlier[0].name}, ...); use --replace to overwrite it, or another folder"
        )
    try:
        for path in earlier:
            shutil.rmtree(path) if path.is_dir() else path.unlink()
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".presswatch-write-test"
        probe.touch()
        probe.unlink()
    except OSError as exc:
        raise WarehouseError(f"{out}: cannot write the export ({exc.strerror or exc})") from None
    written = []
    with reading(warehouse) as con:
        for view, (date_column, partition) in EXPORTED_VIEWS.items():
            where, params = "", []
            if since is not None and date_column:
                where, params = f" WHERE {date_column} >= ?", [since]
            elif since is not None and view == "current_evidence":
                where = " WHERE url IN (SELECT url FROM coverage WHERE published_at >= ?)"
                params = [since]
            elif since is not None and view in ("voices_quoted", "weekly_stance", "outlet_weeks"):
                where, params = " WHERE week >= strftime(?::DATE, '%G-W%V')", [since]
            query = f"SELECT * FROM {view}{where}"  # view and column names come from EXPORTED_VIEWS only
            rows = int(con.execute(f"SELECT count(*) FROM ({query})", params).fetchall()[0][0])
            if fmt == "csv":
                target = out / f"{view}.csv"
                con.execute(f"COPY ({query}) TO '{_sql_path(target)}' (FORMAT csv, HEADER true)", params)
            else:
                target = out / view
                options = "FORMAT parquet, OVERWRITE_OR_IGNORE true"
                if partition and rows:  # an empty result still gets a file (with its columns), unpartitioned
                    options += f", PARTITION_BY ({partition})"
                else:
                    target.mkdir(parents=True, exist_ok=True)
                    target = target / "data.parquet"
                con.execute(f"COPY ({query}) TO '{_sql_path(target)}' ({options})", params)
            written.append(Exported(view, target, rows))
    return written


def _sql_path(path: Path) -> str:
    """A file path as a SQL string literal body (COPY TO takes no bound parameter for its target)."""
    return str(path.resolve()).replace("'", "''")
