"""The command line through its real entry point: exit codes, one-line errors, data on stdout."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.builders import article_row, result, run_cli, write


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "presswatch.toml"
    path.write_text('[warehouse]\npath = "pw.duckdb"\n[reports]\ndir = "reports"\n', encoding="utf-8")
    url = "http://a.example/1"
    published = datetime(2015, 8, 12, tzinfo=UTC)
    write(
        tmp_path / "pw.duckdb",
        [article_row(url, outlet="Courier", title="A | title", published=published),
         article_row("http://a.example/2", outlet="Ledger", title="Other", published=published)],
        [(url, result("supportive", 0.5)), ("http://a.example/2", result("off_topic", 0.0))],
    )  # fmt: skip
    return path


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        pytest.param("[warehouse]\npaht = 'x'\n", "warehouse.paht: unknown key", id="unknown-key"),
        pytest.param("[warehouse\n", "malformed TOML", id="malformed"),
    ],
)
def test_bad_config_is_one_line_and_exit_2(
    tmp_path: Path, text: str, fragment: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    code, out, err = run_cli(["--config", str(path), "sql", "select 1"], capsys, monkeypatch)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and str(path) in err and fragment in err


def test_missing_config(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    code, _, err = run_cli(["--config", str(tmp_path / "none.toml"), "ingest"], capsys, monkeypatch)
    assert code == 2 and "not found" in err and "Traceback" not in err


def test_config_from_environment(
    config: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PRESSWATCH_CONFIG", str(config))
    code, out, _ = run_cli(["sql", "select count(*) as n from coverage", "--format", "json"], capsys, monkeypatch)
    assert code == 0 and json.loads(out) == [{"n": 2}]


def test_sql_json_is_one_array(
    config: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = run_cli(
        ["--config", str(config), "sql", "select stance, count(*) from coverage group by 1 order by 1", "--format", "json"],
        capsys, monkeypatch,
    )  # fmt: skip
    assert code == 0
    assert json.loads(out) == [{"stance": "off_topic", "count_star()": 1}, {"stance": "supportive", "count_star()": 1}]


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "markdown", "table"])
def test_sql_formats_parse_back(
    fmt: str, config: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = run_cli(
        ["--config", str(config), "sql", "select title, published_at from coverage order by url", "--format", fmt],
        capsys, monkeypatch,
    )  # fmt: skip
    assert code == 0
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(out)))
        assert rows == [
            ["title", "published_at"],
            ["A | title", "2015-08-12T00:00:00+00:00"],
            ["Other", "2015-08-12T00:00:00+00:00"],
        ]
    elif fmt == "jsonl":
        assert [json.loads(line)["title"] for line in out.splitlines()] == ["A | title", "Other"]
    elif fmt == "markdown":
        lines = out.splitlines()
        assert lines[0] == "| title | published\\_at |" and lines[1] == "|---|---|"  # Markdown renders \_ as _
        assert lines[2].startswith("| A \\| title | 2015-08-12")
    else:
        assert "A | title" in out


def test_sql_from_stdin_with_parameters(
    config: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = run_cli(
        ["--config", str(config), "sql", "-", "-p", "outlet=Ledger", "--format", "json"],
        capsys, monkeypatch, stdin="select title from coverage where outlet = $outlet",
    )  # fmt: skip
    assert code == 0 and json.loads(out) == [{"title": "Other"}]


def test_sql_errors_are_one_line_exit_1(
    config: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = run_cli(["--config", str(config), "sql", "delete from articles"], capsys, monkeypatch)
    assert code == 1 and out == ""
    assert err.startswith("presswatch: ") and err.count("\n") == 1 and "read-only" in err.lower()
    code, _, err = run_cli(["--config", str(config), "sql", "selec 1"], capsys, monkeypatch)
    assert code == 1 and "syntax error" in err.lower()


def test_sql_bad_format(config: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    code, _, err = run_cli(["--config", str(config), "sql", "select 1", "--format", "xml"], capsys, monkeypatch)
    assert code == 2 and "--format" in err and "'xml' is not one of" in err and "table" in err


def test_report_for_a_week(config: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, _ = run_cli(["--config", str(config), "report", "--week", "2015-W33"], capsys, monkeypatch)
    assert code == 0
    path = Path(out.strip())
    assert path == config.parent / "reports" / "amnesty-2015" / "2015-W33.md"
    assert "A \\| title" in path.read_text(encoding="utf-8")
    assert (path.parent / "2015-W33-trend.svg").exists()
    index = (path.parent / "index.md").read_text(encoding="utf-8")
    assert "| [2015-W33](<2015-W33.md>) | 1 | 1 | 1 | 1 (100%) | 0 (0%) | 0 (0%) | 1 |" in index


def test_report_bad_week(config: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    code, _, err = run_cli(["--config", str(config), "report", "--week", "2015-33"], capsys, monkeypatch)
    assert code == 1 and "invalid ISO week" in err


def test_unknown_topic(config: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    code, _, err = run_cli(
        ["--config", str(config), "report", "--week", "2015-W33", "--topic", "nope"], capsys, monkeypatch
    )
    assert code == 2 and "unknown topic 'nope'" in err


def test_classify_json_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    items = [
        {"id": "a", "title": "Harbour works delayed", "text": "Cranes stood idle at the harbour for a third week."},
        {"id": "b", "title": "Amnesty backs decriminalisation of sex work", "text": "Amnesty International voted in Dublin "
         "to support the decriminalisation of sex work. This is a historic victory for the human rights of sex workers."},
    ]  # fmt: skip
    stdin = "\n".join(json.dumps(i) for i in items) + "\nnot json\n"
    code, out, err = run_cli(
        ["--config", str(tmp_path / "absent.toml"), "classify", "-"], capsys, monkeypatch, stdin=stdin
    )
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 1 and "stdin:3:" in err  # the bad line is reported, the good ones are still classified
    assert [line.get("id") for line in lines[:2]] == ["a", "b"]
    assert lines[0]["stance"] == "off_topic" and lines[0]["relevant"] is False
    assert lines[1]["relevant"] is True and lines[1]["stance"] == "supportive"
    for line in lines[:2]:
        assert {"id", "relevant", "stance", "score", "evidence"} <= set(line)
        assert -1 <= line["score"] <= 1
    assert lines[2] == {"line": 3, "error": lines[2]["error"]}


def test_label_and_coverage(config: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, _ = run_cli(
        ["--config", str(config), "label", "http://A.example/1#x", "--stance", "opposed", "--note", "n"],
        capsys,
        monkeypatch,
    )
    assert code == 0 and "http://a.example/1" in out
    code, out, _ = run_cli(
        ["--config", str(config), "sql", "select stance, machine_stance from coverage where url = 'http://a.example/1'", "--format", "json"],
        capsys, monkeypatch,
    )  # fmt: skip
    assert json.loads(out) == [{"stance": "opposed", "machine_stance": "supportive"}]
    code, _, err = run_cli(
        ["--config", str(config), "label", "http://a.example/1", "--stance", "angry"], capsys, monkeypatch
    )
    assert code == 2 and "--stance" in err and "'angry' is not one of" in err
    code, _, err = run_cli(
        ["--config", str(config), "label", "http://unknown.example/", "--stance", "neutral"], capsys, monkeypatch
    )
    assert code == 1 and "no article" in err


def test_feeds_add_list_export_import_remove(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "presswatch.toml"
    config.write_text('[[feeds]]\nurl = "https://config.example/feed.xml"\nname = "From config"\n', encoding="utf-8")
    base = ["--config", str(config), "feeds"]
    assert run_cli([*base, "add", "https://added.example/rss", "--name", "Added"], capsys, monkeypatch)[0] == 0
    code, out, _ = run_cli([*base, "export"], capsys, monkeypatch)
    assert (
        code == 0 and 'xmlUrl="https://config.example/feed.xml"' in out and 'xmlUrl="https://added.example/rss"' in out
    )
    opml = tmp_path / "in.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><head/><body><outline text="Group">'
        '<outline type="rss" text="Nested" xmlUrl="https://nested.example/atom"/></outline>'
        '<outline type="rss" text="Dup" xmlUrl="https://added.example/rss"/></body></opml>',
        encoding="utf-8",
    )
    code, out, _ = run_cli([*base, "import", str(opml)], capsys, monkeypatch)
    assert code == 0 and "2 feeds" in out and "1 added" in out
    code, out, _ = run_cli([*base, "list", "--format", "json"], capsys, monkeypatch)
    listed = {row["url"]: row for row in json.loads(out)}
    assert set(listed) == {
        "https://config.example/feed.xml",
        "https://added.example/rss",
        "https://nested.example/atom",
    }
    assert listed["https://nested.example/atom"]["source"] == "opml"
    assert run_cli([*base, "remove", "https://added.example/rss"], capsys, monkeypatch)[0] == 0
    code, _, err = run_cli([*base, "remove", "https://config.example/feed.xml"], capsys, monkeypatch)
    assert code == 1 and "remove it there" in err
    code, out, _ = run_cli([*base, "list", "--format", "json"], capsys, monkeypatch)
    assert {row["url"]: row["active"] for row in json.loads(out)}["https://added.example/rss"] is False
    bomb = tmp_path / "bomb.opml"
    bomb.write_text('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><opml><body/></opml>', encoding="utf-8")
    code, _, err = run_cli([*base, "import", str(bomb)], capsys, monkeypatch)
    assert code == 1 and "refused" in err


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_export_reads_back_with_the_same_row_counts(
    fmt: str, config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import duckdb

    out = tmp_path / "export"
    code, stdout, err = run_cli(
        ["--config", str(config), "export", "--out", str(out), "--format", fmt], capsys, monkeypatch
    )
    assert code == 0, err
    counts = {line.split(":")[0]: int(line.split(": ")[1].split()[0]) for line in stdout.splitlines()}
    assert counts["coverage"] == 2
    con = duckdb.connect()
    for view, expected in counts.items():
        if fmt == "csv":
            found = con.execute("select count(*) from read_csv(?)", [str(out / f"{view}.csv")]).fetchall()[0][0]
        else:
            found = con.execute(
                "select count(*) from read_parquet(?, hive_partitioning = true)", [str(out / view / "**" / "*.parquet")]
            ).fetchall()[0][0]
        assert found == expected, view
    if fmt == "parquet":
        assert (out / "coverage" / "week=2015-W33").is_dir()
    code, stdout, _ = run_cli(
        ["--config", str(config), "export", "--out", str(tmp_path / "later"), "--format", fmt, "--since", "2016-01-01"],
        capsys,
        monkeypatch,
    )
    assert code == 0 and "coverage: 0 rows" in stdout
    code, _, err = run_cli(
        ["--config", str(config), "export", "--out", str(out), "--since", "last week"], capsys, monkeypatch
    )
    assert code == 1 and "--since must be a date" in err


def test_evaluate_a_labelled_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [
        {"id": "s", "title": "Amnesty is right", "label": "supportive", "language": "en",
         "text": "Amnesty International voted in Dublin to back the decriminalisation of sex work. It is a historic victory for human rights, and long overdue."},
        {"id": "o", "title": "A betrayal of women", "label": "opposed", "language": "en",
         "text": "Amnesty International's vote in Dublin to decriminalise the sex trade is a betrayal of women. Amnesty must reject this policy."},
        {"id": "n", "title": "Amnesty votes on sex work", "label": "neutral", "language": "en",
         "text": "Delegates of Amnesty International voted in Dublin on a policy on sex work. The organisation said it consulted widely; critics said they would campaign against it."},
        {"id": "x", "title": "Harbour works delayed", "label": "off_topic", "language": "en", "text": "The harbour wall is delayed again."},
    ]  # fmt: skip
    labels = tmp_path / "labels.jsonl"
    labels.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    code, out, err = run_cli(
        ["--config", str(tmp_path / "absent.toml"), "evaluate", "--labels", str(labels)], capsys, monkeypatch
    )
    assert code == 0, err
    assert "macro-F1" in out and "majority" in out and "seed_lexicon" in out and "reliability" in out
    assert re.search(r"accuracy:\s+1\.000", out), out
    labels.write_text("{broken\n", encoding="utf-8")
    code, _, err = run_cli(
        ["--config", str(tmp_path / "absent.toml"), "evaluate", "--labels", str(labels)], capsys, monkeypatch
    )
    assert code == 1 and "invalid JSON" in err


def test_prefect_home_is_created_for_a_first_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A first `presswatch ingest` has no data folder yet; Prefect does not create its home's parents."""
    from flows.cli import prepare_prefect
    from flows.settings import Settings

    monkeypatch.delenv("PREFECT_HOME", raising=False)
    settings = Settings(config_path=tmp_path / "presswatch.toml", warehouse_path=tmp_path / "data" / "pw.duckdb")
    prepare_prefect(settings)
    assert Path(os.environ["PREFECT_HOME"]) == tmp_path / "data" / "prefect"
    assert (tmp_path / "data" / "prefect").is_dir()


