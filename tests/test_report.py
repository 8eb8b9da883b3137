from __future__ import annotations

import os
import re
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from reports import markdown
from reports.files import write_report
from reports.load import load_week_data
from reports.model import WeeklyReport, build_report
from reports.render import render_chart, render_markdown
from reports.week import Week, WeekError
from stance.model import Voice
from tests.builders import article_row, result, write
from warehouse import store
from warehouse.db import connect

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("PRESSWATCH_UPDATE_GOLDEN") == "1"  # review the diff before committing


def _fixed_warehouse(path: Path) -> None:
    def at(day: int, hour: int = 9) -> datetime:
        return datetime(2015, 8, day, hour, tzinfo=UTC)

    shetty = (Voice("Salil Shetty", "supportive", 2, "said Salil Shetty"),)
    catw = (Voice("Coalition Against Trafficking in Women", "opposed", 1, "CATW said"),)
    rows_and_results = [
        # previous week (W32): one supportive, one opposed
        (article_row("http://a.example/w32-1", outlet="Courier", title="Vote ahead", published=at(5)),
         result("supportive", 0.4, snippet="The vote is overdue.", weight=1.5)),
        (article_row("http://b.example/w32-2", outlet="Ledger", title="Ahead of Dublin", published=at(6)),
         result("opposed", -0.3, snippet="A dangerous idea.", weight=-1.0)),
        # report week (W33)
        (article_row("http://a.example/1", outlet="Courier", title="A historic step | for rights",
                     published=at(11, 20)),
         result("supportive", 0.72, snippet="This is a historic step for human rights.", weight=2.5, voices=shetty)),
        (article_row("http://b.example/2", outlet="Ledger", title="Betrayal <script>alert(1)</script>",
                     published=at(12)),
         result("opposed", -0.65, snippet="The vote is a betrayal of women [see](http://evil.example).", weight=-3.0,
                voices=catw)),
        (article_row("http://b.example/3", outlet="Ledger", title="Delegates vote in Dublin", published=at(12, 15)),
         result("neutral", 0.05, snippet="Critics said it would protect pimps.", weight=-1.0, voice="quoted",
                flags=("uncertain",), voices=shetty + catw)),
        (article_row("http://c.example/4", outlet="Gazeta", title="Amnesty i prostytucja", published=at(13),
                     language="pl"),
         result("neutral", 0.0, flags=("no_rules_for_language",), language="pl")),
        (article_row("http://c.example/5", outlet="Gazeta", title="Harbour works delayed", published=at(14)),
         result("off_topic", 0.0)),
        (article_row("http://c.example/7", outlet="Gazeta", title="A historic step (wire copy)", published=at(12, 8),
                     story_id="http://a.example/1"),
         result("supportive", 0.7, snippet="This is a historic step for human rights.", weight=2.5)),
        (article_row("http://a.example/6", outlet="Courier", title="Belfast teaser", published=at(14),
                     text_source="feed_summary", extract_status="too_short", extract_detail="12 words of main text"),
         result("supportive", 0.3, snippet="A welcome decision.", weight=1.0)),
    ]  # fmt: skip
    write(path, [r for r, _ in rows_and_results], [(r.url, res) for r, res in rows_and_results])
    failed_page = replace(article_row("http://b.example/gone", outlet="Ledger", title="Gone", published=at(13)),
                          fetch_status="failed", fetch_error="http_404",
                          fetch_detail="HTTP 404 from http://b.example/gone", extract_status=None, text=None,
                          text_source=None)  # fmt: skip
    with connect(path) as con, store.transaction(con):
        store.save_articles(con, [failed_page])
        store.record_feed_outcomes(
            con, "run-1", at(17),
            [store.FeedOutcome("http://d.example/feed.rss", "Broken Gazette", "failed", None, "malformed_feed",
                               "mismatched tag: line 3, column 2"),
             store.FeedOutcome("http://e.example/feed.rss", "Half Feed", "ok", 200, None,
                               "not well-formed (invalid token): line 9, column 4", entries=3)],
        )  # fmt: skip
    from warehouse.labels import save_label

    save_label(path, "http://b.example/3", "amnesty-2015", "neutral", "checked", "tester")


MILESTONES = [(date(2015, 8, 11), "Council vote"), (date(2016, 5, 26), "Policy published")]


def _report(path: Path, week: str) -> WeeklyReport:
    with connect(path, read_only=True) as con:
        data = load_week_data(con, "amnesty-2015", Week.parse(week))
    return build_report(
        data, topic="amnesty-2015", topic_title="Amnesty International's 2015 sex-work resolution",
        week=Week.parse(week), software_version="0.0.test", milestones=MILESTONES,
    )  # fmt: skip


