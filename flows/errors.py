"""presswatch's own exceptions for user errors the CLI reports as one line (no traceback).

The errors a user can meet, by layer (DESIGN.md: `stance/` imports nothing of ours, `warehouse/` and `extractors/`
only small shared types, so the lower layers have roots of their own; `flows.cli.main` catches each root once):

* PresswatchError (here; exit 1 unless the class says otherwise)
    * ConfigError: `presswatch.toml` missing, malformed or invalid, one line per problem (exit 2)
    * UnknownTopicError: a topic that is not enabled or has no rule file (exit 2)
    * PrefectServerError (flows/prefect_server.py): the Prefect server `serve` starts would not run
    * WarehouseUnusableError (flows/preflight.py): corrupt, newer schema or in use, said before Prefect starts
* StanceError (stance/errors.py; exit 2)
    * RuleFileError: a topic rule file that does not load, naming file, line and key
* WarehouseError (warehouse/db.py; exit 1)
    * WarehouseLockedError: another process holds the DuckDB file longer than the wait
* QueryError (warehouse/analyst.py; exit 1): `presswatch sql` refused or failed (read-only, syntax, ...)
* InvalidURLError (extractors/urls.py, a ValueError) and WeekError (reports/weekly.py, a ValueError): bad input the
  command that parses it turns into a PresswatchError naming the option.

Fetch and feed failures are not exceptions: they are recorded reasons, `extractors.reasons.Reason`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple


class PresswatchError(Exception):
    """Base of every error the CLI turns into one clear line and a non-zero exit."""

    exit_code = 1


class ConfigProblem(NamedTuple):
    """One thing wrong in a configuration file: the key ("fetch.timeout_s", "feeds[2].url"; None for the whole
    file) and what is wrong with it."""

    key: str | None
    message: str


class ConfigError(PresswatchError):
    """A missing, malformed or invalid configuration file: one line per problem, "file: key: message".

    Example: ``presswatch.toml: fetch.timeout_s: must be a number above 0, at most 600, not 0``
    """

    exit_code = 2

    def __init__(
        self, path: object, message: str, key: str | None = None, *, more: Sequence[ConfigProblem] = ()
    ) -> None:
        self.path = str(path)
        self.key = key
        self.problems = (ConfigProblem(key, message), *more)
        super().__init__("\n".join(f"{self.path}: {k}: {m}" if k else f"{self.path}: {m}" for k, m in self.problems))

    @classmethod
    def from_problems(cls, path: object, problems: Sequence[ConfigProblem]) -> ConfigError:
        """Every problem of one file in one error (at least one)."""
        first, *more = problems
        return cls(path, first.message, first.key, more=more)


class UnknownTopicError(PresswatchError):
    exit_code = 2