@pytest.mark.parametrize("command", ["ingest", "serve"])
def test_a_corrupt_warehouse_stops_ingest_and_serve_before_prefect_with_the_remedy(
    tmp_path: Path, command: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "presswatch.toml"
    config.write_text('[warehouse]\npath = "pw.duckdb"\n', encoding="utf-8")
    (tmp_path / "pw.duckdb").write_bytes(b"not a database, a few bytes of something else" * 200)
    code, out, err = run_cli(["--config", str(config), command], capsys, monkeypatch)
    assert code == 1
    assert out == ""
    assert err.count("\n") == 1 and "not a readable warehouse" in err and "presswatch backup" in err
    assert not (tmp_path / "prefect").exists(), "Prefect was not started"


def test_a_second_ingest_says_one_is_running_before_prefect(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from warehouse.db import exclusive_run

    config = tmp_path / "presswatch.toml"
    config.write_text('[warehouse]\npath = "pw.duckdb"\n', encoding="utf-8")
    with exclusive_run(tmp_path / "pw.duckdb", "ingest"):
        code, _, err = run_cli(["--config", str(config), "ingest"], capsys, monkeypatch)
    assert code == 1
    assert "another presswatch ingest is running" in err and err.count("\n") == 1
    assert not (tmp_path / "prefect").exists()


def test_backup_copies_a_warehouse_that_opens_and_restores(
    config: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from warehouse.db import connect

    code, out, err = run_cli(["--config", str(config), "backup"], capsys, monkeypatch)
    assert code == 0, err
    folder = Path(out.strip())
    assert folder.parent == config.parent / "backups"
    assert "backed up 2 articles" in err
    (config.parent / "pw.duckdb").write_bytes(b"ruined" * 1000)  # the original is lost; restore it from the copy
    for copied in folder.iterdir():
        (config.parent / copied.name).write_bytes(copied.read_bytes())
    with connect(config.parent / "pw.duckdb", read_only=True) as con:
        assert sorted(r[0] for r in con.execute("select url from articles").fetchall()) == [
            "http://a.example/1", "http://a.example/2"]  # fmt: skip
    code, _, err = run_cli(["--config", str(config), "backup", "--out", str(folder)], capsys, monkeypatch)
    assert code == 1 and "exists already" in err and err.count("\n") == 1


def test_evaluate_a_candidate_rule_file_against_the_warehouse_labels(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`evaluate --rules`: before (the topic's rules) and after (a candidate) on the labels stored in a real
    warehouse, with the items the candidate fixed and broke."""
    from warehouse.labels import save_label

    config = tmp_path / "presswatch.toml"
    config.write_text('[warehouse]\npath = "pw.duckdb"\n', encoding="utf-8")
    published = datetime(2015, 8, 12, tzinfo=UTC)
    lead = "Amnesty International voted in Dublin on a policy to decriminalise sex work."
    texts = {
        "http://a.example/plain": (f"{lead} The vote was a plain-spoken affair.", "supportive"),
        "http://a.example/betrayal": (f"{lead} It is a betrayal of women.", "opposed"),
        "http://a.example/news": (f"{lead} Delegates met for four days.", "neutral"),
    }
    rows = [article_row(url, outlet="Courier", title="Amnesty vote", published=published, text=text)
            for url, (text, _) in texts.items()]  # fmt: skip
    write(tmp_path / "pw.duckdb", rows, [])
    for url, (_, stance) in texts.items():
        save_label(tmp_path / "pw.duckdb", url, "amnesty-2015", stance, None, None)
    rules = Path(__file__).resolve().parent.parent / "topics" / "amnesty-2015.toml"
    candidate = tmp_path / "candidate.toml"
    candidate.write_text(
        rules.read_text(encoding="utf-8")
        + "\n[[stance.en.supportive]]\nid = \"plain-spoken\"\npattern = 'plain-spoken'\nweight = 3.0\n"
        + 'origin = "suggested from 3 labels"\n',
        encoding="utf-8",
    )
    code, out, err = run_cli(["--config", str(config), "evaluate", "--rules", str(candidate)], capsys, monkeypatch)
    assert code == 0, err
    assert re.search(r"macro-F1\s+0\.\d+\s+1\.000\s+\+0\.\d+", out), out
    assert "fixed (1):\n  http://a.example/plain [en] supportive (was neutral)" in out
    assert "broken (0):" in out


def _ingest_config(tmp_path: Path, feeds: list[str], *, private: str = "allow_private_networks = true") -> Path:
    lines = ["[warehouse]", 'path = "pw.duckdb"', "[fetch]", private, "per_host_delay_s = 0.0", "timeout_s = 5.0"]
    for url in feeds:
        lines += ["[[feeds]]", f'url = "{url}"']
    config = tmp_path / "presswatch.toml"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return config


@pytest.mark.flow
def test_ingest_through_the_cli_leads_with_what_it_collected_and_says_why_feeds_failed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, prefect_harness: None
) -> None:
    from tests.conftest import FIXTURES
    from tests.loopback import LoopbackServer

    server = LoopbackServer(root=FIXTURES / "site").start()
    try:
        # 127.0.0.1 is allowed by name; "localhost" resolves to the same loopback address and is refused.
        config = _ingest_config(
            tmp_path,
            [server.url("/feed.rss"), server.url("/none.rss"), server.url("/broken.rss"),
             server.url("/feed.atom").replace("127.0.0.1", "localhost")],
            private="allowed_private_hosts = ['127.0.0.1']",
        )  # fmt: skip
        code, out, err = run_cli(["--config", str(config), "ingest"], capsys, monkeypatch)
    finally:
        server.stop()
    assert code == 0, err
    lines = out.splitlines()
    assert re.match(
        r"\d+ new articles, \d+ relevant \(\d+ supportive / \d+ opposed / \d+ neutral\); run `presswatch report`",
        lines[0],
    )
    assert "3 failed" in lines[1]
    failed = [line for line in lines if line.startswith("  failed: ")]
    assert len(failed) == 3
    assert any(line.endswith("HTTP 404 (not found)") for line in failed)
    assert any("localhost is a private or local address; refused" in line for line in failed)
    assert any("the feed is broken" in line for line in failed)
    assert "stage seconds" in err and "not wall time" in err


@pytest.mark.flow
def test_ingest_exits_non_zero_when_every_feed_failed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, prefect_harness: None
) -> None:
    config = _ingest_config(tmp_path, ["http://localhost:9/feed.rss", "http://127.0.0.1:9/other.rss"],
                            private="allow_private_networks = false")  # fmt: skip
    code, out, err = run_cli(["--config", str(config), "ingest"], capsys, monkeypatch)
    assert code == 1
    assert out.count("  failed: ") == 2 and "private or local address" in out
    assert err.strip().splitlines()[-1] == "presswatch: every feed failed (2); nothing could be collected"


@pytest.mark.parametrize(("command", "said"), [("reclassify", "reclassified "), ("reextract", "re-extracted ")])
def test_reclassify_and_reextract_through_the_cli_keep_prefect_in_the_project(
    tmp_path: Path, command: str, said: str
) -> None:
    """They keep Prefect out of the user's home: nothing is written to ~/.prefect and no notice is printed (their
    stages, flows/stored.py, do not import Prefect at all)."""
    import subprocess

    from flows.ingest import run_ingest
    from tests.builders import loopback_settings
    from tests.conftest import FIXTURES
    from tests.loopback import LoopbackServer

    server = LoopbackServer(root=FIXTURES / "site").start()
    try:
        settings = loopback_settings(tmp_path, server)
        run_ingest(settings, orchestrated=False)
    finally:
        server.stop()
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "DO_NOT_TRACK"))} | {"HOME": str(home)}
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, "-m", "flows.cli", "--config", str(settings.config_path), command],
        cwd=root, env=env | {"PYTHONPATH": str(root)}, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(said) and int(done.stdout.split()[1]) >= 4
    assert not (home / ".prefect").exists()
    assert "usage" not in done.stderr.casefold() and "telemetry" not in done.stderr.casefold()


@pytest.mark.parametrize(
    ("content", "code", "fragment"),
    [
        pytest.param(b'{"id": 1, "title": "Caf\xe9", "text": "Amnesty"}\n', 1, "not UTF-8 (byte 0xe9", id="latin-1"),
        pytest.param(b'\xef\xbb\xbf{"id": 1, "title": "A", "text": "Amnesty voted on sex work."}\n', 0, None, id="bom"),
        pytest.param(b'{"id": 1, "title": "A"}\n', 1, 'f:1: missing "text"', id="no-text"),
        pytest.param(b'{"id": 1, "title": "A", "text": "  "}\n', 1, 'f:1: "text" is empty', id="empty-text"),
    ],
)
def test_classify_reads_utf8_json_lines_and_names_each_bad_line(
    tmp_path: Path, content: bytes, code: int, fragment: str | None,
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.chdir(tmp_path)
    (tmp_path / "f").write_bytes(content)
    status, out, err = run_cli(["--config", "absent.toml", "classify", "f"], capsys, monkeypatch)
    assert status == code, err
    if fragment is None:
        assert json.loads(out)["id"] == 1 and err == ""
    else:
        assert fragment in err and err.count("\n") == 1 and "Traceback" not in err


def test_evaluate_refuses_labels_without_text_with_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    labels = tmp_path / "labels.jsonl"
    labels.write_text(
        '{"id": "a", "title": "x", "text": "Amnesty", "label": "neutral"}\n{"url": "u", "label": "neutral"}\n'
    )
    code, out, err = run_cli(
        ["--config", str(tmp_path / "absent.toml"), "evaluate", "--labels", str(labels)], capsys, monkeypatch
    )
    assert code == 1 and out == ""
    assert f'{labels}:2: missing "text"' in err


def test_tables_never_hide_values_and_feeds_list_shows_a_short_set(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    config = tmp_path / "presswatch.toml"
    long_a = "https://news.example.org/sections/world/europe/feeds/rss/amnesty-international-coverage.xml"
    long_b = long_a.replace(".xml", "-second.xml")
    config.write_text(f'[[feeds]]\nurl = "{long_a}"\n[[feeds]]\nurl = "{long_b}"\n', encoding="utf-8")
    code, out, _ = run_cli(["--config", str(config), "feeds", "list"], capsys, monkeypatch)
    assert code == 0
    assert "…" not in out  # wrapped, never cut: two feeds of one outlet can be told apart
    first_cells = "".join(line.split("│")[1].strip() for line in out.splitlines() if line.startswith("│"))
    assert first_cells == long_a + long_b  # each URL whole, folded over lines of its own cell
    header = out.splitlines()[1] + out.splitlines()[2]
    assert "source" not in header and "last_error" in header.replace(" ", "")
    code, out, _ = run_cli(
        ["--config", str(config), "feeds", "list", "--columns", "url,source", "--format", "csv"], capsys, monkeypatch
    )
    assert out.splitlines()[0] == "url,source" and out.count("config") == 2
    code, _, err = run_cli(["--config", str(config), "feeds", "list", "--columns", "nope"], capsys, monkeypatch)
    assert code == 1 and "unknown column nope" in err


def test_runs_lists_the_history_and_shows_a_single_run_vertically(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.ingest import run_ingest
    from tests.builders import loopback_settings
    from tests.conftest import FIXTURES
    from tests.loopback import LoopbackServer

    server = LoopbackServer(root=FIXTURES / "site").start()
    try:
        settings = loopback_settings(tmp_path, server)
        run_ingest(settings, orchestrated=False)
    finally:
        server.stop()
    code, out, err = run_cli(["runs", "--config", str(settings.config_path)], capsys, monkeypatch)  # --config after
    assert code == 0, err
    lines = dict(line.strip().split(": ", 1) for line in out.splitlines())
    assert lines["flow"] == "ingest" and lines["status"] == "completed" and lines["feeds_failed"] == "2"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", lines["started_at"])
    code, out, _ = run_cli(["--config", str(settings.config_path), "runs", "--format", "json"], capsys, monkeypatch)
    assert [r["status"] for r in json.loads(out)] == ["completed"]


def test_version_and_help_without_type_placeholders(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.settings import software_version

    code, out, _ = run_cli(["--version"], capsys, monkeypatch)
    assert code == 0 and out.strip() == f"presswatch {software_version()}"
    for command in (["report", "--help"], ["sql", "--help"], ["--help"], ["feeds", "list", "--help"]):
        code, out, _ = run_cli(command, capsys, monkeypatch)
        assert code == 0 and "<str>" not in out and "<bool>" not in out and "<int>" not in out, command


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        pytest.param("https://", "host is missing", id="no-host"),
        pytest.param("http://exa mple.org/rss", "invalid characters", id="space"),
        pytest.param("ftp://example.org/rss", "not an http(s) feed URL", id="scheme"),
        pytest.param("http://example.org:abc/rss", "bad port", id="port"),
    ],
)
def test_feeds_add_refuses_what_cannot_be_a_feed_address(
    tmp_path: Path, url: str, fragment: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "presswatch.toml"
    config.write_text('[warehouse]\npath = "pw.duckdb"\n', encoding="utf-8")
    code, out, err = run_cli(["--config", str(config), "feeds", "add", url], capsys, monkeypatch)
    assert code == 1 and out == "" and fragment in err and err.count("\n") == 1
    assert not (tmp_path / "pw.duckdb").exists()


def test_feeds_add_warns_about_credentials_and_private_addresses(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "presswatch.toml"
    config.write_text('[warehouse]\npath = "pw.duckdb"\n', encoding="utf-8")
    code, out, err = run_cli(
        ["--config", str(config), "feeds", "add", "http://me:secret@10.1.2.3/rss"], capsys, monkeypatch
    )
    assert code == 0 and out.startswith("added ")
    assert "user name or password" in err and "10.1.2.3 is a private or local address" in err


def test_label_with_a_mistyped_warehouse_path_creates_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "presswatch.toml"
    config.write_text('[warehouse]\npath = "pw-typo.duckdb"\n', encoding="utf-8")
    code, _, err = run_cli(
        ["--config", str(config), "label", "http://a.example/1", "--stance", "neutral"], capsys, monkeypatch
    )
    assert code == 1 and "no warehouse at" in err and "pw-typo.duckdb" in err
    assert not (tmp_path / "pw-typo.duckdb").exists()


def test_export_refuses_a_file_an_unwritable_folder_and_an_earlier_export_unless_replaced(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    base = ["--config", str(config), "export", "--format", "csv", "--out"]
    (tmp_path / "afile").write_text("x")
    code, _, err = run_cli([*base, str(tmp_path / "afile")], capsys, monkeypatch)
    assert code == 1 and "is not a folder" in err and err.count("\n") == 1
    code, _, err = run_cli([*base, "/proc/presswatch-cannot-write-here"], capsys, monkeypatch)
    assert code == 1 and "cannot write the export" in err and err.count("\n") == 1
    out_dir = tmp_path / "ex"
    assert run_cli([*base, str(out_dir)], capsys, monkeypatch)[0] == 0
    (out_dir / "coverage.csv").write_text("stale")
    code, _, err = run_cli([*base, str(out_dir)], capsys, monkeypatch)
    assert code == 1 and "already holds an export" in err and "--replace" in err
    code, _, err = run_cli([*base, str(out_dir), "--replace"], capsys, monkeypatch)
    assert code == 0, err
    assert (out_dir / "coverage.csv").read_text().startswith("url,")


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        pytest.param(["--week", "2016-W53"], "2016 has 52 ISO weeks: 2016-W53 does not exist", id="no-such-week"),
        pytest.param(["--week", "2015-W53"], "no articles in 2015-W53", id="after-the-data"),  # 2015 has 53
        pytest.param(["--week", "2014-W10"], "the warehouse holds weeks 2015-W33 to 2015-W33", id="before-the-data"),
        pytest.param(["--week", "2015-W33", "--all"], "--week and --all cannot be used together", id="both"),
        pytest.param(["--week", "2015-33"], "expected YYYY-Www", id="format"),
    ],
)
def test_report_weeks_outside_the_data_or_the_calendar_are_refused(
    config: Path, args: list[str], fragment: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = run_cli(["--config", str(config), "report", *args], capsys, monkeypatch)
    assert code == 1 and out == "" and fragment in err and err.count("\n") == 1
    assert not (config.parent / "reports").exists()


@pytest.mark.flow
def test_demo_through_the_cli_writes_reports_and_names_the_index(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, prefect_harness: None
) -> None:
    from flows.prefect_server import free_port

    data = tmp_path / "demo"
    code, out, err = run_cli(["demo", "--data", str(data), "--port", str(free_port())], capsys, monkeypatch)
    assert code == 0, err
    assert re.match(r"\d+ new articles, \d+ relevant", out.splitlines()[0])
    index = data / "reports" / "amnesty-2015" / "index.md"
    assert f"start with the index: {index}" in out and index.exists()
    assert re.search(r"reports \((\d+)\):", out) and int(re.search(r"reports \((\d+)\):", out).group(1)) >= 2
    assert "then ask your own questions: " in out and f"--config {data / 'presswatch.toml'} sql" in out


def test_a_new_topic_from_the_template_checks_classifies_and_sits_beside_the_bundled_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    config = tmp_path / "presswatch.toml"
    config.write_text('[topics]\nenabled = ["amnesty-2015", "congestion-charge"]\ndir = "topics"\n', encoding="utf-8")
    base = ["--config", str(config)]
    code, out, err = run_cli([*base, "topics", "new", "congestion-charge"], capsys, monkeypatch)
    assert code == 0, err
    written = Path(out.strip())
    assert written == tmp_path / "topics" / "congestion-charge.toml" and written.exists()
    code, out, _ = run_cli([*base, "topics", "check", str(written)], capsys, monkeypatch)
    assert code == 0 and "ok (4 rules in en" in out
    code, out, _ = run_cli([*base, "topics", "list"], capsys, monkeypatch)
    assert "* amnesty-2015" in out and "* congestion-charge" in out  # the folder adds to the bundled topics
    items = tmp_path / "items.jsonl"
    items.write_text(json.dumps({"id": 1, "title": "Council votes on congestion charge",
                                 "text": "The city council voted on the congestion charge plan. It is a sensible plan."}) + "\n"
                     + json.dumps({"id": 2, "title": "Council vote", "text": "The city council voted on the "
                                   "congestion charge plan. Drivers said it was an unfair plan."}) + "\n")  # fmt: skip
    code, out, err = run_cli([*base, "classify", "--topic", "congestion-charge", str(items)], capsys, monkeypatch)
    assert code == 0, err
    assert [json.loads(line)["stance"] for line in out.splitlines()] == ["supportive", "neutral"]  # reported: quoted
    code, _, err = run_cli([*base, "topics", "new", "congestion-charge"], capsys, monkeypatch)
    assert code == 1 and "exists already" in err


def test_topics_check_reports_every_problem_at_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    rules = Path(__file__).resolve().parent.parent / "topics" / "amnesty-2015.toml"
    text = rules.read_text(encoding="utf-8")
    text = text.replace("threshold = 1.5", "threshold = -3", 1).replace("weight = 2.5", "weight = 9", 1)
    text = text.replace("[relevance]", "[relevance]\nbogus = 1", 1)
    broken = tmp_path / "broken.toml"
    broken.write_text(text, encoding="utf-8")
    code, out, _ = run_cli(["topics", "check", str(broken)], capsys, monkeypatch)
    assert code == 2
    lines = out.splitlines()
    assert len(lines) == 3
    assert "relevance.bogus: unknown key" in lines[0]
    assert "scoring.threshold: must be a number between 0 and 50" in lines[1]
    assert re.search(r"stance\.en\.\w+\[\d+\]\.weight: must be a number between -5 and 5", lines[2])
    assert all(line.startswith(f"{broken}:") for line in lines)


def test_sql_markdown_output_escapes_like_the_report(
    config: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    query = "select '<b>x</b> [see](http://evil.example) *a* | b' as v"
    code, out, _ = run_cli(["--config", str(config), "sql", query, "--format", "markdown"], capsys, monkeypatch)
    assert code == 0
    row = out.splitlines()[2]
    assert "\\<b\\>" in row and "\\[see\\]" in row and "\\*a\\*" in row and "\\|" in row


def test_the_stance_choices_are_the_classifiers_labels() -> None:
    from flows.choices import StanceChoice
    from stance.model import STANCES

    assert tuple(member.value for member in StanceChoice) == STANCES
