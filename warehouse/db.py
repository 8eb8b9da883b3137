"""DuckDB connections and the migration runner (the only place that opens the warehouse file)."""

from __future__ import annotations

import functools
import hashlib
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb

from extractors.errors import PresswatchError
from warehouse import postgres

log = logging.getLogger("presswatch")

# Where the warehouse is: a DuckDB file (the single-machine default) or a PostgreSQL URL (the shared store of
# several shards, `[warehouse] url`; warehouse/postgres.py).
Location = Path | str

# DuckDB locks its file per process: a reader cannot even open it while a writer holds it. Writers keep their
# sessions short, and anyone who finds the file locked retries for this long before giving up with a clear error.
DEFAULT_LOCK_WAIT_S = 30.0
_LOCK_POLL_S = 0.25


class WarehouseError(PresswatchError):
    """A warehouse problem the user must act on (locked file, newer schema than this software, ...)."""


class WarehouseLockedError(WarehouseError):
    pass


@functools.cache
def migration_files() -> tuple[tuple[int, str, str], ...]:
    """(version, name, sql) for each numbered file under warehouse/sql, in order (read once per process)."""
    found = []
    for entry in resources.files("warehouse").joinpath("sql").iterdir():
        name = entry.name
        if name.endswith(".sql") and name[:3].isdigit():
            found.append((int(name[:3]), name, entry.read_text(encoding="utf-8")))
    return tuple(sorted(found))


@functools.cache
def _sql_file(name: str) -> str:
    return resources.files("warehouse").joinpath("sql", name).read_text(encoding="utf-8")


def views_sql() -> str:
    return _sql_file("views.sql")


@functools.cache
def _views_digest() -> str:
    return hashlib.sha256(views_sql().encode()).hexdigest()


# Raw pages live in a file of their own beside the warehouse (`<name>.pages.duckdb`), attached as `raw`, written
# with 2,048-row row groups: rows of about 15 KB in the warehouse's own 122,880-row groups made every checkpoint
# merge the run's pages in memory, so an ingest's peak memory grew with its length (a 24,000-page write loop peaked
# at 635 MB, against 227 MB with small row groups). The `pages` view of the warehouse reads them.
PAGES_ALIAS = "raw"
_PAGES_ROW_GROUP = 2048  # DuckDB's smallest (its vector size)

# DuckDB may use up to 80% of the machine's memory by default, as buffer cache and for its operators; a writer
# session works on one batch of 200 articles and needs far less. Bounded, an ingest's memory stays the same however
# long it runs (DuckDB evicts cached blocks, and spills the rare larger operation to disk). Migrations run before
# the bound is set: copying or rebuilding a big table needs more.
WRITER_MEMORY_LIMIT = "256MiB"


def pages_path(path: Path) -> Path:
    """The raw pages' file of the warehouse at `path`."""
    return path.with_name(f"{path.stem}.pages{path.suffix}")


def is_shared(location: Location) -> bool:
    """Whether `location` is the shared PostgreSQL store rather than a DuckDB file."""
    return postgres.is_url(location)


def describe(location: Location) -> str:
    """The location for messages (a URL without its password)."""
    return postgres.redact(location) if isinstance(location, str) else str(location)


def exists(location: Location) -> bool:
    """Whether there is a warehouse to read: a DuckDB file on disk; a configured PostgreSQL store always is (it is
    created by the first writer, and a reader that finds no tables says so)."""
    return is_shared(location) or Path(location).exists()


@contextmanager
def connect(location: Location, *, read_only: bool = False, wait_s: float = DEFAULT_LOCK_WAIT_S) -> Iterator[Any]:
    """Open the warehouse: a DuckDB file (with its raw pages attached as `raw`), waiting up to `wait_s` for another
    process's lock, or the PostgreSQL store at a URL; writers migrate on open."""
    if is_shared(location):
        with postgres.connect(str(location), read_only=read_only, wait_s=wait_s) as pg:
            yield pg
        return
    with _connect_file(Path(location), read_only=read_only, wait_s=wait_s) as con:
        yield con


@contextmanager
def _connect_file(path: Path, *, read_only: bool, wait_s: float) -> Iterator[duckdb.DuckDBPyConnection]:
    if read_only and not path.exists():
        raise WarehouseError(f"{path}: no warehouse yet (run `presswatch ingest` or `presswatch demo` first)")
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    con = _open(path, read_only=read_only, wait_s=wait_s)
    try:
        con.execute("SET TimeZone = 'UTC'")
        _attach_pages(con, pages_path(path), read_only=read_only)
        if not read_only:
            migrate(con)
            con.execute(f"SET memory_limit = '{WRITER_MEMORY_LIMIT}'")
        yield con
    finally:
        con.close()


def _attach_pages(con: duckdb.DuckDBPyConnection, path: Path, *, read_only: bool) -> None:
    """Attach the raw pages' file; a reader of a warehouse without one (written before schema 7) goes on without
    it. IF NOT EXISTS: connections of one process share the attached files."""
    if read_only and not path.exists():
        return
    options = "READ_ONLY" if read_only else f"ROW_GROUP_SIZE {_PAGES_ROW_GROUP}"
    try:
        con.execute(f"ATTACH IF NOT EXISTS '{_sql_string(str(path))}' AS {PAGES_ALIAS} ({options})")
    except duckdb.IOException as exc:
        raise WarehouseError(f"{path}: {exc}") from None
    if not read_only:
        con.execute(_sql_file("pages.sql"))


