"""`presswatch backup`: a consistent copy of the warehouse and its raw pages' file, checked by opening it.

DuckDB lets no writer in while a process holds the file open, even read-only, so copying the files under a
read-only connection copies one consistent state (a write-ahead log a crashed writer left is copied with its file
and replayed when the copy is opened, as it would be for the original)."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from warehouse.db import WarehouseError, connect, pages_path, schema_version


@dataclass(frozen=True)
class Backup:
    folder: Path
    files: tuple[Path, ...]
    schema: int
    articles: int


def default_folder(warehouse: Path, at: datetime | None = None) -> Path:
    stamp = (at or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    return warehouse.parent / "backups" / f"{warehouse.stem}-{stamp}"


def backup_warehouse(warehouse: Path, folder: Path) -> Backup:
    """Copy the warehouse (and its pages' file, and any WAL files) into `folder`, which must not exist yet, then
    open the copy read-only to prove it is usable."""
    if folder.exists():
        raise WarehouseError(f"{folder} exists already; name a new folder for the backup")
    sources = [p for base in (warehouse, pages_path(warehouse)) for p in (base, base.with_name(base.name + ".wal"))]
    try:
        folder.mkdir(parents=True)
    except OSError as exc:
        raise WarehouseError(f"{folder}: cannot create the backup folder ({exc.strerror or exc})") from None
    copied: list[Path] = []
    with connect(warehouse, read_only=True):
        for source in sources:
            if source.exists():
                target = folder / source.name
                try:
                    shutil.copy2(source, target)
                except OSError as exc:
                    raise WarehouseError(f"{target}: cannot write the backup ({exc.strerror or exc})") from None
                copied.append(target)
    with connect(folder / warehouse.name, read_only=True) as con:
        schema = schema_version(con)
        articles = int(con.execute("SELECT count(*) FROM articles").fetchall()[0][0])
    return Backup(folder=folder, files=tuple(copied), schema=schema, articles=articles)
