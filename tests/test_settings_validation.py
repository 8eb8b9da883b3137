"""presswatch.toml validation: every bound, unknown keys in every table, optional keys checked when present, every
problem listed one line each, defaults as documented. Real files in tmp_path."""

from __future__ import annotations

import sys
from dataclasses import fields
from pathlib import Path

import pytest

from extractors.fetch import FetchPolicy
from flows.errors import ConfigError
from flows.settings import ConfigFile, FeedConfig, FetchTable, Settings, load_settings


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "presswatch.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _problems(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert info.value.exit_code == 2
    lines = str(info.value).splitlines()
    assert len(lines) == len(info.value.problems)
    return lines


def _only_problem(path: Path) -> str:
    lines = _problems(path)
    assert len(lines) == 1, lines
    return lines[0]


@pytest.mark.parametrize(
    ("table", "key", "value", "expected"),
    [
        pytest.param("fetch", "per_host_concurrency", "0", "a whole number from 1 to 16", id="concurrency-zero"),
        pytest.param("fetch", "per_host_concurrency", "17", "a whole number from 1 to 16", id="concurrency-high"),
        pytest.param("fetch", "per_host_concurrency", "2.5", "a whole number from 1 to 16", id="concurrency-float"),
        pytest.param("fetch", "per_host_concurrency", "true", "a whole number from 1 to 16", id="concurrency-bool"),
        pytest.param("fetch", "per_host_delay_s", "-0.5", "a number from 0 to 3600", id="delay-negative"),
        pytest.param("fetch", "per_host_delay_s", "3601", "a number from 0 to 3600", id="delay-high"),
        pytest.param("fetch", "per_host_delay_s", "nan", "a number from 0 to 3600", id="delay-nan"),
        pytest.param("fetch", "per_host_delay_s", "'5'", "a number from 0 to 3600", id="delay-string"),
        pytest.param("fetch", "timeout_s", "0", "a number above 0, at most 600", id="timeout-zero"),
        pytest.param("fetch", "timeout_s", "-1.0", "a number above 0, at most 600", id="timeout-negative"),
        pytest.param("fetch", "timeout_s", "inf", "a number above 0, at most 600", id="timeout-inf"),
        pytest.param("fetch", "timeout_s", "601", "a number above 0, at most 600", id="timeout-high"),
        pytest.param("fetch", "max_bytes", "0", "a whole number from 1 to 104857600 (bytes; 100 MiB)", id="bytes-zero"),
        pytest.param("fetch", "max_bytes", "104857601", "a whole number from 1 to 104857600", id="bytes-high"),
        pytest.param("fetch", "max_redirects", "0", "a whole number from 1 to 20", id="redirects-zero"),
        pytest.param("fetch", "max_redirects", "21", "a whole number from 1 to 20", id="redirects-high"),
        pytest.param("fetch", "max_in_flight", "0", "a whole number from 1 to 256", id="in-flight-zero"),
        pytest.param("fetch", "max_in_flight", "257", "a whole number from 1 to 256", id="in-flight-high"),
        pytest.param("fetch", "max_retry_after_s", "-1", "a number from 0 to 3600", id="retry-after-negative"),
        pytest.param("fetch", "max_retry_after_s", "86400", "a number from 0 to 3600", id="retry-after-high"),
        pytest.param("fetch", "allow_private_networks", "'yes'", "true or false", id="private-string"),
        pytest.param("fetch", "respect_robots", "0", "true or false", id="robots-int"),
        pytest.param("fetch", "allowed_private_hosts", "'intranet'", "a list of host names", id="hosts-string"),
        pytest.param("fetch", "user_agent", "7", "a string", id="user-agent-int"),
        pytest.param("warehouse", "path", "''", "a non-empty string", id="warehouse-path-empty"),
        pytest.param("warehouse", "path", "1", "a non-empty string", id="warehouse-path-int"),
        pytest.param("warehouse", "keep_html", "'no'", "true or false", id="keep-html"),
        pytest.param("reports", "dir", "''", "a non-empty string", id="reports-dir-empty"),
        pytest.param("topics", "enabled", "'amnesty-2015'", "a list of one or more topic names", id="enabled-string"),
        pytest.param("topics", "dir", "''", "a folder name (a non-empty string)", id="topics-dir-empty"),
        pytest.param("schedule", "ingest_every_minutes", "0", "a whole number from 1 to 10080", id="interval-zero"),
        pytest.param("schedule", "ingest_every_minutes", "10081", "a whole number from 1 to 10080", id="interval-high"),
        pytest.param("schedule", "ingest_every_minutes", "60.0", "a whole number from 1 to 10080", id="interval-float"),
        pytest.param("schedule", "report_cron", "5", "a cron expression", id="cron-int"),
    ],
)
def test_each_bound_names_file_and_key_and_says_what_is_expected(
    tmp_path: Path, table: str, key: str, value: str, expected: str
) -> None:
    path = _write(tmp_path, f"[{table}]\n{key} = {value}\n")
    line = _only_problem(path)
    assert line.startswith(f"{path}: {table}.{key}: must be {expected}")
    assert line.endswith(f", not {value.replace(chr(39), chr(34))}") or value in ("nan", "inf")


