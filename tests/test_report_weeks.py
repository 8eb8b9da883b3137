"""The weekly report read for many weeks at once: the same reports as week by week, the same rows as the views."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flows.reporting import report_topics, weeks_with_data, write_weekly_reports
from flows.settings import Settings
from reports import markdown
from reports.load import chunk_weeks, load_week_data, load_weeks_data
from reports.model import WeekData, build_report
from reports.render import render_chart, render_markdown
from reports.week import Week
from stance.model import Voice
from stance.rules import load_ruleset, load_topic
from tests.builders import article_row, result, write
from warehouse import store
from warehouse.db import connect
from warehouse.labels import save_label
from warehouse.queries import fetch_dicts, query_text

TOPIC = "amnesty-2015"
RULES = Path(__file__).resolve().parent.parent / "topics" / "amnesty-2015.toml"
FIRST = datetime(2015, 7, 6, 9, tzinfo=UTC)  # Monday of 2015-W28
STANCES = ("supportive", "opposed", "neutral", "off_topic")


def _many_weeks(path: Path) -> None:
    """Twenty weeks (with two empty ones), more articles per side than a report lists, wire copies, flags,
    reclassifications by a newer ruleset (and one tied on time), and human labels."""
    rows, results = [], []
    for i in range(260):
        week = i % 20
        if week in (7, 8):  # weeks without articles inside the span
            week = 9
        published = FIRST + timedelta(weeks=week, hours=i % 97)
        url = f"http://n{i % 7}.example/{i}"
        stance = STANCES[i % 4] if i % 9 else "supportive"
        extra: dict[str, Any] = {}
        if i % 13 == 5:
            extra["story_id"] = f"http://n{(i - 1) % 7}.example/{i - 1}"
        if i % 17 == 3:
            extra["outlet"] = None
        rows.append(replace(article_row(url, outlet=f"Outlet {i % 5}", title=f"Story {i} | [{stance}]",
                                        published=published), **extra))  # fmt: skip
        score = {"supportive": 0.5, "opposed": -0.5}.get(stance, 0.0) + (i % 10) / 100 * (1 if i % 2 else -1)
        flags = ("uncertain",) if i % 11 == 0 else ("no_rules_for_language",) if i % 23 == 0 else ()
        voices = (Voice("Salil Shetty", "supportive", 1 + i % 3, "said Shetty"),) if i % 3 == 0 else ()
        results.append(
            (url, result(stance, max(-1.0, min(1.0, score)), snippet=f"Because {i} said so.", weight=score or 0.5,
                         flags=flags, voices=voices))
        )  # fmt: skip
    write(path, rows, results)
    later = datetime(2016, 1, 1, tzinfo=UTC)
    with connect(path) as con, store.transaction(con):
        # A newer ruleset changes some labels; for others a second version is stored at the same moment and the
        # smaller version string wins the tie, as in the `current_classifications` view.
        newer = [(url, result("opposed", -0.9, snippet="Newer rules.", weight=-2.0, version="v2-newer"))
                 for url, _ in results[::5]]  # fmt: skip
        store.save_classifications(con, newer, later)
        tied = [(url, result("neutral", 0.0, version="a-tied")) for url, _ in results[1::8]]
        store.save_classifications(con, tied, datetime(2015, 8, 17, 6, 0, tzinfo=UTC))
    for url, _ in results[2::12]:
        save_label(path, url, TOPIC, "off_topic" if url.endswith("2") else "supportive", None, "tester")


def _render(data: WeekData, week: Week) -> tuple[str, str]:
    report = build_report(data, topic=TOPIC, topic_title="T", week=week, software_version="0.0.test")
    return render_markdown(report), render_chart(report)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("weeks") / "w.duckdb"
    _many_weeks(path)
    return path


def _all_weeks(path: Path) -> list[Week]:
    return [Week.of((FIRST + timedelta(weeks=n)).date()) for n in range(-2, 23)]


@pytest.mark.parametrize("span", [pytest.param(1, id="week-by-week"), pytest.param(6, id="six-weeks"),
                                  pytest.param(52, id="a-year")])  # fmt: skip
def test_weeks_read_together_render_as_week_by_week(warehouse: Path, span: int) -> None:
    weeks = _all_weeks(warehouse)
    with connect(warehouse, read_only=True) as con:
        alone = {str(w): _render(load_week_data(con, TOPIC, w), w) for w in weeks}
        together: dict[str, tuple[str, str]] = {}
        for chunk in chunk_weeks(weeks, span):
            data = load_weeks_data(con, TOPIC, chunk)
            together |= {str(w): _render(data[str(w)], w) for w in chunk}
    assert together == alone
    assert any("Off-topic (" in text for text, _ in alone.values())
    assert any("**Human labels**" in text for text, _ in alone.values())


def test_chunks_cover_each_week_once_within_their_span() -> None:
    weeks = [Week.parse(w) for w in ("2015-W53", "2015-W01", "2016-W01", "2015-W02", "2016-W30", "2015-W02")]
    chunks = chunk_weeks(weeks, 26)
    assert [[str(w) for w in c] for c in chunks] == [["2015-W01", "2015-W02"], ["2015-W53", "2016-W01"],
                                                     ["2016-W30"]]  # fmt: skip
    assert all(c[-1].start - c[0].start < timedelta(weeks=26) for c in chunks)


def test_report_rows_are_the_coverage_view_rows(warehouse: Path) -> None:
    """report_coverage ranks classifications among the window's articles only: the same rows as `coverage`."""
    start, end = datetime(2015, 7, 13, tzinfo=UTC), datetime(2015, 9, 7, tzinfo=UTC)
    columns = ("url, outlet, title, published_at, week, language, topic, relevant, stance, score, confidence, "
               "ruleset_version, machine_stance, human_stance, flags, text_source, story_id")  # fmt: skip
    with connect(warehouse, read_only=True) as con:
        ours = con.execute(
            f"SELECT {columns}, story_origin_outlet FROM ({query_text('report_coverage')}) ORDER BY url",
            {"topic": TOPIC, "start": start, "end": end},
        ).fetchall()
        view = con.execute(
            f"SELECT {columns}, (SELECT o.outlet FROM articles o WHERE o.url = c.story_id) FROM coverage c "
            "WHERE topic = ? AND published_at >= ? AND published_at < ? ORDER BY url",
            [TOPIC, start, end],
        ).fetchall()
    assert ours == view
    assert len(view) > 50 and {row[11] for row in view} == {"test0version", "v2-newer", "a-tied"}


