"""Configuration: `presswatch.toml` read once at the entry point into frozen values.

The file's schema is one pydantic model per table (`ConfigFile` and the `*Table` models below): each key's type,
default and bounds, and with them the error messages and the key table of docs/configuration.md
(`python -m flows.configdoc`). Unknown keys are errors naming the file and the key, so that a typo never silently
falls back to a default. Every problem of a file is reported at once, one line each (`ConfigError`); nothing
outside this module sees pydantic: callers get the frozen dataclasses `Settings`, `FeedConfig` and `FetchPolicy`.
"""

from __future__ import annotations

import difflib
import json
import os
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError
from pydantic.config import JsonDict
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails, PydanticCustomError

from extractors.fetch import FetchPolicy
from flows.errors import ConfigError, ConfigProblem

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


def resolve_config_path(cli_value: str | None) -> Path:
    if cli_value:
        return Path(cli_value)
    env = os.environ.get(CONFIG_ENV)
    return Path(env) if env else DEFAULT_CONFIG


def default_user_agent() -> str:
    return f"presswatch/{software_version()} (+{PROJECT_URL})"


# --- the file's schema ---------------------------------------------------------------------------------------
# The defaults live in the dataclasses above (and `FetchPolicy`); the models take them from there.
_DEFAULTS = Settings(config_path=DEFAULT_CONFIG)
_FETCH = FetchPolicy()

# Upper bounds: a value beyond them is a typo (an extra zero, seconds for minutes) or would stop presswatch from
# doing its job; each is far above any value with a use.
# Browsers open at most 6 connections to one server; 16 is far past any polite crawler.
MAX_PER_HOST_CONCURRENCY = 16
# An hour between request starts to one publisher: any longer and an hourly run fetches one page of it.
MAX_PER_HOST_DELAY_S = 3600.0
# Ten minutes for a read (the total deadline is twice this): a page that slow has failed; the next run retries.
MAX_TIMEOUT_S = 600.0
# Ten times the default: news pages are 50 KB to 2 MB, large feeds tens of MB, and bodies are held in memory,
# up to `max_in_flight` of them at once.
MAX_BODY_BYTES = 100 * 1024 * 1024
# Chrome and Firefox give up after 20 redirects; a longer chain is a loop.
MAX_REDIRECTS = 20
# Each request in flight holds a socket and up to `max_bytes` of memory; the benchmarks use 128.
MAX_IN_FLIGHT = 256
# The longest Retry-After waited out within one run: an hour, the default ingest interval; the next run retries.
MAX_RETRY_AFTER_S = 3600.0
# A week: reports are weekly, and a longer interval would leave a week without data.
MAX_INGEST_EVERY_MINUTES = 7 * 24 * 60


def _key(
    default: Any = ...,
    *,
    doc: str,
    expected: str | None = None,
    hint: str | None = None,
    shown: str | None = None,
    **bounds: Any,
) -> Any:
    """A key of the file: its default and what it does (`doc`). What an error says is expected comes from the type
    and `bounds` ("a whole number from 1 to 16"), with `hint` added in brackets, or is `expected` where the type
    says too little ("a list of topic names"). `shown`: how docs show a default that is not a literal."""
    extra: JsonDict = {name: text for name, text in (("expected", expected), ("hint", hint), ("shown", shown)) if text}
    return Field(default, description=doc, json_schema_extra=extra or None, **bounds)


# The error type of our own validators: their message is complete and reaches the user as it is.
_OWN_ERROR = "presswatch"


def _valid_cron(expression: str) -> str:
    problem = cron_problem(expression)
    if problem is not None:
        raise PydanticCustomError(_OWN_ERROR, "{problem} (a cron expression such as '0 6 * * 1')", {"problem": problem})
    return expression


def _some_topics(names: tuple[str, ...]) -> tuple[str, ...]:
    if not names:
        raise PydanticCustomError(_OWN_ERROR, "must name at least one topic (a rule file in topics/)")
    return names


NonEmptyStr = Annotated[str, Field(min_length=1)]
# TOML arrays arrive as lists; the models keep tuples (immutable, like the dataclasses they become).
Names = Annotated[tuple[NonEmptyStr, ...], Field(strict=False)]


