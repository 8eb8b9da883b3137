"""The shared warehouse on PostgreSQL (`[warehouse] url = "postgresql://..."`): the store several shards write at once
(docs/scaling.md says why PostgreSQL and not DuckLake, with the measurements).

`PgConnection` gives the warehouse code the part of DuckDB's connection API it uses (`execute` with `?` or `$name`
parameters, `register` of an Arrow table as a relation, `unregister`), so that the stages' SQL, which is written to
run on both engines, is not written twice; the few statements that differ are chosen in warehouse/store.py by
`is_postgres`. psycopg (v3) is the `scale` extra: imported only when a PostgreSQL URL is configured."""

from __future__ import annotations

import functools
import hashlib
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from typing import Any

import pyarrow as pa

SCHEMES = ("postgresql://", "postgres://")
INSTALL_HINT = "pip install -e '.[scale]' (or `make scale`)"
# Transaction outcomes PostgreSQL asks the client to retry: a deadlock, a serialization failure, and a key another
# transaction committed first (two shards writing the same article). The whole batch is written again.
RETRY_SQLSTATES = frozenset({"40P01", "40001", "23505"})
MAX_TRANSACTION_TRIES = 8
_RETRY_PAUSE_S = 0.05
# Both stores' ingest runs hold a lock named after the run (flows/ingest.py): here an advisory lock, which
# PostgreSQL releases when the session ends, so a killed shard never leaves one behind.
_LOCK_NAMESPACE = 0x70770  # an arbitrary constant of ours: advisory locks are one namespace per database


def is_url(location: object) -> bool:
    return isinstance(location, str) and location.startswith(SCHEMES)


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError:
        from warehouse.db import WarehouseError

        raise WarehouseError(f"a PostgreSQL warehouse needs the scale extra: {INSTALL_HINT}") from None
    return psycopg


def redact(url: str) -> str:
    """The URL without its password, for messages."""
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", url)


# --- parameters: DuckDB's styles to psycopg's -----------------------------------------------------------------

_TOKENS = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|--[^\n]*|\$([A-Za-z_]\w*)|\?|%")


def translate(sql: str) -> str:
    """`?` -> `%s` and `$name` -> `%(name)s` outside string literals, quoted names and comments; `%` -> `%%`
    everywhere."""

    def replace(match: re.Match[str]) -> str:
        text = match.group(0)
        if text == "?":
            return "%s"
        if text == "%":
            return "%%"
        if match.group(1):
            return f"%({match.group(1)})s"
        return text.replace("%", "%%")  # a literal, quoted name or comment: psycopg reads `%` everywhere

    return _TOKENS.sub(replace, sql)


_ARROW_TYPES = (
    (pa.types.is_string, "TEXT"),
    (pa.types.is_large_string, "TEXT"),
    (pa.types.is_boolean, "BOOLEAN"),
    (pa.types.is_int32, "INTEGER"),
    (pa.types.is_int64, "BIGINT"),
    (pa.types.is_float64, "DOUBLE PRECISION"),
    (pa.types.is_timestamp, "TIMESTAMPTZ"),
    (pa.types.is_binary, "BYTEA"),
)


def _pg_type(kind: pa.DataType) -> str:
    if pa.types.is_list(kind):
        return f"{_pg_type(kind.value_type)}[]"
    for test, name in _ARROW_TYPES:
        if test(kind):
            return name
    raise TypeError(f"no PostgreSQL type for Arrow {kind}")


