"""presswatch's own exceptions for user errors the CLI reports as one line (no traceback)."""

from __future__ import annotations


class PresswatchError(Exception):
    """Base of every error the CLI turns into one clear line and a non-zero exit."""

    exit_code = 1


class ConfigError(PresswatchError):
    """A missing, malformed or invalid configuration file."""

    exit_code = 2

    def __init__(self, path: object, message: str, key: str | None = None) -> None:
        self.path = str(path)
        self.key = key
        where = f"{self.path}: {key}" if key else self.path
        super().__init__(f"{where}: {message}")


class UnknownTopicError(PresswatchError):
    exit_code = 2
