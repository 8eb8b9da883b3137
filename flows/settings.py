"""Configuration: `presswatch.toml` read once at the entry point into frozen values.

Unknown keys are errors naming the file and the key, so that a typo never silently falls back to a default.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from extractors.fetch import FetchPolicy
from flows.errors import ConfigError

CONFIG_ENV = "PRESSWATCH_CONFIG"
DEFAULT_CONFIG = Path("presswatch.toml")
PROJECT_URL = "https://github.com/presswatch/presswatch"


def software_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("presswatch")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0+unknown"


@dataclass(frozen=True, slots=True)
class FeedConfig:
    url: str
    name: str = ""
    # The topics this feed's articles are classified for; empty: every enabled topic. A feed that covers one
    # debate then does not fill another topic's report with off-topic articles.
    topics: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Settings:
    config_path: Path
    warehouse_path: Path = Path("data/presswatch.duckdb")
    # The shared store of several shards (docs/scaling.md): a PostgreSQL URL. None: the DuckDB file above, which
    # otherwise stays this machine's data folder (Prefect home, run locks).
    warehouse_url: str | None = None
    keep_html: bool = True  # raw pages stored compressed (about a fifth of their size) for `presswatch reextract`
    reports_dir: Path = Path("data/reports")
    fetch: FetchPolicy = field(default_factory=FetchPolicy)
    feeds: tuple[FeedConfig, ...] = ()
    topics: tuple[str, ...] = ("amnesty-2015",)
    topics_dir: Path | None = None  # None: the rule files shipped with presswatch
    # `presswatch serve`: feeds of news sites update a few times an hour at most, so hourly catches everything
    # without hammering anyone; the report runs on Monday 06:00 UTC, when the previous ISO week is complete.
    ingest_every_minutes: int = 60
    report_cron: str = "0 6 * * 1"

    @property
    def store(self) -> Path | str:
        """Where the warehouse's rows live: the PostgreSQL URL when one is set, else the DuckDB file."""
        return self.warehouse_url or self.warehouse_path

    def feed_topics(self) -> dict[str, frozenset[str]]:
        """Feed URL -> the topics its articles are classified for, for the feeds that name theirs."""
        return {feed.url: frozenset(feed.topics) for feed in self.feeds if feed.topics}

    def with_overrides(self, **changes: Any) -> Settings:
        return replace(self, **changes)


_TOP_KEYS = {"warehouse", "reports", "fetch", "feeds", "topics", "schedule"}
_SCHEDULE_KEYS = {"ingest_every_minutes", "report_cron"}
_WAREHOUSE_KEYS = {"path", "keep_html", "url"}
_STORE_SCHEMES = ("postgresql://", "postgres://")
_REPORTS_KEYS = {"dir"}
_TOPICS_KEYS = {"enabled", "dir"}
_FEED_KEYS = {"url", "name", "topics"}


def resolve_config_path(cli_value: str | None) -> Path:
    if cli_value:
        return Path(cli_value)
    env = os.environ.get(CONFIG_ENV)
    return Path(env) if env else DEFAULT_CONFIG


def default_user_agent() -> str:
    return f"presswatch/{software_version()} (+{PROJECT_URL})"


def load_settings(path: Path, *, missing_ok: bool = False) -> Settings:
    """Read and validate a config file. Relative paths in it are relative to the file's folder."""
    if not path.exists():
        if missing_ok:
            return Settings(config_path=path, fetch=FetchPolicy(user_agent=default_user_agent()))
        raise ConfigError(path, "configuration file not found (use --config or PRESSWATCH_CONFIG)")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, f"malformed TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(path, f"cannot read: {exc}") from None
    return parse_settings(raw, path)


def parse_settings(raw: dict[str, Any], path: Path) -> Settings:
    base = path.parent
    _reject_unknown(raw, _TOP_KEYS, path, "")
    warehouse = _table(raw, "warehouse", path)
    _reject_unknown(warehouse, _WAREHOUSE_KEYS, path, "warehouse")
    reports = _table(raw, "reports", path)
    _reject_unknown(reports, _REPORTS_KEYS, path, "reports")
    topics = _table(raw, "topics", path)
    _reject_unknown(topics, _TOPICS_KEYS, path, "topics")

    settings = Settings(config_path=path)
    changes: dict[str, Any] = {}
    if "keep_html" in warehouse:
        if not isinstance(warehouse["keep_html"], bool):
            raise ConfigError(path, "must be true or false", "warehouse.keep_html")
        changes["keep_html"] = warehouse["keep_html"]
    if "path" in warehouse:
        changes["warehouse_path"] = base / _string(warehouse["path"], path, "warehouse.path")
    else:
        changes["warehouse_path"] = base / settings.warehouse_path
    if "url" in warehouse:
        url = _string(warehouse["url"], path, "warehouse.url")
        if not url.startswith(_STORE_SCHEMES):
            raise ConfigError(path, f"must be a PostgreSQL URL (postgresql://...), got {url[:40]!r}", "warehouse.url")
        changes["warehouse_url"] = url
    if "dir" in reports:
        changes["reports_dir"] = base / _string(reports["dir"], path, "reports.dir")
    else:
        changes["reports_dir"] = base / settings.reports_dir
    if "enabled" in topics:
        enabled = topics["enabled"]
        if not isinstance(enabled, list) or not all(isinstance(t, str) and t for t in enabled):
            raise ConfigError(path, "must be a list of topic names", "topics.enabled")
        changes["topics"] = tuple(enabled)
    if "dir" in topics:
        changes["topics_dir"] = base / _string(topics["dir"], path, "topics.dir")
    schedule = _table(raw, "schedule", path)
    _reject_unknown(schedule, _SCHEDULE_KEYS, path, "schedule")
    if "ingest_every_minutes" in schedule:
        minutes = schedule["ingest_every_minutes"]
        if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes < 1:
            raise ConfigError(path, "must be a whole number of minutes, at least 1", "schedule.ingest_every_minutes")
        changes["ingest_every_minutes"] = minutes
    if "report_cron" in schedule:
        cron = _string(schedule["report_cron"], path, "schedule.report_cron")
        problem = cron_problem(cron)
        if problem is not None:
            raise ConfigError(path, f"{problem} (a cron expression such as '0 6 * * 1')", "schedule.report_cron")
        changes["report_cron"] = cron
    changes["fetch"] = _parse_fetch(_table(raw, "fetch", path), path)
    changes["feeds"] = _parse_feeds(raw.get("feeds", []), path)
    enabled = changes.get("topics", settings.topics)
    for i, feed in enumerate(changes["feeds"]):
        unknown = [t for t in feed.topics if t not in enabled]
        if unknown:
            raise ConfigError(
                path, f"{', '.join(unknown)} not among [topics] enabled ({', '.join(enabled)})", f"feeds[{i}].topics"
            )
    return replace(settings, **changes)


