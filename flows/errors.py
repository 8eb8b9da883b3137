"""presswatch's errors: one tree, one base, every user error the CLI reports as one line (no traceback).

`flows.cli.main` catches `PresswatchError` once: it prints `presswatch: <message>` on stderr, each line of the
message prefixed (a `ConfigError` says each problem on a line of its own) except DuckDB's messages in a
WarehouseError or QueryError, said whole so that a query's caret stays under its SQL line, and exits with the
class's `exit_code`. Ctrl-C is not an error: `presswatch: interrupted`, exit 130. Usage mistakes (an unknown
option, a value not among a choice's values) are click's, printed with the usage, exit 2.

The base is defined in extractors/errors.py, not here: by the layout contract (DESIGN.md) `extractors/`,
`warehouse/` and `reports/` may import small shared types but never `flows/`, and `except` ignores ABC
registration, so one base must sit below them all. tests/test_errors.py fails on an exception class of those
packages or of `flows/` that does not derive from it or is not named below.

* PresswatchError (extractors/errors.py, re-exported here; exit 1): the base. Raised as it is for a bad option or
  input that no subclass names (`--week` with `--all`, a bad `--param`, an unreadable file, no human labels yet,
  every feed failed, ...).
    * ConfigError (here; exit 2): `presswatch.toml` missing, malformed or invalid, one line per problem.
    * UnknownTopicError (here; exit 2): a topic that is not enabled or has no rule file.
    * RulesError (here; exit 2): a topic rule file, or a candidate one (`evaluate --rules`), that does not load:
      stance's own one-line message naming file, line and key; the StanceError is its `__cause__`.
    * PrefectServerError (flows/prefect_server.py; exit 1): the Prefect server `serve` starts would not run.
    * WarehouseUnusableError (flows/preflight.py; exit 1): the warehouse file is corrupt, not DuckDB's or cannot
      be opened, said before Prefect starts.
    * WarehouseError (warehouse/db.py; exit 1): no warehouse yet, a newer schema than this presswatch, a
      PostgreSQL store that cannot be reached, a backup or export that cannot be written, no such article to
      label.
        * WarehouseLockedError (warehouse/db.py; exit 1): another process holds the DuckDB file longer than the
          wait, or another ingest (or serve) is running on the warehouse.
    * QueryError (warehouse/analyst.py; exit 1): `presswatch sql` refused or failed (read-only, syntax with
      DuckDB's caret under the mistake, ...).
    * InvalidURLError (extractors/urls.py; exit 1; also a ValueError): a URL with no canonical form, met at
      `presswatch label URL`; a feed entry with such a link is left out and counted, not raised.
    * WeekError (reports/week.py; exit 1; also a ValueError): `--week` that is not an ISO week (YYYY-Www).

Two kinds of failure are not in the tree:
* StanceError and its RuleFileError (stance/errors.py). The layout contract (DESIGN.md) keeps `stance/` a pure
  library that imports nothing of ours, so its errors cannot derive from PresswatchError; `flows` turns them into
  a RulesError where it loads rule files, in one place: `load_rule_file` below (topics for classify, reclassify,
  reextract, ingest, serve, evaluate, rules suggest and reports; `evaluate --rules`; `topics check`).
  `presswatch topics check` lists every problem of a file itself (file:line: key: message on stdout, exit 2).
* Fetch and feed failures: they are recorded reasons, `extractors.reasons.Reason`, never raised out of a run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NamedTuple, TypeVar

from extractors.errors import PresswatchError  # the base, below every layer that may not import flows
from stance.errors import StanceError

_T = TypeVar("_T")


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


class RulesError(PresswatchError):
    """A rule file that does not load, with stance's one-line message (file:line: key: message).

    Example: ``topics/x.toml:12: stance.en.supportive[3].weight: must be a number between -5 and 5``
    """

    exit_code = 2


def load_rule_file(load: Callable[[Path], _T], path: Path) -> _T:
    """`load(path)` with a stance loader (`load_ruleset`, `load_topic`): the one place a StanceError becomes ours,
    a RulesError with the same message (stance imports nothing of ours, so it cannot raise a PresswatchError)."""
    try:
        return load(path)
    except StanceError as err:
        raise RulesError(str(err)) from err
