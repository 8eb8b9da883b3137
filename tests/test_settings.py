from __future__ import annotations

from pathlib import Path

import pytest

from flows.errors import ConfigError
from flows.settings import load_settings


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "presswatch.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_full_config_is_read_with_paths_relative_to_the_file(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """
[warehouse]
path = "wh/pw.duckdb"
[reports]
dir = "out"
[fetch]
per_host_delay_s = 1
allow_private_networks = true
[[feeds]]
url = "https://example.org/feed.xml"
name = "Example"
[topics]
enabled = ["amnesty-2015"]
""",
    )
    s = load_settings(path)
    assert s.warehouse_path == tmp_path / "wh/pw.duckdb"
    assert s.reports_dir == tmp_path / "out"
    assert s.fetch.per_host_delay_s == 1.0 and s.fetch.allow_private_networks is True
    assert s.fetch.per_host_concurrency == 2  # default kept
    assert s.fetch.user_agent.startswith("presswatch/")
    assert [f.url for f in s.feeds] == ["https://example.org/feed.xml"]


@pytest.mark.parametrize(
    ("text", "key", "fragment"),
    [
        pytest.param("[warehouse]\npaht = 'x'\n", "warehouse.paht", "unknown key", id="unknown-nested"),
        pytest.param("colour = 1\n", "colour", "unknown key", id="unknown-top"),
        pytest.param("[fetch]\nper_host_delay_s = 'slow'\n", "fetch.per_host_delay_s", "number", id="bad-type"),
        pytest.param("[fetch]\nper_host_concurrency = 0\n", "fetch.per_host_concurrency", "from 1 to 16", id="zero"),
        pytest.param("[fetch]\nrespect_robots = 1\n", "fetch.respect_robots", "true or false", id="bool"),
        pytest.param("[[feeds]]\nurl = 'ftp://x'\n", "feeds[0].url", "http(s)", id="feed-scheme"),
        pytest.param("[[feeds]]\nname = 'x'\n", "feeds[0].url", "missing", id="feed-no-url"),
        pytest.param("[[feeds]]\nurl = 'https://a/'\nlabel = 'x'\n", "feeds[0].label", "unknown key", id="feed-key"),
        pytest.param("[topics]\nenabled = 'amnesty'\n", "topics.enabled", "list", id="topics"),
        pytest.param(
            "[schedule]\ningest_every_minutes = 0\n", "schedule.ingest_every_minutes", "from 1 to 10080", id="interval"
        ),
        pytest.param("[schedule]\nreport_cron = 'mondays'\n", "schedule.report_cron", "five fields", id="cron"),
        pytest.param("[schedule]\nevery = 5\n", "schedule.every", "unknown key", id="schedule-key"),
        pytest.param(
            "[fetch]\nallowed_private_hosts = 'intranet'\n",
            "fetch.allowed_private_hosts",
            "list of host names",
            id="hosts",
        ),
    ],
)
def test_bad_config_names_file_and_key(tmp_path: Path, text: str, key: str, fragment: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    message = str(info.value)
    assert message.startswith(f"{path}: {key}:")
    assert fragment in message
    assert info.value.exit_code == 2


def test_malformed_toml(tmp_path: Path) -> None:
    path = _write(tmp_path, "[fetch\nx = 1\n")
    with pytest.raises(ConfigError, match="malformed TOML"):
        load_settings(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "nope.toml")


@pytest.mark.parametrize(
    ("cron", "fragment"),
    [
        pytest.param("0 6 * * 1", None, id="monday-six"),
        pytest.param("*/15 6-18 1,15 jan-jun mon-fri", None, id="steps-ranges-names"),
        pytest.param("0 6 * *", "must have five fields", id="four-fields"),
        pytest.param("61 6 * * 1", "minute: '61' is outside 0-59", id="minute-range"),
        pytest.param("0 6 * * funday", "day of week: 'funday' is not a number or a name", id="bad-name"),
        pytest.param("0 18-6 * * *", "hour: the range '18-6' runs backwards", id="backwards"),
        pytest.param("*/0 6 * * *", "minute: bad step", id="zero-step"),
    ],
)
def test_report_cron_is_really_validated(tmp_path: Path, cron: str, fragment: str | None) -> None:
    from flows.errors import ConfigError
    from flows.settings import load_settings

    config = tmp_path / "presswatch.toml"
    config.write_text(f'[schedule]\nreport_cron = "{cron}"\n', encoding="utf-8")
    if fragment is None:
        assert load_settings(config).report_cron == cron
    else:
        with pytest.raises(ConfigError, match=r"schedule\.report_cron: ") as info:
            load_settings(config)
        assert fragment in str(info.value)
