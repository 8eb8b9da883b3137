"""Checks a command makes before it starts Prefect (a second or more): a problem the user must fix is said at once,
in one line, instead of after Prefect's start-up and inside a flow run's traceback."""

from __future__ import annotations

from flows.errors import PresswatchError
from flows.settings import Settings
from warehouse.db import WarehouseError, connect, exclusive_run


class WarehouseUnusableError(PresswatchError):
    """The warehouse file exists but cannot be used (corrupt, newer schema, unreadable)."""


def check_warehouse(settings: Settings, *, free_lock: str | None = None) -> None:
    """Open the warehouse as a writer would (creating or migrating it), then let go; with `free_lock`, also check
    that no other run holds that run lock (e.g. "ingest"). Raises PresswatchError subclasses with the remedy."""
    path = settings.store
    try:
        with connect(path):
            pass
    except WarehouseError as exc:
        if "not a valid DuckDB database" in str(exc):
            raise WarehouseUnusableError(
                f"{path} is not a readable warehouse (corrupt or not a DuckDB file). Restore it from a backup "
                "(`presswatch backup`, docs/operations.md#backups), or move it away to start a new one"
            ) from None
        raise
    except OSError as exc:
        raise WarehouseUnusableError(f"{path}: {exc.strerror or exc}") from None
    if free_lock is not None:
        with exclusive_run(path, free_lock):
            pass