class _Table(BaseModel):
    """A table of presswatch.toml. TOML values are taken as they are typed: `"5"` is not 5 and 1 is not true."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


class WarehouseTable(_Table):
    path: NonEmptyStr = _key(
        str(_DEFAULTS.warehouse_path), doc="the DuckDB file; raw pages go beside it, to `<name>.pages.duckdb`"
    )
    keep_html: bool = _key(_DEFAULTS.keep_html, doc="store raw pages (compressed) for `presswatch reextract`")
    url: NonEmptyStr | None = _key(
        None,
        doc="a shared PostgreSQL store for several shards instead of the DuckDB file (docs/scaling.md)",
        expected="a PostgreSQL URL (postgresql://...)",
        pattern=r"^postgres(ql)?://",
    )


class ReportsTable(_Table):
    dir: NonEmptyStr = _key(str(_DEFAULTS.reports_dir), doc="reports go to `<dir>/<topic>/<YYYY-Www>.md`")


class FetchTable(_Table):
    """`FetchPolicy` as the file spells it: one key per field (a test keeps the two in step)."""

    user_agent: str = _key(
        "",
        doc="the User-Agent header; empty: the default",
        shown=f'"presswatch/<version> (+{PROJECT_URL})"',
    )
    per_host_concurrency: int = _key(
        _FETCH.per_host_concurrency,
        doc="requests in flight per publisher (registrable domain)",
        ge=1,
        le=MAX_PER_HOST_CONCURRENCY,
    )
    per_host_delay_s: float = _key(
        _FETCH.per_host_delay_s,
        doc="minimum gap between request starts to one publisher",
        ge=0,
        le=MAX_PER_HOST_DELAY_S,
    )
    allow_private_networks: bool = _key(
        _FETCH.allow_private_networks,
        doc="fetch URLs resolving to loopback, private, link-local or multicast addresses",
    )
    allowed_private_hosts: Names = _key(
        _FETCH.allowed_private_hosts,
        doc="host names that may resolve to private addresses when `allow_private_networks` is false",
        expected="a list of host names",
    )
    respect_robots: bool = _key(_FETCH.respect_robots, doc="obey robots.txt for article pages")
    timeout_s: float = _key(
        _FETCH.timeout_s,
        doc="per request: connect/read timeouts; the total deadline is twice this",
        gt=0,
        le=MAX_TIMEOUT_S,
    )
    max_bytes: int = _key(
        _FETCH.max_bytes,
        doc="largest body accepted, counted after decompression (default 10 MiB)",
        hint="bytes; 100 MiB",
        ge=1,
        le=MAX_BODY_BYTES,
    )
    max_redirects: int = _key(_FETCH.max_redirects, doc="redirects followed per request", ge=1, le=MAX_REDIRECTS)
    max_in_flight: int = _key(_FETCH.max_in_flight, doc="requests in flight across all servers", ge=1, le=MAX_IN_FLIGHT)
    max_retry_after_s: float = _key(
        _FETCH.max_retry_after_s,
        doc="longest Retry-After honoured within one run; longer ones fail until the next run",
        ge=0,
        le=MAX_RETRY_AFTER_S,
    )


class TopicsTable(_Table):
    enabled: Annotated[Names, AfterValidator(_some_topics)] = _key(
        _DEFAULTS.topics,
        doc="the topics classified and reported: rule files `<name>.toml`",
        expected="a list of one or more topic names",
    )
    dir: NonEmptyStr | None = _key(
        None,
        doc="a folder of your own rule files, added to the bundled ones (same name: yours wins)",
        expected="a folder name (a non-empty string)",
        shown="none",
    )


class ScheduleTable(_Table):
    ingest_every_minutes: int = _key(
        _DEFAULTS.ingest_every_minutes,
        doc="`presswatch serve`: minutes between ingest runs",
        hint="minutes; one week",
        ge=1,
        le=MAX_INGEST_EVERY_MINUTES,
    )
    report_cron: Annotated[str, AfterValidator(_valid_cron)] = _key(
        _DEFAULTS.report_cron,
        doc="`presswatch serve`: when the weekly report runs (UTC); default Mondays 06:00",
        expected="a cron expression: minute hour day-of-month month day-of-week",
    )


class FeedTable(_Table):
    url: str = _key(doc="the feed's address", expected="an http(s) URL", pattern=r"^https?://")
    name: str = _key("", doc="a label for reports and `presswatch feeds list`")
    topics: Names = _key(
        (),
        doc="classify this feed's articles for these topics only; empty: every enabled topic",
        expected="a list of enabled topic names",
    )


class ConfigFile(_Table):
    """The whole file. Its tables are optional; `[[feeds]]` is an array of tables."""

    warehouse: WarehouseTable = WarehouseTable()
    reports: ReportsTable = ReportsTable()
    fetch: FetchTable = FetchTable()
    topics: TopicsTable = TopicsTable()
    schedule: ScheduleTable = ScheduleTable()
    feeds: Annotated[tuple[FeedTable, ...], Field(strict=False)] = _key(
        (), doc="one `[[feeds]]` table per feed", expected="an array of tables ([[feeds]])"
    )


# --- reading -------------------------------------------------------------------------------------------------


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
    """`Settings` from a parsed TOML document, or a `ConfigError` listing every problem."""
    config = validate_config(raw, path)
    base = path.parent
    fetch = config.fetch.model_dump()
    fetch["user_agent"] = config.fetch.user_agent or default_user_agent()
    return Settings(
        config_path=path,
        warehouse_path=base / config.warehouse.path,
        warehouse_url=config.warehouse.url,
        keep_html=config.warehouse.keep_html,
        reports_dir=base / config.reports.dir,
        fetch=FetchPolicy(**fetch),
        feeds=tuple(FeedConfig(url=f.url, name=f.name, topics=f.topics) for f in config.feeds),
        topics=config.topics.enabled,
        topics_dir=base / config.topics.dir if config.topics.dir is not None else None,
        ingest_every_minutes=config.schedule.ingest_every_minutes,
        report_cron=config.schedule.report_cron,
    )


def validate_config(raw: dict[str, Any], path: Path) -> ConfigFile:
    """The file's tables, each key checked; every problem at once in one `ConfigError`, one line each."""
    try:
        config = ConfigFile.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError.from_problems(path, [_problem(error) for error in exc.errors(include_url=False)]) from None
    problems = _feed_problems(config)
    if problems:
        raise ConfigError.from_problems(path, problems)
    return config