class PgConnection:
    """A psycopg connection in autocommit mode (transactions are the explicit BEGIN/COMMIT of warehouse/store.py)
    with DuckDB's parameter styles and `register`."""

    dialect = "postgres"

    def __init__(self, raw: Any) -> None:
        self.raw = raw

    def execute(self, sql: str, params: Any = None) -> Any:
        if params is None:
            return self.raw.execute(sql)
        return self.raw.execute(translate(sql), params)

    def register(self, name: str, table: pa.Table) -> None:
        """`table` as a temporary table `name` (replacing an earlier one), loaded with COPY: one round trip."""
        columns = ", ".join(f'"{f.name}" {_pg_type(f.type)}' for f in table.schema)
        self.raw.execute(f'DROP TABLE IF EXISTS pg_temp."{name}"')
        self.raw.execute(f'CREATE TEMP TABLE "{name}" ({columns})')
        if not table.num_rows:
            return
        names = ", ".join(f'"{f}"' for f in table.schema.names)
        rows = zip(*(column.to_pylist() for column in table.columns), strict=True)
        with self.raw.cursor().copy(f'COPY "{name}" ({names}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)

    def unregister(self, name: str) -> None:
        self.raw.execute(f'DROP TABLE IF EXISTS pg_temp."{name}"')

    def close(self) -> None:
        self.raw.close()


def is_postgres(con: object) -> bool:
    return isinstance(con, PgConnection)


def open_connection(url: str, *, read_only: bool = False, wait_s: float = 30.0) -> PgConnection:
    """Connect (retrying for `wait_s` while the server is not reachable yet), UTC, JSON read back as text as from
    DuckDB; a reader's session is read-only."""
    psycopg = _psycopg()
    from psycopg.types.string import TextLoader

    from warehouse.db import WarehouseError

    options = "-c TimeZone=UTC" + (" -c default_transaction_read_only=on" if read_only else "")
    deadline = time.monotonic() + wait_s
    while True:
        try:
            raw = psycopg.connect(url, autocommit=True, options=options, connect_timeout=10)
            break
        except psycopg.OperationalError as exc:
            if time.monotonic() >= deadline:
                raise WarehouseError(f"{redact(url)}: cannot connect ({str(exc).strip()})") from None
            time.sleep(0.5)
    for name in ("json", "jsonb"):
        raw.adapters.register_loader(name, TextLoader)
    return PgConnection(raw)


@contextmanager
def connect(url: str, *, read_only: bool = False, wait_s: float = 30.0) -> Iterator[PgConnection]:
    con = open_connection(url, read_only=read_only, wait_s=wait_s)
    try:
        if not read_only:
            migrate(con)
        yield con
    finally:
        con.close()


# --- migrations ---------------------------------------------------------------------------------------------


@functools.cache
def migration_files() -> tuple[tuple[int, str, str], ...]:
    """(version, name, sql) of warehouse/sql/postgres/NNN_*.sql, in order."""
    found = []
    for entry in resources.files("warehouse").joinpath("sql", "postgres").iterdir():
        if entry.name.endswith(".sql") and entry.name[:3].isdigit():
            found.append((int(entry.name[:3]), entry.name, entry.read_text(encoding="utf-8")))
    return tuple(sorted(found))


@functools.cache
def views_sql() -> str:
    return resources.files("warehouse").joinpath("sql", "postgres", "views.sql").read_text(encoding="utf-8")


def _views_digest() -> str:
    return hashlib.sha256(views_sql().encode()).hexdigest()


def schema_version(con: PgConnection) -> int:
    if con.execute("SELECT to_regclass('schema_migrations')").fetchall()[0][0] is None:
        return 0
    return int(con.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchall()[0][0])


def _up_to_date(con: PgConnection, newest: int) -> bool:
    if con.execute("SELECT to_regclass('warehouse_meta')").fetchall()[0][0] is None:
        return False
    version, digest = con.execute(
        "SELECT (SELECT max(version) FROM schema_migrations),"
        " (SELECT value FROM warehouse_meta WHERE key = 'views_hash')"
    ).fetchall()[0]
    return bool(version == newest and digest == _views_digest())


def migrate(con: PgConnection) -> int:
    """Apply pending migrations and refresh the views, in one transaction under an advisory lock: shards that start
    at once migrate one after the other, and the later ones find nothing to do."""
    from warehouse.db import bookkeeping

    files = migration_files()
    newest = files[-1][0]
    if _up_to_date(con, newest):
        return newest
    con.execute("BEGIN")
    try:
        con.execute("SELECT pg_advisory_xact_lock(?, 0)", [_LOCK_NAMESPACE])
        current = bookkeeping(con, newest, schema_version)
        for version, name, sql in files:
            if version > current:
                con.execute(sql)
                con.execute("INSERT INTO schema_migrations VALUES (?, ?, now())", [version, name])
        row = con.execute("SELECT value FROM warehouse_meta WHERE key = 'views_hash'").fetchall()
        if not row or row[0][0] != _views_digest():
            con.execute(views_sql())
            con.execute(
                "INSERT INTO warehouse_meta VALUES ('views_hash', ?) ON CONFLICT (key) DO UPDATE SET value = ?",
                [_views_digest(), _views_digest()],
            )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return max(current, newest)


# --- transactions and run locks -----------------------------------------------------------------------------


def retryable(exc: BaseException) -> bool:
    return getattr(exc, "sqlstate", None) in RETRY_SQLSTATES


def pause(attempt: int) -> None:
    time.sleep(_RETRY_PAUSE_S * (2**attempt))


def _lock_key(name: str) -> int:
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:4], "big", signed=True)


@contextmanager
def exclusive_run(url: str, name: str) -> Iterator[None]:
    """Hold the advisory lock `name` (e.g. "ingest" or "ingest shard 2/3") in a session of its own for the run."""
    from warehouse.db import WarehouseLockedError

    con = open_connection(url)
    try:
        got = con.execute("SELECT pg_try_advisory_lock(?, ?)", [_LOCK_NAMESPACE, _lock_key(name)]).fetchall()[0][0]
        if not got:
            raise WarehouseLockedError(
                f"another presswatch {name} is running on {redact(url)}; try again when it finishes"
            )
        yield
    finally:
        con.close()