def test_index_and_weeks_are_the_coverage_view_numbers(warehouse: Path) -> None:
    view_index = """
        SELECT week,
            count(*) FILTER (WHERE relevant) AS relevant,
            count(DISTINCT story_id) FILTER (WHERE relevant) AS stories,
            count(DISTINCT outlet) FILTER (WHERE relevant) AS outlets,
            count(*) FILTER (WHERE stance = 'supportive') AS supportive,
            count(*) FILTER (WHERE stance = 'opposed') AS opposed,
            count(*) FILTER (WHERE stance = 'neutral') AS neutral,
            count(*) FILTER (WHERE NOT relevant) AS off_topic
        FROM coverage WHERE topic = $topic AND week IS NOT NULL GROUP BY week ORDER BY week DESC
    """
    with connect(warehouse, read_only=True) as con:
        assert fetch_dicts(con, "report_index", {"topic": TOPIC}) == [
            dict(zip([d[0] for d in con.execute(view_index, {"topic": TOPIC}).description], row, strict=True))
            for row in con.execute(view_index, {"topic": TOPIC}).fetchall()
        ]
        view_weeks = con.execute(
            "SELECT DISTINCT week FROM coverage WHERE topic = ? AND week IS NOT NULL ORDER BY week", [TOPIC]
        ).fetchall()
        agreement = con.execute(
            "SELECT count(*), count(*) FILTER (WHERE machine_stance = human_stance), "
            "count(*) FILTER (WHERE (machine_stance = 'off_topic') = (human_stance = 'off_topic')) "
            "FROM coverage WHERE topic = ? AND human_stance IS NOT NULL",
            [TOPIC],
        ).fetchall()[0]
        ours_agreement = fetch_dicts(con, "report_label_agreement", {"topic": TOPIC})[0]
    assert [r["week"] for r in fetch_dicts_weeks(warehouse)] == [w for (w,) in view_weeks]
    assert tuple(ours_agreement.values()) == agreement and agreement[0] > 0


