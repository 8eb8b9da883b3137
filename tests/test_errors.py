"""One error tree: every presswatch error derives from PresswatchError (flows/errors.py documents the tree), stance's
are translated where flows loads rule files, and the CLI says each as one line with its exit code."""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from flows.errors import PresswatchError, RulesError, load_rule_file
from stance.errors import RuleFileError, StanceError
from stance.rules import load_ruleset, load_topic
from tests.builders import RULES, run_cli

# The packages whose errors must derive from PresswatchError; `stance/` imports nothing of ours (DESIGN.md), so its
# errors are translated where flows loads rule files instead.
PACKAGES = ("extractors", "warehouse", "reports", "flows")

# Exceptions that are control flow inside one module and never reach a caller, so they are not errors a user meets.
INTERNAL = {
    "extractors.fetch._Refused": "the Fetcher turns it into a FetchResult's reason before it returns",
}


def _exception_classes() -> dict[str, type[BaseException]]:
    """Every exception class defined in our packages' modules, by dotted name."""
    found: dict[str, type[BaseException]] = {}
    for package in PACKAGES:
        root = importlib.import_module(package)
        names = [package] + [info.name for info in pkgutil.walk_packages(root.__path__, f"{package}.")]
        for name in names:
            module = importlib.import_module(name)
            for _, cls in inspect.getmembers(module, inspect.isclass):
                if issubclass(cls, BaseException) and cls.__module__ == name:
                    found[f"{name}.{cls.__qualname__}"] = cls
    return found


def test_every_error_derives_from_presswatch_error() -> None:
    classes = _exception_classes()
    # The walk reaches every layer (a walk that found nothing would pass vacuously).
    assert {
        "extractors.urls.InvalidURLError",
        "warehouse.db.WarehouseError",
        "warehouse.analyst.QueryError",
        "reports.week.WeekError",
        "flows.errors.RulesError",
    } <= set(classes)
    assert set(INTERNAL) <= set(classes), "an INTERNAL entry no longer exists: remove it"
    strays = sorted(
        name for name, cls in classes.items() if name not in INTERNAL and not issubclass(cls, PresswatchError)
    )
    assert strays == [], "derive these from PresswatchError and list them in flows/errors.py's docstring"


def test_every_error_is_in_the_documented_tree() -> None:
    import flows.errors

    documented = flows.errors.__doc__ or ""
    names = {cls.__name__ for name, cls in _exception_classes().items() if name not in INTERNAL}
    assert sorted(name for name in names if not re.search(rf"\b{name}\b", documented)) == []


def test_value_errors_stay_value_errors() -> None:
    from extractors.urls import InvalidURLError, canonicalize_url
    from reports.week import Week, WeekError

    assert issubclass(InvalidURLError, ValueError) and issubclass(WeekError, ValueError)
    with pytest.raises(ValueError, match="not an http"):
        canonicalize_url("ftp://example.org/x")
    with pytest.raises(ValueError, match="invalid ISO week"):
        Week.parse("2015-33")


def test_stance_stays_outside_the_tree() -> None:
    assert not issubclass(StanceError, PresswatchError)


def _broken_rule_file(folder: Path) -> tuple[Path, RuleFileError]:
    """The bundled rule file with an empty topic title (both loaders check it), and the error stance raises."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "broken.toml"
    text = RULES.read_text(encoding="utf-8")
    path.write_text(re.sub(r'(?m)^title = ".*"$', 'title = ""', text, count=1), encoding="utf-8")
    with pytest.raises(RuleFileError) as info:
        load_ruleset(path)
    return path, info.value


@pytest.mark.parametrize("load", [pytest.param(load_ruleset, id="ruleset"), pytest.param(load_topic, id="topic")])
def test_load_rule_file_translates_stance_errors(tmp_path: Path, load: Callable[[Path], object]) -> None:
    path, original = _broken_rule_file(tmp_path)
    with pytest.raises(RulesError) as info:
        load_rule_file(load, path)
    assert str(info.value) == str(original) and info.value.exit_code == 2
    assert isinstance(info.value.__cause__, RuleFileError)


@pytest.mark.parametrize(
    "command",
    [
        pytest.param(["classify", "--topic", "broken", "-"], id="classify"),
        pytest.param(["report", "--topic", "broken"], id="report"),
        pytest.param(["reclassify", "--topic", "broken"], id="reclassify"),
        pytest.param(["evaluate", "--labels", "LABELS", "--rules", "BROKEN"], id="evaluate-rules"),
    ],
)
def test_a_broken_rule_file_is_one_line_and_exit_2(
    tmp_path: Path, command: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each way flows loads a rule file (a topic's rules, its topic table, a candidate file) says stance's message
    once, prefixed, and exits 2."""
    for name, value in [("PREFECT_HOME", str(tmp_path / "prefect")), ("PREFECT_SERVER_ANALYTICS_ENABLED", "false"),
                        ("DO_NOT_TRACK", "1"), ("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")]:  # fmt: skip
        monkeypatch.setenv(name, value)  # reclassify prepares Prefect's environment: keep it this test's
    monkeypatch.chdir(tmp_path)
    path, original = _broken_rule_file(tmp_path / "topics")
    config = tmp_path / "presswatch.toml"
    config.write_text('[topics]\nenabled = ["amnesty-2015", "broken"]\ndir = "topics"\n', encoding="utf-8")
    labels = tmp_path / "labels.jsonl"
    row = {"id": "1", "title": "t", "text": "Amnesty voted.", "language": "en", "label": "neutral"}
    labels.write_text(json.dumps(row) + "\n", encoding="utf-8")
    command = [{"LABELS": str(labels), "BROKEN": str(path)}.get(part, part) for part in command]
    code, out, err = run_cli(["--config", str(config), *command], capsys, monkeypatch)
    assert (code, out) == (2, "")
    assert err == f"presswatch: {original}\n"
    assert re.fullmatch(rf"presswatch: {re.escape(str(path))}:\d+: topic\.title: must be a non-empty string\n", err)


def test_a_query_error_keeps_its_caret_under_the_sql(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """DuckDB's message is said as it is: one prefix, the caret under the mistake of the SQL line."""
    from warehouse.db import connect

    with connect(tmp_path / "pw.duckdb"):
        pass
    config = tmp_path / "presswatch.toml"
    config.write_text('[warehouse]\npath = "pw.duckdb"\n', encoding="utf-8")
    code, out, err = run_cli(["--config", str(config), "sql", "select url fro articles"], capsys, monkeypatch)
    assert (code, out) == (1, "")
    lines = err.splitlines()
    assert lines[0].startswith("presswatch: ") and err.count("presswatch: ") == 1
    source = next(line for line in lines if line.startswith("LINE 1: "))
    caret = lines[lines.index(source) + 1]
    assert source[caret.index("^") :].startswith("articles")