def _sql_string(text: str) -> str:
    return text.replace("'", "''")


def _open(path: Path, *, read_only: bool, wait_s: float) -> duckdb.DuckDBPyConnection:
    deadline = time.monotonic() + wait_s
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower():
                raise WarehouseError(f"{path}: {exc}") from None
            if time.monotonic() >= deadline:
                raise WarehouseLockedError(
                    f"{path} is locked by another presswatch process (an ingest?); waited {wait_s:.0f}s. "
                    "Try again when it finishes."
                ) from None
            time.sleep(_LOCK_POLL_S)


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migrations'"
    ).fetchall()
    if not exists[0][0]:
        return 0
    return int(con.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchall()[0][0])


def _up_to_date(con: duckdb.DuckDBPyConnection, newest: int) -> bool:
    """Whether the schema and the views are this software's: one query, since every writer's connection asks (an
    ingest opens one per batch, and the full check below cost 15-25 ms)."""
    try:
        version, digest = con.execute(
            "SELECT (SELECT max(version) FROM schema_migrations),"
            " (SELECT value FROM warehouse_meta WHERE key = 'views_hash')"
        ).fetchall()[0]
    except duckdb.CatalogException:  # a new file: no bookkeeping tables yet
        return False
    return version == newest and digest == _views_digest()


def _copy_pages_out(con: duckdb.DuckDBPyConnection) -> None:
    """Before schema 7: the warehouse's raw pages into their own file, in a transaction of their own (DuckDB writes
    one attached file per transaction). Pages already there are kept: a copy cut short is finished, not doubled."""
    con.execute("BEGIN TRANSACTION")
    con.execute(
        f"INSERT INTO {PAGES_ALIAS}.pages (url, fetched_at, content_type, compression, bytes, body) "
        "SELECT url, fetched_at, content_type, compression, bytes, body FROM main.pages p "
        f"WHERE NOT EXISTS (SELECT 1 FROM {PAGES_ALIAS}.pages r WHERE r.url = p.url)"
    )
    con.execute("COMMIT")


def _rekey_urls(con: duckdb.DuckDBPyConnection) -> None:
    """Before schema 8: the table of article keys that change, and the raw pages moved (warehouse/keys.py)."""
    from warehouse.keys import rekey_pages  # imports the URL canonicaliser, which only this step needs

    rekey_pages(con)


# Python steps of numbered migrations, for what SQL cannot do (compute in Python, write the raw pages' file). The step
# of version N runs just before file N, on the same connection, in a transaction of its own; it may leave temporary
# tables for the file to read (they last as long as the connection). A step must be safe to run again: when file N
# fails, the next open runs both again.
_BEFORE: dict[int, Callable[[duckdb.DuckDBPyConnection], None]] = {7: _copy_pages_out, 8: _rekey_urls}


def bookkeeping(con: Any, newest: int, version: Callable[[Any], int]) -> int:
    """Create the migration bookkeeping tables if they are missing (the same on DuckDB and PostgreSQL) and return the
    warehouse's schema version, refusing one newer than this software knows."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL)"
    )
    con.execute("CREATE TABLE IF NOT EXISTS warehouse_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    current = version(con)
    if current > newest:
        raise WarehouseError(
            f"the warehouse has schema version {current}, newer than this presswatch knows ({newest}); upgrade it"
        )
    return current


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Apply pending numbered migrations, each in its own transaction (after its Python step, if it has one), then
    refresh the views if they changed."""
    files = migration_files()
    newest = files[-1][0] if files else 0
    if _up_to_date(con, newest):
        return newest
    current = bookkeeping(con, newest, schema_version)
    applied = False
    for version, name, sql in files:
        if version <= current:
            continue
        if version in _BEFORE:
            _BEFORE[version](con)
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(sql)
            con.execute("INSERT INTO schema_migrations VALUES (?, ?, now())", [version, name])
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        log.info("warehouse schema %d applied (%s)", version, name)
        applied = True
    if applied:
        # Written out now: a migration that rewrote a big table leaves its blocks and the rebuilt key index in memory
        # until a checkpoint, more than a writer's bound (schema 8 at a million articles: 0.8 GB, and setting the
        # bound failed).
        con.execute("CHECKPOINT")
    views, digest = views_sql(), _views_digest()
    row = con.execute("SELECT value FROM warehouse_meta WHERE key = 'views_hash'").fetchall()
    if not row or row[0][0] != digest:
        con.execute("BEGIN TRANSACTION")
        con.execute(views)
        con.execute("INSERT OR REPLACE INTO warehouse_meta VALUES ('views_hash', ?)", [digest])
        con.execute("COMMIT")
    return max(current, newest)


@contextmanager
def exclusive_run(location: Location, name: str = "ingest") -> Iterator[None]:
    """Hold `<warehouse>.<name>.lock` for the duration of a run, so that a second ingest started while one is
    going exits with a clear message instead of doing the same work twice. The OS releases the lock when the
    process dies, so a killed run never leaves a stale lock behind. On the shared store: an advisory lock of
    PostgreSQL's, which holds across machines and is released when the session ends."""
    import fcntl
    import os

    if is_shared(location):
        with postgres.exclusive_run(str(location), name):
            yield
        return
    path = Path(location)

    path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = path.with_name(f"{path.name}.{name.replace(' ', '-').replace('/', '-of-')}.lock")
    with open(lock_path, "a+") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise WarehouseLockedError(
                f"another presswatch {name} is running on {path} (pid {holder}); try again when it finishes"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