def _render(path: Path, week: str) -> str:
    return render_markdown(_report(path, week))


def test_weekly_report_matches_golden_file(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    _fixed_warehouse(path)
    report = _report(path, "2015-W33")
    for name, text in [
        ("amnesty-2015-2015-W33.md", render_markdown(report)),
        ("amnesty-2015-2015-W33-trend.svg", render_chart(report)),
    ]:
        golden = GOLDEN / name
        if UPDATE:
            golden.write_text(text, encoding="utf-8")
        assert text == golden.read_text(encoding="utf-8"), name


def test_written_report_is_valid_gfm_with_its_chart(tmp_path: Path) -> None:
    import xml.etree.ElementTree as ET

    from markdown_it import MarkdownIt

    path = tmp_path / "w.duckdb"
    _fixed_warehouse(path)
    report = _report(path, "2015-W33")
    target = write_report(
        render_markdown(report), tmp_path / "reports", "amnesty-2015", Week.parse("2015-W33"), render_chart(report)
    )
    tokens = MarkdownIt("commonmark").enable("table").parse(target.read_text(encoding="utf-8"))
    tables = 0
    for i, token in enumerate(tokens):
        if token.type == "table_open":
            tables += 1
            header_cells = None
            j = i
            while tokens[j].type != "table_close":
                if tokens[j].type == "tr_open":
                    cells = 0
                    k = j + 1
                    while tokens[k].type != "tr_close":
                        cells += tokens[k].type in ("th_open", "td_open")
                        k += 1
                    header_cells = header_cells or cells
                    assert cells == header_cells
                j += 1
    assert tables >= 5
    images = [child for t in tokens if t.type == "inline" for child in (t.children or []) if child.type == "image"]
    assert images
    for image in images:
        chart = target.parent / image.attrs["src"]
        assert chart.exists()
        ET.fromstring(chart.read_text(encoding="utf-8"))  # well-formed SVG
    inline_html = [
        child for t in tokens if t.type == "inline" for child in (t.children or []) if child.type == "html_inline"
    ]
    assert {c.content for c in inline_html} <= {"<sub>", "</sub>", "<br>"}


def test_report_numbers(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    _fixed_warehouse(path)
    text = _render(path, "2015-W33")
    assert "**6 relevant articles from 3 outlets**: 5 unique stories, 1 wire or syndicated copy." in text
    # The week before had 2 relevant articles: too few to compare shares with.
    assert "| supportive | 3 | 50% | 1 (50%) | – |" in text
    assert "| opposed | 1 | 17% | 1 (50%) | – |" in text
    assert "No change is shown against a week with fewer than 5 relevant articles (the week before had 2)." in text
    assert text.count("Supportive 50% (n=3) · Opposed 17% (n=1) · Neutral 33% (n=2).") == 1
    assert "Of 6 relevant articles, 3 supported it, 2 reported it without taking a side and 1 opposed it." in text
    assert "*copy of a story first seen at* [Courier](<http://a.example/1>)" in text
    assert "malformed\\_feed" in text and "http\\_404" in text
    assert "*classified on the feed summary*" in text
    assert "- Half Feed: the feed is not well-formed XML and breaks off; the entries before the break were read" in text
    assert "the classifier agreed on 1 of 1 labelled articles (100%)" in text


def test_article_text_cannot_inject_markup(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    _fixed_warehouse(path)
    text = _render(path, "2015-W33")
    assert "<script>" not in text
    assert "[see](http://evil.example)" not in text
    for line in text.splitlines():
        if line.startswith("| Courier"):
            assert len(re.split(r"(?<!\\)\|", line)) == 7  # outlet + 4 counts, between 6 unescaped pipes


def test_empty_week(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    _fixed_warehouse(path)
    text = _render(path, "2016-W21")
    assert "No relevant articles this week" in text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("a|b", "a\\|b", id="pipe"),
        pytest.param("<b>x</b>", "\\<b\\>x\\</b\\>", id="html"),
        pytest.param("[x](y)", "\\[x\\](y)", id="link"),
        pytest.param("# heading", "\\# heading", id="heading-at-start"),
        pytest.param("- item", "\\- item", id="list-at-start"),
        pytest.param("1. item", "1\\. item", id="ordered-at-start"),
        pytest.param("a # b - c 1. d", "a # b - c 1. d", id="mid-line-left-alone"),
        pytest.param("line\nbreak", "line break", id="newline"),
        pytest.param("AT&T", "AT&amp;T", id="ampersand"),
    ],
)
def test_markdown_escaping(value: str, expected: str) -> None:
    assert markdown.text(value) == expected


def test_links_only_for_http() -> None:
    assert markdown.link("x", "javascript:alert(1)") == "x"
    assert markdown.link("x", "http://a.example/a b)") == "[x](<http://a.example/a%20b%29>)"


@pytest.mark.parametrize(
    ("value", "start"),
    [pytest.param("2015-W33", date(2015, 8, 10), id="w33"), pytest.param("2016-w21", date(2016, 5, 23), id="lower")],
)
def test_week_parsing(value: str, start: date) -> None:
    assert Week.parse(value).start == start


@pytest.mark.parametrize("value", ["2015-33", "2015-W54", "W33", "2015-W00"])
def test_bad_weeks(value: str) -> None:
    with pytest.raises(WeekError):
        Week.parse(value)


def test_last_complete_week() -> None:
    assert str(Week.last_complete(date(2015, 8, 17))) == "2015-W33"  # a Monday
    assert str(Week.last_complete(date(2015, 8, 16))) == "2015-W32"  # the Sunday ending W33


def test_report_is_written_atomically(tmp_path: Path) -> None:
    target = write_report("# hello\n", tmp_path, "amnesty-2015", Week.parse("2015-W33"))
    assert target == tmp_path / "amnesty-2015" / "2015-W33.md"
    assert target.read_text() == "# hello\n"
    assert [p.name for p in target.parent.iterdir()] == ["2015-W33.md"]


@pytest.mark.parametrize(
    "title",
    [
        pytest.param("Pipes | in | title", id="pipes"),
        pytest.param("Back`ticks` and ``more``", id="backticks"),
        pytest.param("<script>alert(1)</script><img src=x onerror=alert(1)>", id="html"),
        pytest.param("[click](javascript:alert(1)) and ![img](http://evil.example/x.png)", id="links"),
        pytest.param("Line one\n\n# Heading injection\n| a | b |", id="newlines"),
        pytest.param("*bold* _it_ ~~strike~~ &amp; &lt;", id="emphasis-entities"),
    ],
)
def test_hostile_titles_render_as_text(tmp_path: Path, title: str) -> None:
    from markdown_it import MarkdownIt

    path = tmp_path / "w.duckdb"
    url = "http://a.example/hostile"
    write(path, [article_row(url, outlet=title, title=title, published=datetime(2015, 8, 12, tzinfo=UTC))],
          [(url, result("opposed", -0.5, snippet=title, weight=-1.0))])  # fmt: skip
    text = _render(path, "2015-W33")
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    children = [c for t in tokens if t.type == "inline" for c in (t.children or [])]
    links = [c.attrs["href"] for c in children if c.type == "link_open"]
    assert links == [url]  # only the article's own link
    assert [c.attrs["src"] for c in children if c.type == "image"] == ["2015-W33-trend.svg"]  # only our chart
    assert {c.content for c in children if c.type == "html_inline"} <= {"<sub>", "</sub>", "<br>"}
    assert not [t for t in tokens if t.type == "html_block"]
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert not any("Heading injection" in h for h in headings)
    # The link text reads exactly as the title (whitespace collapsed): no emphasis, code, HTML or entity decoding.
    start = next(i for i, c in enumerate(children) if c.type == "link_open" and c.attrs["href"] == url)
    end = next(i for i in range(start, len(children)) if children[i].type == "link_close")
    assert [c.type for c in children[start + 1 : end]] == ["text"] * (end - start - 1)
    assert "".join(c.content for c in children[start + 1 : end]) == " ".join(title.split())


def test_off_topic_articles_are_counted_and_the_first_few_listed(tmp_path: Path) -> None:
    from reports.model import OFF_TOPIC_LISTED

    path = tmp_path / "w.duckdb"
    _fixed_warehouse(path)
    extra = OFF_TOPIC_LISTED + 4
    rows = [
        article_row(f"http://z.example/{i:02d}", outlet="Zeitung", title=f"Harbour news {i:02d}",
                    published=datetime(2015, 8, 13, 10, i, tzinfo=UTC))
        for i in range(extra)
    ]  # fmt: skip
    write(path, rows, [(r.url, result("off_topic", 0.0)) for r in rows])
    report = _report(path, "2015-W33")
    assert report.off_topic == extra + 1  # the fixed warehouse has one off-topic article that week
    assert len(report.off_topic_articles) == OFF_TOPIC_LISTED
    text = render_markdown(report)
    assert f"### Off-topic ({extra + 1}, not counted in the shares)" in text
    assert f"… and {extra + 1 - OFF_TOPIC_LISTED} more: `presswatch sql" in text
    # The query the report prints lists every one of them.
    query = re.search(r'presswatch sql "([^"]+)"', text)
    assert query is not None
    with connect(path, read_only=True) as con:
        assert len(con.execute(query.group(1)).fetchall()) == extra + 1


def test_a_labelled_article_shows_the_evidence_for_its_side_first() -> None:
    from reports.model import EvidenceLine, _deciding

    lines = [
        EvidenceLine("It is overdue.", "overdue", "en.supportive.overdue", 2.25, "own"),
        EvidenceLine("The Swedish model fails.", "Swedish model", "en.opposed.nordic-model", -0.5, "own"),
        EvidenceLine("A betrayal, critics said.", "betrayal", "en.opposed.betrayal", -2.5, "quoted"),
        EvidenceLine("Sex workers agree.", "sex workers", "en.supportive.decriminalise-sex-work", 0.25, "own"),
    ]
    assert [e.weight for e in _deciding(lines, "supportive")[:2]] == [2.25, 0.25]
    assert [e.weight for e in _deciding(lines, "opposed")[:2]] == [-0.5, 2.25]
    assert _deciding(lines, "neutral") == lines


def test_a_malformed_url_is_shown_as_text_not_a_crash() -> None:
    assert markdown.link("Broken link", "http://[::1") == "Broken link"
    assert markdown.url("http://[") == ""


def test_changes_are_shown_only_against_a_week_of_at_least_five() -> None:
    from reports.model import StanceRow
    from reports.render import _percentage_points

    row = StanceRow("supportive", 6, 0.6, 2, 0.4)
    assert _percentage_points(row, 5) == "+20 pp"
    assert _percentage_points(row, 4) == "–"


@pytest.mark.parametrize(
    ("detail", "words"),
    [
        pytest.param("<unknown>:18:38: no element found; 1 entries without a usable http(s) link",
                     "the feed is not well-formed XML and breaks off; the entries before the break were read; "
                     "1 entry could not be read (no usable link)", id="broken-off"),
        pytest.param("3 entries dated in the future; date ignored", "3 entries are dated in the future; their dates "
                     "were ignored; date ignored", id="future"),
        pytest.param("something new", "something new", id="kept"),
    ],
)  # fmt: skip
def test_feed_warnings_in_plain_words(detail: str, words: str) -> None:
    from reports.render import warning_in_words

    assert warning_in_words(detail) == words


def test_the_chart_names_years_across_new_year_totals_its_bars_and_marks_weeks_without_data() -> None:
    from reports.chart import WeekBar, trend_svg

    bars = [WeekBar("2015-W52", {"supportive": 2, "neutral": 1}, collected=True),
            WeekBar("2015-W53", {}, collected=False),
            WeekBar("2016-W01", {}, collected=True),
            WeekBar("2016-W02", {"opposed": 4}, ("A long milestone label that would not fit beside the last week at all",),
                    current=True, collected=True)]  # fmt: skip
    svg = trend_svg(bars, "t")
    assert ">2015</text>" in svg and ">2016</text>" in svg
    assert svg.count("no data</text>") == 1  # W53: nothing stored; W01: stored, none relevant
    assert ">3</text>" in svg and ">4</text>" in svg  # totals above the bars
    assert "<title>A long milestone label that would not fit beside the last week at all</title>" in svg
    single_year = trend_svg([WeekBar("2015-W30", {"neutral": 1})], "t")
    assert ">2015</text>" not in single_year


def test_shards_whose_last_run_failed_are_named_in_data_quality(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    _fixed_warehouse(path)
    early, late = datetime(2015, 8, 17, 9, tzinfo=UTC), datetime(2015, 8, 17, 10, tzinfo=UTC)
    with connect(path) as con:
        for run_id, shard, at, status, summary in [
            ("old-n", "1/2", early, "failed", {"error": "an earlier shard count"}),  # N was 2: history
            ("a1", "1/3", early, "completed", {}),
            ("a2", "1/3", late, "failed", {"error": "interrupted: the process ended before the run finished"}),
            ("b1", "2/3", early, "failed", {"error": "OSError: disk full"}),
            ("b2", "2/3", late, "completed", {}),  # failed, then finished by its next run: fine
            ("c1", "3/3", late, "completed", {}),
        ]:
            store.start_run(con, run_id, "ingest", at, shard)
            store.finish_run(con, run_id, at, status, summary)
    text = _render(path, "2015-W33")
    assert "**Shards whose last run failed**" in text
    assert (
        "| 1/3 | 2015-08-17 10:00 UTC | interrupted: the process ended before the run finished | 2015-08-17 09:00 UTC |"
        in text
    )
    assert "2/3 |" not in text and "1/2 |" not in text and "3/3 |" not in text
    _fixed_warehouse(tmp_path / "plain.duckdb")
    assert "Shards whose" not in _render(tmp_path / "plain.duckdb", "2015-W33")  # no shards: no section
