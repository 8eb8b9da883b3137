"""End to end: a loopback news site -> the ingest flow (real Prefect runs) -> a real DuckDB file -> a report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from flows.settings import Settings, load_settings
from tests.builders import loopback_settings
from tests.loopback import LoopbackServer
from warehouse.db import connect


def _snapshot(path: Path) -> dict[str, Any]:
    with connect(path, read_only=True) as con:
        return {
            table: con.execute(f"select count(*) from {table}").fetchall()[0][0]
            for table in ("articles", "classifications", "evidence", "voices", "feeds")
        } | {"urls": [r[0] for r in con.execute("select url from articles order by url").fetchall()]}


def _articles(path: Path) -> dict[str, dict[str, Any]]:
    with connect(path, read_only=True) as con:
        cursor = con.execute("select * from articles")
        names = [d[0] for d in cursor.description]
        return {row[0].rsplit("/", 1)[-1]: dict(zip(names, row, strict=True)) for row in cursor.fetchall()}


def _check_first_run(settings: Settings, summary: dict[str, Any]) -> None:
    assert summary["feeds_ok"] == 2 and summary["feeds_failed"] == 2
    assert summary["entries_new"] == 7  # 6 in the RSS feed, 2 in Atom, 1 of them shared
    articles = _articles(settings.warehouse_path)
    assert set(articles) == {
        "amnesty-vote.html", "support.html", "harbour.html", "members.html", "gone.html", "papers.pdf", "teaser.html",
    }  # fmt: skip
    assert articles["members.html"]["fetch_error"] == "robots_disallowed"
    assert articles["gone.html"]["fetch_error"] == "http_404"
    assert articles["papers.pdf"]["fetch_error"] == "not_html"
    teaser = articles["teaser.html"]
    assert teaser["extract_status"] == "too_short" and teaser["text_source"] == "feed_summary"
    assert "Belfast" in teaser["text"]
    vote = articles["amnesty-vote.html"]
    assert vote["outlet"] == "Harbour Ledger" and vote["language"] == "en" and vote["date_source"] == "feed"
    assert vote["link"].endswith("?utm_source=rss&utm_medium=feed")
    assert "betrayal of women" not in vote["text"]  # the comment section stayed out
    with connect(settings.warehouse_path, read_only=True) as con:
        stances = dict(con.execute("select url, stance from coverage").fetchall())
        feeds = dict(con.execute("select url, last_error from feeds").fetchall())
    assert len(stances) == 4
    assert stances[vote["url"]] != "off_topic"
    assert stances[articles["harbour.html"]["url"]] == "off_topic"
    assert stances[articles["support.html"]["url"]] == "supportive"
    assert feeds[settings.feeds[2].url] == "malformed_feed"
    assert feeds[settings.feeds[3].url] == "http_404"


def test_ingest_without_prefect_then_again_adds_nothing(tmp_path: Path, server: LoopbackServer) -> None:
    from flows.ingest import run_ingest

    settings = loopback_settings(tmp_path, server)
    from dataclasses import asdict

    _check_first_run(settings, asdict(run_ingest(settings, orchestrated=False)))
    before = _snapshot(settings.warehouse_path)
    again = asdict(run_ingest(settings, orchestrated=False))
    assert again["entries_new"] == 0 and again["articles_classified"] == 0
    assert again["feeds_unchanged"] == 2  # no validators from this server: the body hash says "same"
    assert _snapshot(settings.warehouse_path) == before


@pytest.mark.flow
def test_ingest_flow_under_prefect_and_weekly_report(
    tmp_path: Path, server: LoopbackServer, prefect_harness: None
) -> None:
    from flows.ingest import ingest_flow
    from flows.weekly_report_flow import weekly_report_flow

    settings = loopback_settings(tmp_path, server)
    _check_first_run(settings, ingest_flow(str(settings.config_path)))
    before = _snapshot(settings.warehouse_path)
    again = ingest_flow(str(settings.config_path))
    assert again["entries_new"] == 0
    assert _snapshot(settings.warehouse_path) == before

    paths = weekly_report_flow(str(settings.config_path), "2015-W33")
    report = Path(paths[0]).read_text(encoding="utf-8")
    assert paths[0].endswith("amnesty-2015/2015-W33.md")
    assert "Harbour Ledger" in report
    assert "robots\\_disallowed" in report and "not\\_html" in report and "malformed\\_feed" in report


def test_reextract_rebuilds_text_from_stored_pages_without_fetching(tmp_path: Path, server: LoopbackServer) -> None:
    from flows.ingest import run_ingest
    from flows.pipeline import load_rulesets
    from flows.stored import reextract_stored

    settings = loopback_settings(tmp_path, server)
    run_ingest(settings, orchestrated=False)
    with connect(settings.warehouse_path) as con:
        pages = con.execute("select count(*), sum(bytes), sum(octet_length(body)) from pages").fetchall()[0]
        before = con.execute("select url, text, story_id from articles where text is not null order by url").fetchall()
        con.execute("update articles set text = 'damaged' where text is not null")
    assert pages[0] == 4 and pages[2] < pages[1]  # the four fetched pages, compressed
    requests_before = len(server.log)
    assert reextract_stored(settings.warehouse_path, load_rulesets(settings)) == 4
    assert len(server.log) == requests_before
    with connect(settings.warehouse_path, read_only=True) as con:
        after = con.execute("select url, text, story_id from articles where text is not null order by url").fetchall()
    assert after == before


def test_a_feed_assigned_to_a_topic_is_classified_for_that_topic_only(tmp_path: Path, server: LoopbackServer) -> None:
    """Two topics at once: the articles of a feed limited to one topic get no classification (so no off-topic row
    in the other topic's report) for the other; an unassigned feed's articles are classified for both."""
    from flows.ingest import run_ingest
    from flows.pipeline import load_rulesets
    from flows.stored import classify_stored

    rules = Path(__file__).resolve().parent.parent / "topics" / "amnesty-2015.toml"
    topics = tmp_path / "topics"
    topics.mkdir()
    (topics / "second.toml").write_text(rules.read_text(encoding="utf-8"), encoding="utf-8")
    config = tmp_path / "presswatch.toml"
    config.write_text(
        "\n".join([
            "[warehouse]", 'path = "pw.duckdb"', "[topics]", 'enabled = ["amnesty-2015", "second"]', 'dir = "topics"',
            "[fetch]", "allow_private_networks = true", "per_host_delay_s = 0.0", "timeout_s = 5.0",
            "[[feeds]]", f'url = "{server.url("/feed.rss")}"', 'topics = ["amnesty-2015"]',
            "[[feeds]]", f'url = "{server.url("/feed.atom")}"',
        ]) + "\n", encoding="utf-8",
    )  # fmt: skip
    settings = load_settings(config)
    run_ingest(settings, orchestrated=False)

    def topics_by_url() -> dict[str, set[str]]:
        with connect(settings.warehouse_path, read_only=True) as con:
            rows = con.execute(
                "select a.feed_url, c.topic from classifications c join articles a using (url)"
            ).fetchall()
        found: dict[str, set[str]] = {}
        for feed, topic in rows:
            found.setdefault(feed, set()).add(topic)
        return found

    assert topics_by_url() == {
        server.url("/feed.rss"): {"amnesty-2015"},
        server.url("/feed.atom"): {"amnesty-2015", "second"},
    }
    classify_stored(settings.warehouse_path, load_rulesets(settings), force=True, feed_topics=settings.feed_topics())
    assert topics_by_url()[server.url("/feed.rss")] == {"amnesty-2015"}  # reclassify keeps the assignment


def test_a_feed_may_only_name_enabled_topics(tmp_path: Path) -> None:
    from flows.errors import ConfigError

    config = tmp_path / "presswatch.toml"
    config.write_text('[[feeds]]\nurl = "https://a.example/rss"\ntopics = ["nope"]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"feeds\[0\]\.topics: nope not among \[topics\] enabled"):
        load_settings(config)