def test_the_given_value_is_shown_as_toml_writes_it(tmp_path: Path) -> None:
    line = _only_problem(_write(tmp_path, "[fetch]\nper_host_delay_s = 'slow'\n"))
    assert (
        line == f'{tmp_path / "presswatch.toml"}: fetch.per_host_delay_s: must be a number from 0 to 3600, not "slow"'
    )


@pytest.mark.parametrize(
    ("text", "key", "fragment"),
    [
        pytest.param("[topics]\nenabled = []\n", "topics.enabled", "at least one topic", id="no-topics"),
        pytest.param(
            "[topics]\nenabled = ['a', '']\n", "topics.enabled[1]", "must be a non-empty string", id="empty-name"
        ),
        pytest.param(
            "[topics]\nenabled = ['a', 2]\n", "topics.enabled[1]", "must be a non-empty string, not 2", id="int-name"
        ),
        pytest.param(
            "[schedule]\nreport_cron = '0 25 * * 1'\n", "schedule.report_cron", "hour: '25' is outside 0-23", id="cron"
        ),
        pytest.param("fetch = 5\n", "fetch", "must be a table, not 5", id="table-not-table"),
        pytest.param(
            "[feeds]\nurl = 'https://a.example/'\n",
            "feeds",
            "must be an array of tables ([[feeds]])",
            id="feeds-single",
        ),
        pytest.param("feeds = [5]\n", "feeds[0]", "must be a table, not 5", id="feed-not-table"),
        pytest.param(
            "[[feeds]]\nurl = 'feed.example/rss'\n",
            "feeds[0].url",
            'must be an http(s) URL, not "feed.example/rss"',
            id="feed-scheme",
        ),
        pytest.param("[[feeds]]\nname = 'x'\n", "feeds[0].url", "missing; must be an http(s) URL", id="feed-no-url"),
    ],
)
def test_structural_problems_name_file_and_key(tmp_path: Path, text: str, key: str, fragment: str) -> None:
    path = _write(tmp_path, text)
    line = _only_problem(path)
    assert line.startswith(f"{path}: {key}: ")
    assert fragment in line


@pytest.mark.parametrize(
    ("text", "key", "guess"),
    [
        pytest.param("colour = 1\n", "colour", None, id="top"),
        pytest.param("[featch]\nx = 1\n", "featch", "fetch", id="top-typo"),
        pytest.param("[warehouse]\npaht = 'x'\n", "warehouse.paht", "path", id="warehouse"),
        pytest.param("[reports]\ndirectory = 'x'\n", "reports.directory", "dir", id="reports"),
        pytest.param("[reports]\noutput = 'x'\n", "reports.output", None, id="reports-no-guess"),
        pytest.param("[fetch]\ndelay_secnds = 1\n", "fetch.delay_secnds", "per_host_delay_s", id="fetch"),
        pytest.param("[fetch]\nmax_size = 1\n", "fetch.max_size", "max_bytes", id="fetch-size"),
        pytest.param("[topics]\nenable = ['a']\n", "topics.enable", "enabled", id="topics"),
        pytest.param("[schedule]\nevery = 5\n", "schedule.every", "ingest_every_minutes", id="schedule"),
        pytest.param("[schedule]\ncron = '0 6 * * 1'\n", "schedule.cron", "report_cron", id="schedule-cron"),
        pytest.param("[[feeds]]\nurl = 'https://a.example/'\nlabel = 'x'\n", "feeds[0].label", None, id="feeds"),
    ],
)
def test_unknown_key_in_each_table(tmp_path: Path, text: str, key: str, guess: str | None) -> None:
    path = _write(tmp_path, text)
    line = _only_problem(path)
    assert line.startswith(f"{path}: {key}: unknown key")
    assert "expected one of: " in line
    if guess is None:
        assert "did you mean" not in line
    else:
        assert f"did you mean {guess}?" in line