def _feed_problems(config: ConfigFile) -> list[ConfigProblem]:
    """What no single key shows: a feed listed twice, a feed naming a topic that is not enabled. Checked once every
    key is valid on its own."""
    problems = []
    first: dict[str, int] = {}
    enabled = config.topics.enabled
    for i, feed in enumerate(config.feeds):
        if feed.url in first:
            problems.append(
                ConfigProblem(f"feeds[{i}].url", f"duplicate feed {feed.url} (also feeds[{first[feed.url]}])")
            )
        first.setdefault(feed.url, i)
        unknown = [t for t in feed.topics if t not in enabled]
        if unknown:
            problems.append(
                ConfigProblem(
                    f"feeds[{i}].topics", f"{', '.join(unknown)} not among [topics] enabled ({', '.join(enabled)})"
                )
            )
    return problems


# --- pydantic's errors as our one-line problems --------------------------------------------------------------


def _problem(error: ErrorDetails) -> ConfigProblem:
    """One pydantic error as "key: what is expected, not what was given"."""
    loc = error["loc"]
    key = dotted_key(loc)
    kind = error["type"]
    if kind == "extra_forbidden":
        return ConfigProblem(key, _unknown_key(str(loc[-1]), _keys_at(loc[:-1])))
    if kind == _OWN_ERROR:
        return ConfigProblem(key, error["msg"])
    expected = expectation(loc)
    if kind == "missing":
        return ConfigProblem(key, f"missing; must be {expected}")
    return ConfigProblem(key, f"must be {expected}, not {_shown(error['input'])}")


def dotted_key(loc: tuple[int | str, ...]) -> str:
    """("feeds", 0, "url") -> "feeds[0].url", the way errors and docs name a key."""
    key = ""
    for part in loc:
        key += f"[{part}]" if isinstance(part, int) else f".{part}" if key else part
    return key


