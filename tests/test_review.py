"""`presswatch review`: the week's least sure articles from a real warehouse, through the real entry point."""

from __future__ import annotations

import re
import shlex
from datetime import UTC, datetime
from pathlib import Path

import pytest

from flows.review import shell_quoted
from stance.model import Evidence, StanceResult
from tests.builders import article_row, result, run_cli, write
from warehouse.labels import save_label


def _result(
    stance: str, score: float, confidence: float, evidence: tuple[Evidence, ...] = (), **kw: object
) -> StanceResult:
    return StanceResult(
        topic="amnesty-2015", relevant=stance != "off_topic", stance=stance, score=score,  # type: ignore[arg-type]
        confidence=confidence, ruleset_version="test0version", language="en", evidence=evidence, **kw,  # type: ignore[arg-type]
    )  # fmt: skip


def _own(rule: str, matched: str, weight: float, voice: str = "own") -> Evidence:
    return Evidence(rule, "stance", matched, f"... {matched} ...", weight, voice, "en")  # type: ignore[arg-type]


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "presswatch.toml"
    path.write_text('[warehouse]\npath = "pw.duckdb"\n[reports]\ndir = "reports"\n', encoding="utf-8")

    def at(day: int) -> datetime:
        return datetime(2015, 8, day, 9, tzinfo=UTC)

    strong = (
        _own("en.supportive.historic", "historic", 2.0),
        _own("en.opposed.betrayal", "betrayal", -3.0, voice="quoted"),  # quoted: never among the shown rows
        _own("en.supportive.overdue", "long\n overdue", 1.5),
        _own("en.supportive.welcome", "welcome", 0.5),
        _own("en.supportive.humane", "humane", 1.0),
    )
    articles = [
        ("http://a.example/sure", "Sure", at(11), _result("supportive", 0.6, 0.9, strong)),
        ("http://a.example/unsure?id=1&x=2", "Unsure", at(12), _result("neutral", 0.05, 0.35, flags=("uncertain",))),
        ("http://a.example/middle", "Middle", at(13), _result("opposed", -0.4, 0.6, (_own("en.opposed.x", "x", -1.6),))),
        ("http://a.example/labelled", "Labelled", at(13), _result("neutral", 0.0, 0.3)),
        ("http://a.example/offtopic", "Harbour", at(13), _result("off_topic", 0.0, 0.1)),
        ("http://a.example/polish", "Polski", at(14), result("neutral", 0.0, flags=("no_rules_for_language",))),
        ("http://a.example/w32", "Week before", at(5), _result("neutral", 0.0, 0.31)),
    ]  # fmt: skip
    write(
        tmp_path / "pw.duckdb",
        [article_row(url, outlet="Courier", title=title, published=when) for url, title, when, _ in articles],
        [(url, res) for url, _, _, res in articles],
    )
    save_label(tmp_path / "pw.duckdb", "http://a.example/labelled", "amnesty-2015", "neutral", None, None)
    return path


def _titles(out: str) -> list[str]:
    return [m.group(1) for m in re.finditer(r"^\d+\. (.*)$", out, re.MULTILINE)]


def test_review_lists_the_least_sure_first_without_labelled_off_topic_or_unruled_articles(
    config: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = run_cli(["--config", str(config), "review", "--week", "2015-W33"], capsys, monkeypatch)
    assert code == 0, err
    assert _titles(out) == ["Unsure", "Middle", "Sure"]
    assert "the 3 least sure of 3 relevant articles without a human label" in out
    assert "machine: neutral, confidence 0.35, score +0.05 [uncertain]" in out
    # the three strongest own-voice rows, strongest first; the quoted one is left out
    sure = out.split("3. Sure", 1)[1]
    assert [line.split()[:2] for line in sure.splitlines()[3:6]] == [
        ["+2.00", "en.supportive.historic"], ["+1.50", "en.supportive.overdue"], ["+1.00", "en.supportive.humane"],
    ]  # fmt: skip
    assert "“long overdue”" in sure and "betrayal" not in out
    assert "no own-voice evidence" in out.split("1. Unsure", 1)[1].split("2. Middle")[0]


def test_review_limit_and_the_printed_command_labels_the_article(
    config: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = run_cli(
        ["--config", str(config), "review", "--week", "2015-W33", "--limit", "1"], capsys, monkeypatch
    )
    assert code == 0 and _titles(out) == ["Unsure"]
    assert "the 1 least sure of 3" in out
    command = next(line.strip() for line in out.splitlines() if " label " in line)
    assert command == ("presswatch label 'http://a.example/unsure?id=1&x=2' --topic amnesty-2015 --stance neutral")
    # Pasted as printed (the shell removes the quotes), it stores the label; the article then leaves the list.
    argv = shlex.split(command)[1:]
    code, out, err = run_cli(["--config", str(config), *argv[:-1], "opposed"], capsys, monkeypatch)
    assert code == 0, err
    code, out, _ = run_cli(["--config", str(config), "review", "--week", "2015-W33"], capsys, monkeypatch)
    assert _titles(out) == ["Middle", "Sure"]


def test_review_of_a_week_without_candidates_says_so_in_one_line(
    config: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = run_cli(["--config", str(config), "review", "--week", "2015-W40"], capsys, monkeypatch)
    assert code == 0 and err == ""
    assert out == "2015-W40: no relevant article without a human label for amnesty-2015; nothing to review\n"


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        pytest.param(["--week", "2015-33"], "invalid ISO week", id="bad-week"),
        pytest.param(["--topic", "nope"], "unknown topic 'nope'", id="unknown-topic"),
    ],
)
def test_review_refuses_bad_input_in_one_line(
    argv: list[str], fragment: str, config: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = run_cli(["--config", str(config), "review", *argv], capsys, monkeypatch)
    assert code != 0 and out == "" and fragment in err and err.count("\n") == 1


def test_review_defaults_to_the_last_complete_week(
    config: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.reporting import default_week

    code, out, _ = run_cli(["--config", str(config), "review"], capsys, monkeypatch)
    assert code == 0 and out.startswith(f"{default_week()}: no relevant article")


def test_the_weekly_report_counts_the_articles_to_review_and_names_the_command(
    config: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = run_cli(["--config", str(config), "report", "--week", "2015-W33"], capsys, monkeypatch)
    assert code == 0, err
    text = Path(out.strip()).read_text(encoding="utf-8")
    quality = text.split("## Data quality", 1)[1].split("## Method", 1)[0]
    assert (
        "**To review**: 1 relevant article without a human label is within the rules' uncertain margin; "
        "`presswatch review --week 2015-W33 --topic amnesty-2015` lists the week's least sure articles first"
    ) in quality


@pytest.mark.parametrize("text", ["http://a.example/plain", "http://a.example/?a=1&b='x'", "it's"])
def test_shell_quoted_survives_the_shell(text: str) -> None:
    assert shlex.split(shell_quoted(text)) == [text]