def _parse_fetch(table: dict[str, Any], path: Path) -> FetchPolicy:
    known = {f.name: f for f in fields(FetchPolicy)}
    _reject_unknown(table, set(known), path, "fetch")
    values: dict[str, Any] = {}
    defaults = FetchPolicy()
    for key, value in table.items():
        expected = type(getattr(defaults, key))
        dotted = f"fetch.{key}"
        if expected is bool:
            if not isinstance(value, bool):
                raise ConfigError(path, "must be true or false", dotted)
        elif expected is float:
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise ConfigError(path, "must be a non-negative number", dotted)
            value = float(value)
        elif expected is int:
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigError(path, "must be a positive integer", dotted)
        elif expected is str and not isinstance(value, str):
            raise ConfigError(path, "must be a string", dotted)
        elif expected is tuple:
            if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
                raise ConfigError(path, "must be a list of host names", dotted)
            value = tuple(value)
        values[key] = value
    if not values.get("user_agent"):
        values["user_agent"] = default_user_agent()
    return FetchPolicy(**values)


def _parse_feeds(raw: Any, path: Path) -> tuple[FeedConfig, ...]:
    if not isinstance(raw, list):
        raise ConfigError(path, "must be an array of tables ([[feeds]])", "feeds")
    feeds: list[FeedConfig] = []
    seen: set[str] = set()
    for i, item in enumerate(raw):
        key = f"feeds[{i}]"
        if not isinstance(item, dict):
            raise ConfigError(path, "must be a table with url = ...", key)
        _reject_unknown(item, _FEED_KEYS, path, key)
        url = _string(item.get("url"), path, f"{key}.url")
        if not url.startswith(("http://", "https://")):
            raise ConfigError(path, f"must be an http(s) URL, got {url!r}", f"{key}.url")
        if url in seen:
            raise ConfigError(path, f"duplicate feed {url}", f"{key}.url")
        seen.add(url)
        topics = item.get("topics", [])
        if not isinstance(topics, list) or not all(isinstance(t, str) and t for t in topics):
            raise ConfigError(path, "must be a list of topic names", f"{key}.topics")
        feeds.append(FeedConfig(url=url, name=str(item.get("name", "")), topics=tuple(topics)))
    return tuple(feeds)


def _table(raw: dict[str, Any], key: str, path: Path) -> dict[str, Any]:
    value = raw.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(path, "must be a table", key)
    return value


def _string(value: Any, path: Path, key: str) -> str:
    if not isinstance(value, str) or not value:
        raise ConfigError(path, "must be a non-empty string", key)
    return value


def _reject_unknown(table: dict[str, Any], known: set[str], path: Path, prefix: str) -> None:
    for key in table:
        if key not in known:
            dotted = f"{prefix}.{key}" if prefix else key
            raise ConfigError(path, f"unknown key (expected one of: {', '.join(sorted(known))})", dotted)


# The five fields of a cron expression: name, lowest, highest, names allowed (Prefect's scheduler reads the same).
_CRON_FIELDS = (
    ("minute", 0, 59, ()),
    ("hour", 0, 23, ()),
    ("day of month", 1, 31, ()),
    ("month", 1, 12, ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")),
    ("day of week", 0, 7, ("sun", "mon", "tue", "wed", "thu", "fri", "sat")),
)


def cron_problem(expression: str) -> str | None:
    """What is wrong with a five-field cron expression, or None: each field is `*`, a number or name in range, a
    range `a-b`, a step `*/n` or `a-b/n`, or a comma list of those."""
    fields = expression.split()
    if len(fields) != 5:
        return f"must have five fields (minute hour day-of-month month day-of-week), not {len(fields)}"
    for text, (name, low, high, names) in zip(fields, _CRON_FIELDS, strict=True):
        for part in text.split(","):
            base, _, step = part.partition("/")
            if step and (not step.isdigit() or int(step) == 0):
                return f"{name}: bad step {part!r}"
            if base == "*":
                continue
            bounds = base.split("-")
            if len(bounds) > 2 or not all(bounds):
                return f"{name}: {part!r} is not a number, a name or a range"
            values = []
            for bound in bounds:
                key = bound.casefold()
                if key in names:
                    values.append(names.index(key) + (1 if name == "month" else 0))
                elif bound.isdigit():
                    values.append(int(bound))
                else:
                    return f"{name}: {bound!r} is not a number{' or a name' if names else ''}"
            if not all(low <= v <= high for v in values):
                return f"{name}: {part!r} is outside {low}-{high}"
            if len(values) == 2 and values[0] > values[1]:
                return f"{name}: the range {part!r} runs backwards"
    return None