def _unknown_key(name: str, known: list[str]) -> str:
    # A loose cutoff (difflib's default is 0.6) still finds per_host_delay_s for "delay_secnds", report_cron for
    # "cron"; a key that contains what was typed ("every", "delay") is the likeliest meaning after that.
    folded = name.casefold()
    close = (
        difflib.get_close_matches(folded, known, n=1, cutoff=0.5)
        or [k for k in known if len(folded) >= 4 and folded in k][:1]
    )
    guess = f"; did you mean {close[0]}?" if close else ""
    return f"unknown key{guess} (expected one of: {', '.join(sorted(known))})"


def _keys_at(loc: tuple[int | str, ...]) -> list[str]:
    model, _ = _walk(loc)
    return list(model.model_fields) if _is_model(model) else []


def expectation(loc: tuple[int | str, ...]) -> str:
    """What the key at `loc` must be, in words ("a whole number from 1 to 16"): errors and docs say the same."""
    annotation, info = _walk(loc)
    if info is None:
        return _describe(annotation, [])
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    text = str(extra.get("expected") or _describe(annotation, info.metadata))
    return f"{text} ({extra['hint']})" if extra.get("hint") else text


def _walk(loc: tuple[int | str, ...]) -> tuple[Any, FieldInfo | None]:
    """The type at `loc` from `ConfigFile` down, and the field that declares it (None for an array's item)."""
    annotation: Any = ConfigFile
    info: FieldInfo | None = None
    for part in loc:
        annotation, _ = unwrap_type(annotation)
        if isinstance(part, str) and _is_model(annotation) and part in annotation.model_fields:
            info = annotation.model_fields[part]
            annotation = info.annotation
        elif isinstance(part, int) and get_origin(annotation) is tuple:
            annotation, info = get_args(annotation)[0], None
        else:
            return None, None
    return annotation, info


def unwrap_type(annotation: Any) -> tuple[Any, list[Any]]:
    """The type inside `Annotated[...]` and `X | None`, with the constraints that came with it."""
    metadata: list[Any] = []
    while True:
        if get_origin(annotation) is Annotated:
            annotation, *extra = get_args(annotation)
            for item in extra:
                metadata.extend(item.metadata if isinstance(item, FieldInfo) else [item])
        elif get_origin(annotation) in (Union, UnionType):
            annotation = next(a for a in get_args(annotation) if a is not type(None))
        else:
            return annotation, metadata


def _describe(annotation: Any, metadata: list[Any]) -> str:
    annotation, inner = unwrap_type(annotation)
    metadata = [*metadata, *inner]
    if annotation is bool:
        return "true or false"
    if annotation in (int, float):
        return _number("a whole number" if annotation is int else "a number", metadata)
    if annotation is str:
        return "a non-empty string" if _bound(metadata, "min_length") else "a string"
    if _is_model(annotation):
        return "a table"
    if get_origin(annotation) is tuple:
        item, _ = unwrap_type(get_args(annotation)[0])
        return "an array of tables" if _is_model(item) else "a list of " + _describe(item, []).removeprefix("a ") + "s"
    return "a valid value"


def _number(kind: str, metadata: list[Any]) -> str:
    low, above, high = (_bound(metadata, name) for name in ("ge", "gt", "le"))
    if low is not None and high is not None:
        return f"{kind} from {_plain(low)} to {_plain(high)}"
    if above is not None and high is not None:
        return f"{kind} above {_plain(above)}, at most {_plain(high)}"
    if low is not None:
        return f"{kind}, at least {_plain(low)}"
    return kind


def _plain(number: float) -> str:
    """3600.0 -> "3600", 0.5 -> "0.5", 104857600 -> "104857600"."""
    return str(int(number)) if float(number).is_integer() else str(number)


def _bound(metadata: list[Any], name: str) -> Any:
    """A constraint's value (`ge`, `le`, `min_length`...) among a field's metadata (annotated_types objects)."""
    return next((getattr(m, name) for m in metadata if getattr(m, name, None) is not None), None)


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _shown(value: Any) -> str:
    """A value as it was written in TOML, cut short: `"slow"`, `true`, `[1, 2]`."""
    if isinstance(value, dict):
        return "a table"
    text = toml_literal(value)
    return text if len(text) <= 60 else text[:59] + "…"


def toml_literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_literal(v) for v in value) + "]"
    return str(value)


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