@pytest.mark.parametrize(
    ("text", "key", "expected"),
    [
        pytest.param("[topics]\ndir = 5\n", "topics.dir", "a folder name (a non-empty string), not 5", id="topics-dir"),
        pytest.param(
            "[topics]\ndir = ['a']\n",
            "topics.dir",
            'a folder name (a non-empty string), not ["a"]',
            id="topics-dir-list",
        ),
        pytest.param(
            "[[feeds]]\nurl = 'https://a.example/'\nname = 5\n", "feeds[0].name", "a string, not 5", id="feed-name"
        ),
        pytest.param(
            "[[feeds]]\nurl = 'https://a.example/'\ntopics = 'amnesty-2015'\n",
            "feeds[0].topics",
            "a list of enabled topic names",
            id="feed-topics",
        ),
        pytest.param("[fetch]\nuser_agent = false\n", "fetch.user_agent", "a string, not false", id="user-agent"),
        pytest.param(
            "[fetch]\nallowed_private_hosts = ['a', 1]\n",
            "fetch.allowed_private_hosts[1]",
            "a non-empty string, not 1",
            id="hosts-item",
        ),
    ],
)
def test_optional_keys_are_checked_when_present(tmp_path: Path, text: str, key: str, expected: str) -> None:
    path = _write(tmp_path, text)
    assert _only_problem(path).startswith(f"{path}: {key}: must be {expected}")


def test_every_problem_is_listed_one_line_each(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """
colour = "blue"
[fetch]
per_host_delay_s = -1
timeout_s = 0
delay_secnds = 3
[schedule]
report_cron = "0 6 * *"
[[feeds]]
url = "ftp://a.example/rss"
[[feeds]]
name = 4
""",
    )
    lines = _problems(path)
    keys = [line.removeprefix(f"{path}: ").split(": ", 1)[0] for line in lines]
    assert sorted(keys) == sorted(
        [
            "colour",
            "fetch.per_host_delay_s",
            "fetch.timeout_s",
            "fetch.delay_secnds",
            "schedule.report_cron",
            "feeds[0].url",
            "feeds[1].url",
            "feeds[1].name",
        ]
    )
    assert all(line.startswith(f"{path}: ") for line in lines)
    text = "\n".join(lines)
    assert "pydantic" not in text and "http://errors" not in text and "validation error" not in text


def test_feed_problems_across_keys_are_all_listed(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """
[topics]
enabled = ["amnesty-2015"]
[[feeds]]
url = "https://a.example/rss"
[[feeds]]
url = "https://a.example/rss"
topics = ["nope"]
[[feeds]]
url = "https://b.example/rss"
topics = ["amnesty-2015", "other"]
""",
    )
    assert _problems(path) == [
        f"{path}: feeds[1].url: duplicate feed https://a.example/rss (also feeds[0])",
        f"{path}: feeds[1].topics: nope not among [topics] enabled (amnesty-2015)",
        f"{path}: feeds[2].topics: other not among [topics] enabled (amnesty-2015)",
    ]


def test_several_problems_reach_the_cli_as_one_line_each_without_traceback(tmp_path: Path) -> None:
    import subprocess

    path = _write(tmp_path, "[fetch]\ntimeout_s = 0\nmax_redirects = 100\n[warehouse]\npaht = 'x'\n")
    done = subprocess.run(
        [sys.executable, "-c", "from flows.cli import main; main()", "--config", str(path), "sql", "select 1"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2 and done.stdout == ""
    lines = done.stderr.splitlines()
    assert lines == [
        f"presswatch: {path}: warehouse.paht: unknown key; did you mean path? (expected one of: keep_html, path, url)",
        f"presswatch: {path}: fetch.timeout_s: must be a number above 0, at most 600, not 0",
        f"presswatch: {path}: fetch.max_redirects: must be a whole number from 1 to 20, not 100",
    ]


def test_a_valid_full_file_round_trips(tmp_path: Path) -> None:
    """Every key set to a value other than its default comes back as written (paths relative to the file)."""
    path = _write(
        tmp_path,
        """
[warehouse]
path = "wh/pw.duckdb"
keep_html = false
[reports]
dir = "out/reports"
[fetch]
user_agent = "tester/1.0 (+mailto:me@example.org)"
per_host_concurrency = 16
per_host_delay_s = 0
allow_private_networks = true
allowed_private_hosts = ["feeds.internal", "mirror.internal"]
respect_robots = false
timeout_s = 0.5
max_bytes = 104857600
max_redirects = 20
max_in_flight = 256
max_retry_after_s = 3600
[topics]
enabled = ["amnesty-2015", "second"]
dir = "/srv/presswatch/topics"
[schedule]
ingest_every_minutes = 10080
report_cron = "*/15 6-18 1,15 jan-jun mon-fri"
[[feeds]]
url = "https://a.example/rss"
name = "A"
topics = ["second"]
[[feeds]]
url = "http://b.example/atom"
""",
    )
    assert load_settings(path) == Settings(
        config_path=path,
        warehouse_path=tmp_path / "wh" / "pw.duckdb",
        keep_html=False,
        reports_dir=tmp_path / "out" / "reports",
        fetch=FetchPolicy(
            user_agent="tester/1.0 (+mailto:me@example.org)",
            per_host_concurrency=16,
            per_host_delay_s=0.0,
            allow_private_networks=True,
            allowed_private_hosts=("feeds.internal", "mirror.internal"),
            respect_robots=False,
            timeout_s=0.5,
            max_bytes=104857600,
            max_redirects=20,
            max_in_flight=256,
            max_retry_after_s=3600.0,
        ),
        feeds=(FeedConfig("https://a.example/rss", "A", ("second",)), FeedConfig("http://b.example/atom")),
        topics=("amnesty-2015", "second"),
        topics_dir=Path("/srv/presswatch/topics"),
        ingest_every_minutes=10080,
        report_cron="*/15 6-18 1,15 jan-jun mon-fri",
    )
    settings = load_settings(path)
    assert isinstance(settings.fetch.per_host_delay_s, float) and isinstance(settings.fetch.max_retry_after_s, float)
    # The validated model dumps to plain TOML values that validate to the same model again.
    import tomllib

    config = ConfigFile.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))
    assert ConfigFile.model_validate(config.model_dump()) == config


