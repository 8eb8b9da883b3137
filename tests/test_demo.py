"""The bundled demo web, ingested for real (loopback server, real DuckDB file), and the docs' example queries
run against the result, so that neither the demo nor docs/schema.md can rot."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path

import pytest

from flows import demo as demo_web
from flows.settings import Settings, load_settings
from warehouse.analyst import run_query

DOCS = Path(__file__).parents[1] / "docs"


@pytest.fixture(scope="module")
def demo_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Settings, dict[str, int]]]:
    from flows.ingest import run_ingest

    site = demo_web.demo_site_dir()
    outlets = demo_web.load_manifest(site)
    folder = tmp_path_factory.mktemp("demo")
    with demo_web.serve_site(site, outlets, port=0) as bases:
        settings = load_settings(demo_web.write_demo_config(folder, outlets, bases))
        first = asdict(run_ingest(settings, orchestrated=False))
        second = asdict(run_ingest(settings, orchestrated=False))
        yield settings, {"first_new": first["entries_new"], "second_new": second["entries_new"],
                         "second_classified": second["articles_classified"]}  # fmt: skip


def _one(settings: Settings, sql: str) -> object:
    return run_query(settings.warehouse_path, sql).rows[0][0]


def test_demo_web_is_big_and_varied_enough(demo_warehouse: tuple[Settings, dict[str, int]]) -> None:
    settings, _ = demo_warehouse
    assert _one(settings, "select count(*) from articles where text_source = 'page'") >= 40
    assert _one(settings, "select count(distinct outlet) from coverage") >= 8
    assert _one(settings, "select count(distinct language) from coverage") >= 3
    stances = dict(run_query(settings.warehouse_path, "select stance, count(*) from coverage group by 1").rows)
    assert set(stances) == {"supportive", "opposed", "neutral", "off_topic"}


def test_second_ingest_adds_nothing(demo_warehouse: tuple[Settings, dict[str, int]]) -> None:
    _, runs = demo_warehouse
    assert runs["first_new"] >= 40
    assert runs["second_new"] == 0 and runs["second_classified"] == 0


def test_failures_are_recorded_with_reasons(demo_warehouse: tuple[Settings, dict[str, int]]) -> None:
    settings, _ = demo_warehouse
    problems = {r[0] for r in run_query(settings.warehouse_path, "select problem from article_problems").rows}
    assert {"robots_disallowed", "http_404", "not_html", "too_short"} <= problems
    assert _one(settings, "select count(*) from feeds where last_error is not null") >= 1


def test_wire_copies_form_one_story(demo_warehouse: tuple[Settings, dict[str, int]]) -> None:
    settings, _ = demo_warehouse
    assert _one(settings, "select max(placements) from stories") >= 4
    assert _one(settings, "select count(*) from coverage") > _one(
        settings, "select count(distinct story_id) from coverage"
    )


def test_demo_labels_are_mostly_right(demo_warehouse: tuple[Settings, dict[str, int]]) -> None:
    """A regression gate on the demo's own ground truth (demo/web/labels.jsonl)."""
    settings, _ = demo_warehouse
    site = demo_web.demo_site_dir()
    labels = {}
    for line in (site / "labels.jsonl").read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        labels[item["path"].split("/", 1)[1]] = item["label"]
    rows = run_query(settings.warehouse_path, "select url, machine_stance from coverage").rows
    predicted = {re.sub(r"^https?://[^/]+/", "", url): stance for url, stance in rows}
    pairs = [(labels[path], stance) for path, stance in predicted.items() if path in labels]
    assert len(pairs) >= 40
    accuracy = sum(gold == guess for gold, guess in pairs) / len(pairs)
    assert accuracy >= 0.7, f"demo accuracy {accuracy:.2f}"


def _doc_queries() -> list[str]:
    text = (DOCS / "schema.md").read_text(encoding="utf-8")
    return re.findall(r"```sql\n(.*?)```", text, flags=re.DOTALL)


def test_docs_have_example_queries() -> None:
    assert len(_doc_queries()) >= 5


def test_documented_queries_run(demo_warehouse: tuple[Settings, dict[str, int]]) -> None:
    settings, _ = demo_warehouse
    for query in _doc_queries():
        result = run_query(settings.warehouse_path, query)
        assert result.columns and result.rows, query


def test_the_vote_weeks_report_counts_placements_and_shows_the_organisation_apart(
    demo_warehouse: tuple[Settings, dict[str, int]],
) -> None:
    """The Dublin Courier's editorial appears at two URLs (its RSS and Atom links): one placement, not two. The
    organisation the topic is about is quoted nearly everywhere: it is shown apart from the other voices."""
    from flows.reporting import write_weekly_reports
    from reports.week import Week

    settings, _ = demo_warehouse
    [written] = write_weekly_reports(settings, [Week.parse("2015-W33")])
    text = written.path.read_text(encoding="utf-8")
    assert "Supportive 25% (n=5) · Opposed 20% (n=4) · Neutral 55% (n=11)." in text
    assert text.splitlines()[4].startswith("Of 20 relevant articles, 11 reported it without taking a side, 5 supported")
    voices = text.split("## Voices", 1)[1].split("## Articles", 1)[0]
    assert "| Amnesty International |" not in voices
    assert "Amnesty International itself, the organisation the topic is about, was quoted or cited in" in voices


def test_run_demo_writes_no_report_when_every_feed_failed(tmp_path: Path) -> None:
    """`presswatch demo` (run through the CLI in tests/test_cli.py) then exits non-zero with the summary, and
    leaves no empty index behind."""
    announced: list[str] = []
    failed = {"feeds_ok": 0, "feeds_not_modified": 0, "feeds_unchanged": 0, "feeds_failed": 9}
    run = demo_web.run_demo(tmp_path / "demo", lambda settings: failed, port=0, announce=announced.append)
    assert announced[0].startswith("demo web: ") and run.config == tmp_path / "demo" / "presswatch.toml"
    assert run.reports == [] and run.summary is failed
    assert not (tmp_path / "demo" / "reports").exists()