def fetch_dicts_weeks(path: Path) -> list[dict[str, Any]]:
    with connect(path, read_only=True) as con:
        return fetch_dicts(con, "report_weeks", {"topic": TOPIC})


def test_a_reclassification_and_a_label_show_in_the_next_report(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    url = "http://a.example/1"
    published = datetime(2015, 8, 12, 9, tzinfo=UTC)
    write(path, [article_row(url, outlet="Courier", title="The vote", published=published)],
          [(url, result("supportive", 0.6, snippet="A historic step.", weight=2.0))])  # fmt: skip
    week = Week.parse("2015-W33")

    def stance_rows() -> str:
        with connect(path, read_only=True) as con:
            text, _ = _render(load_week_data(con, TOPIC, week), week)
        return "\n".join(line for line in text.splitlines() if line.startswith(("| supportive", "| opposed")))

    assert "| supportive | 1 | 100% |" in stance_rows()
    with connect(path) as con, store.transaction(con):  # what `presswatch reclassify` stores
        store.save_classifications(
            con, [(url, result("opposed", -0.7, snippet="A betrayal.", weight=-3.0, version="v2"))],
            datetime(2015, 9, 1, tzinfo=UTC),
        )  # fmt: skip
    assert "| opposed | 1 | 100% |" in stance_rows()
    save_label(path, url, TOPIC, "supportive", "checked", "tester")
    assert "| supportive | 1 | 100% |" in stance_rows()


def test_report_all_weeks_writes_what_each_week_alone_writes(warehouse: Path, tmp_path: Path) -> None:
    together = Settings(config_path=tmp_path / "a.toml", warehouse_path=warehouse, reports_dir=tmp_path / "a")
    alone = Settings(config_path=tmp_path / "b.toml", warehouse_path=warehouse, reports_dir=tmp_path / "b")
    weeks = weeks_with_data(together, TOPIC)
    written = write_weekly_reports(together, weeks)
    assert [str(r.week) for r in written] == [str(w) for w in weeks]
    for week in weeks:
        write_weekly_reports(alone, [week])
    for name in sorted(p.name for p in (tmp_path / "a" / TOPIC).iterdir()):
        assert (tmp_path / "a" / TOPIC / name).read_bytes() == (tmp_path / "b" / TOPIC / name).read_bytes(), name


def test_report_topics_read_title_and_milestones_only(tmp_path: Path) -> None:
    full = load_ruleset(RULES)
    light = load_topic(RULES)
    assert (light.topic, light.title, light.milestones) == (full.topic, full.title, full.milestones)
    settings = Settings(config_path=tmp_path / "c.toml", warehouse_path=tmp_path / "w.duckdb")
    assert [t.topic for t in report_topics(settings)] == list(settings.topics)


_TEXT = st.text(alphabet=st.sampled_from(list("ab 1.)#-+=>&|*_[]<>`~\\\t\n\u00a0é")), max_size=30)


@given(_TEXT, st.one_of(st.none(), st.integers(min_value=1, max_value=40)))
def test_escaping_shortcut_changes_nothing(value: str, limit: int | None) -> None:
    assert markdown.text(value, limit) == markdown.escape(value, limit)


@given(st.sampled_from(["http://", "https://", "HTTP://", "ftp://", "javascript:", ""]),
       st.text(alphabet=st.sampled_from(list("aZ09:/?#@!$&'*+,;=%-._~ ()<>[]\"é\n")), max_size=30))  # fmt: skip
def test_url_shortcut_changes_nothing(scheme: str, rest: str) -> None:
    def outcome(quote: Any, value: str) -> str:
        try:
            return str(quote(value))
        except ValueError as exc:  # urlsplit refuses e.g. "http://[": so does the shortcut (it never sees "[")
            return f"ValueError: {exc}"

    raw = scheme + rest
    assert outcome(markdown.url, raw) == outcome(markdown.quote_url, raw.strip())