def test_defaults_are_unchanged(tmp_path: Path) -> None:
    settings = load_settings(_write(tmp_path, "# nothing set\n"))
    assert settings.warehouse_path == tmp_path / "data" / "presswatch.duckdb"
    assert settings.keep_html is True
    assert settings.reports_dir == tmp_path / "data" / "reports"
    assert settings.topics == ("amnesty-2015",)
    assert settings.topics_dir is None
    assert settings.feeds == ()
    assert settings.ingest_every_minutes == 60
    assert settings.report_cron == "0 6 * * 1"
    fetch = settings.fetch
    assert fetch.user_agent.startswith("presswatch/")
    assert fetch.user_agent.endswith(" (+https://github.com/presswatch/presswatch)")
    assert fetch.per_host_concurrency == 2
    assert fetch.per_host_delay_s == 5.0
    assert fetch.allow_private_networks is False
    assert fetch.allowed_private_hosts == ()
    assert fetch.respect_robots is True
    assert fetch.timeout_s == 30.0
    assert fetch.max_bytes == 10 * 1024 * 1024
    assert fetch.max_redirects == 5
    assert fetch.max_in_flight == 32
    assert fetch.max_retry_after_s == 60.0
    # Empty tables and an empty user_agent are the same as leaving them out.
    same = load_settings(_write(tmp_path, '[warehouse]\n[reports]\n[fetch]\nuser_agent = ""\n[topics]\n[schedule]\n'))
    assert same == settings


def test_bounds_themselves_are_accepted(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "[fetch]\nper_host_concurrency = 1\nper_host_delay_s = 3600\ntimeout_s = 600\nmax_bytes = 1\n"
        "max_redirects = 1\nmax_in_flight = 1\nmax_retry_after_s = 0\n[schedule]\ningest_every_minutes = 1\n",
    )
    fetch = load_settings(path).fetch
    assert (fetch.per_host_concurrency, fetch.per_host_delay_s, fetch.timeout_s, fetch.max_bytes) == (
        1,
        3600.0,
        600.0,
        1,
    )


def test_paths_resolve_relative_to_the_config_file_and_absolute_ones_stay(tmp_path: Path) -> None:
    folder = tmp_path / "conf"
    folder.mkdir()
    path = folder / "presswatch.toml"
    absolute = tmp_path / "elsewhere" / "w.duckdb"
    path.write_text(f'[warehouse]\npath = "{absolute}"\n[topics]\ndir = "rules"\n', encoding="utf-8")
    settings = load_settings(path)
    assert settings.warehouse_path == absolute
    assert settings.topics_dir == folder / "rules"
    assert settings.reports_dir == folder / "data" / "reports"


def test_every_fetch_policy_field_is_a_fetch_key() -> None:
    assert set(FetchTable.model_fields) == {f.name for f in fields(FetchPolicy)}


def test_the_models_are_frozen_and_forbid_extra_keys() -> None:
    from pydantic import ValidationError

    config = ConfigFile()
    with pytest.raises(ValidationError):
        config.fetch.timeout_s = 1.0  # type: ignore[misc]
    for model in (
        ConfigFile,
        *(type(getattr(config, name)) for name in ("warehouse", "reports", "fetch", "topics", "schedule")),
    ):
        assert model.model_config.get("extra") == "forbid" and model.model_config.get("frozen") is True
