"""The stance package's exceptions: one base class, one subclass per kind of user error."""

from __future__ import annotations

from pathlib import Path


class StanceError(Exception):
    """Base class of every error the stance package raises on purpose."""


class RuleFileError(StanceError):
    """A topic rule file that cannot be used; `str()` is one line naming file, line and key.

    Example: ``topics/x.toml:12: stance.en.supportive[3].weight: must be a number between -5 and 5``
    """

    def __init__(self, path: Path | str, line: int | None, key: str | None, message: str) -> None:
        self.path = Path(path)
        self.line = line
        self.key = key
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else f"{self.path}"
        return f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"
