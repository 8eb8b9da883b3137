"""Schema 8 re-keys a warehouse built with the old canonical URLs (tests/urls_v7.py) to this release's rules."""

from __future__ import annotations

import logging
import zlib
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

import extractors.feeds
from extractors.feeds import parse_feed
from extractors.types import Article, FetchResult
from extractors.urls import canonicalize_url
from flows import pipeline, writes
from stance.model import StanceResult, Voice
from tests import urls_v7
from tests.builders import result, warehouse_at_version
from warehouse import db, store
from warehouse.db import connect, migration_files, schema_version
from warehouse.keys import build_rekey_map
from warehouse.rows import PageRow

SITE = "http://news.example"
FEED_URL = f"{SITE}/feed.rss?rss&ref=home"  # a feed URL is kept as configured, never canonicalised
T0 = datetime(2015, 8, 11, 9, 0, tzinfo=UTC)
T1 = T0 + timedelta(days=1)
TOPIC = "amnesty-2015"

# name: (link as the feed writes it, key under the old rules, key now, discovered at, fetched with text)
ARTICLES: dict[str, tuple[str, str, str, datetime, bool]] = {
    "slash": (f"{SITE}/news/a%2Fb.html", f"{SITE}/news/a/b.html", f"{SITE}/news/a%2Fb.html", T0, True),
    "dots": (f"{SITE}/news/x/../story.html?utm_source=rss", f"{SITE}/news/x/../story.html",
             f"{SITE}/news/story.html", T0, True),
    "story": (f"{SITE}/news/story.html", f"{SITE}/news/story.html", f"{SITE}/news/story.html", T1, True),
    "amp": (f"{SITE}/live?amp", f"{SITE}/live?amp=", f"{SITE}/live?amp", T0, True),
    "ref": (f"{SITE}/p?id=3&ref=rss", f"{SITE}/p?id=3", f"{SITE}/p?id=3&ref=rss", T0, True),
    "plain": (f"{SITE}/plain.html", f"{SITE}/plain.html", f"{SITE}/plain.html", T1, True),
    "latin1": (f"{SITE}/caf%e9.html", f"{SITE}/caf%EF%BF%BD.html", f"{SITE}/caf%E9.html", T0, True),
    "tilde-dot": (f"{SITE}/%7Euser/./page", f"{SITE}/~user/./page", f"{SITE}/~user/page", T0, False),
    "tilde": (f"{SITE}/~user/page", f"{SITE}/~user/page", f"{SITE}/~user/page", T1, True),
    # Its new key is the old key of "ref", which moves on: a chain, not a meeting.
    "chain": (f"{SITE}/q/../p?id=3", f"{SITE}/q/../p?id=3", f"{SITE}/p?id=3", T0, True),
}  # fmt: skip
# Where two old keys meet, the article with text survives, then the one discovered first.
GAVE_WAY = {"story", "tilde-dot"}
# Wire copies: the copy's text is the origin's with a byline, and its story is the origin's (old) key.
COPY_OF = {"plain": "slash", "tilde": "dots"}
ORPHAN_SKETCH = ("http://gone.example/a/./x", "http://gone.example/a/x")
ORPHAN_PAGE = (f"{SITE}/orphan/../lost.html", f"{SITE}/lost.html")


def _text(name: str) -> str:
    origin = COPY_OF.get(name, name)
    words = " ".join(f"{origin}{k}w{k * 7 % 13}" for k in range(150))
    return f"Reuters. {words}" if name in COPY_OF else words


def _feed(names: list[str]) -> bytes:
    items = "".join(
        f"<item><title>{name}</title><link>{ARTICLES[name][0].replace('&', '&amp;')}</link>"
        f"<pubDate>Tue, 11 Aug 2015 08:00:00 GMT</pubDate></item>"
        for name in names
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Harbour Ledger</title>{items}</channel></rss>'.encode()


def _score(name: str) -> float:
    return round(0.05 * (list(ARTICLES).index(name) + 1), 2)


def _result(name: str) -> StanceResult:
    """A classification with one evidence row and one voice, told apart by its score."""
    voice = Voice("Amnesty International", "supportive", 1, f"{name} quotes Amnesty.")
    return result("supportive", _score(name), snippet=f"welcome {name}", weight=1.0, voices=(voice,))


def _build_version_7(path: Path) -> None:
    """Two ingests as presswatch 7 made them, through the real feed parser and store functions: discovery, fetched
    pages and their text, wire copies, raw pages, classifications; then human labels as `presswatch label` writes
    them, and rows without an article (a killed run's page, another tool's sketch values)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(extractors.feeds, "canonicalize_url", urls_v7.canonicalize_url)  # feeds read the old way
        _ingest_version_7(warehouse_at_version(path, 7))


def _ingest_version_7(con: duckdb.DuckDBPyConnection) -> None:
    for at in (T0, T1):
        names = [name for name, spec in ARTICLES.items() if spec[3] == at]
        parsed = parse_feed(_feed(names), FEED_URL, "application/rss+xml", now=T1 + timedelta(days=1))
        assert [e.url for e in parsed.entries] == [ARTICLES[n][1] for n in names]  # keyed the old way
        outcome = store.FeedOutcome(FEED_URL, "Harbour Ledger", "ok", 200, entries=len(names))
        with store.transaction(con):
            store.record_feed_outcomes(con, f"run-{at:%d}", at, [outcome])
            store.add_discovered(con, pipeline.discovered_rows(parsed.entries, {FEED_URL: "Harbour Ledger"}, at))
        fetched = []
        for row in store.pending_articles(con, limit=100):
            name = row.feed_title or ""
            if not ARTICLES[name][4]:
                continue
            body = f"<html><body><p>{_text(name)}</p></body></html>".encode()
            page = pipeline.apply_fetch(row, FetchResult(row.link, row.link, 200, "text/html", body), at)
            row = pipeline.apply_extraction(page.row, Article(row.url, "ok", text=_text(name), title=name))
            fetched.append(replace(page, row=pipeline.with_sketch(row)))
        with store.transaction(con):
            store.save_pages(con, pipeline.page_rows(fetched))
        with store.transaction(con):
            writes.write_articles(con, [article.row for article in fetched])
            store.save_classifications(con, [(a.row.url, _result(a.row.feed_title or "")) for a in fetched], at)
    key = {name: spec[1] for name, spec in ARTICLES.items()}
    labels = [
        (key["dots"], TOPIC, "supportive", T1),
        (key["story"], TOPIC, "opposed", T1 + timedelta(hours=1)),  # the later label of the two that meet
        (key["story"], "other-topic", "neutral", T1),
        (key["tilde-dot"], TOPIC, "neutral", T1),  # on the row that gives way: kept all the same
        (key["ref"], TOPIC, "opposed", T1),
        (key["chain"], TOPIC, "supportive", T1),
        (key["slash"], TOPIC, "supportive", T1),
    ]
    con.executemany("INSERT OR REPLACE INTO labels VALUES (?, ?, ?, 'checked', ?, 'tester')", labels)
    con.executemany("INSERT INTO sketches VALUES (?, ?, ?)", [[ORPHAN_SKETCH[0], h, T0] for h in range(3)])
    with store.transaction(con):
        store.save_pages(con, [PageRow(url=ORPHAN_PAGE[0], fetched_at=T1, content_type="text/html",
                                       compression="zlib", bytes=5, body=zlib.compress(b"lost!"))])  # fmt: skip
    con.close()


def _snapshot(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[Any, ...]]]:
    tables = ("articles", "classifications", "evidence", "voices", "labels", "sketches", "raw.pages", "feeds",
              "feed_fetches", "url_rekeys", "schema_migrations")  # fmt: skip
    return {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in tables}


def test_a_version_7_warehouse_is_rekeyed_to_the_new_canonical_urls(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "old.duckdb"
    _build_version_7(path)
    with duckdb.connect(str(path)) as con:
        before = {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in ("articles", "labels")}
        old_story = dict(con.execute("SELECT url, story_id FROM articles").fetchall())
        old_sketches = con.execute("SELECT url, h FROM sketches ORDER BY rowid").fetchall()
    assert before == {"articles": 10, "labels": 7}
    name_of_old = {spec[1]: name for name, spec in ARTICLES.items()}
    assert old_story[ARTICLES["plain"][1]] == ARTICLES["slash"][1]  # wire copies found under the old keys
    assert old_story[ARTICLES["tilde"][1]] == ARTICLES["dots"][1]

    with caplog.at_level(logging.INFO, logger="presswatch"), connect(path) as con:
        assert schema_version(con) == migration_files()[-1][0] >= 8
        recorded = con.execute("SELECT name FROM schema_migrations WHERE version = 8").fetchall()
        assert recorded == [("008_canonical_urls.sql",)]
        assert con.execute("SELECT version FROM raw.page_migrations").fetchall() == [(8,)]
        assert "warehouse schema 8 applied (008_canonical_urls.sql)" in caplog.messages
        assert "schema 8: 11 stored keys change or meet another; 2 give way to the key they meet" in caplog.messages
        articles = {row[0]: row[1:] for row in con.execute("SELECT url, link, feed_title, story_id, text, feed_url FROM articles").fetchall()}  # fmt: skip
        # Row counts: all kept but the two that met a better-ranked row; each key is the new form of its link.
        survivors = {name: spec for name, spec in ARTICLES.items() if name not in GAVE_WAY}
        assert sorted(articles) == sorted(spec[2] for spec in survivors.values())
        assert {articles[spec[2]][1] for spec in survivors.values()} == set(survivors)  # the surviving rows
        for url, (link, _title, story, _body, feed_url) in articles.items():
            assert url == canonicalize_url(link) == canonicalize_url(url)
            assert story is None or story in articles
            assert feed_url == FEED_URL
        new = {name: spec[2] for name, spec in ARTICLES.items()}
        assert articles[new["plain"]][2] == new["slash"]  # the story is named by its origin's new key
        assert articles[new["tilde"]][2] == new["dots"]
        assert articles[new["tilde"]][3] == _text("tilde")  # the row with text won over the one discovered first

        # Classifications, evidence and voices: the survivors' own ("dots" kept its own, "story"'s went).
        classified = {new[n]: _score(n) for n in survivors if ARTICLES[n][4]}
        assert dict(con.execute("SELECT url, score FROM classifications").fetchall()) == classified
        evidence = con.execute("SELECT url, snippet FROM evidence").fetchall()
        assert sorted(evidence) == sorted((new[n], f"welcome {n}") for n in survivors if ARTICLES[n][4])
        assert sorted(con.execute("SELECT url, snippet FROM voices").fetchall()) == sorted(
            (new[n], f"{n} quotes Amnesty.") for n in survivors if ARTICLES[n][4]
        )
        for table in ("evidence", "voices", "sketches", "raw.pages", "labels"):
            keys = {r[0] for r in con.execute(f"SELECT DISTINCT url FROM {table}").fetchall()}
            assert all(canonicalize_url(k) == k for k in keys), table
            assert keys <= set(articles) | {ORPHAN_SKETCH[1], ORPHAN_PAGE[1]}, table
        assert con.execute("SELECT url FROM sketches WHERE url LIKE 'http://gone%' GROUP BY url").fetchall() == [
            (ORPHAN_SKETCH[1],)
        ]
        # Updated in place: still in the order they were appended (story lookups skip row groups by it).
        new_of_old = {spec[1]: spec[2] for name, spec in ARTICLES.items() if name not in GAVE_WAY}
        new_of_old[ORPHAN_SKETCH[0]] = ORPHAN_SKETCH[1]
        assert con.execute("SELECT url, h FROM sketches ORDER BY rowid").fetchall() == [
            (new_of_old[url], h) for url, h in old_sketches if url in new_of_old
        ]
        assert any(url == ARTICLES["story"][1] for url, _h in old_sketches)  # the values of a row that gave way

        # Human labels: those of a row that gave way move to the survivor; where two met, the most recent per topic.
        labels = sorted(con.execute("SELECT url, topic, stance FROM labels").fetchall())
        assert labels == sorted([
            (new["story"], TOPIC, "opposed"), (new["story"], "other-topic", "neutral"),
            (new["tilde"], TOPIC, "neutral"), (new["ref"], TOPIC, "opposed"), (new["chain"], TOPIC, "supportive"),
            (new["slash"], TOPIC, "supportive"),
        ])  # fmt: skip

        pages = dict(con.execute("SELECT url, body FROM pages").fetchall())
        assert set(pages) == {new[n] for n in survivors if ARTICLES[n][4]} | {ORPHAN_PAGE[1]}
        for name in survivors:
            if ARTICLES[name][4]:
                assert _text(name) in zlib.decompress(pages[new[name]]).decode(), name

        rekeys = {r[0]: r[1:] for r in con.execute("SELECT old_url, new_url, kept FROM url_rekeys").fetchall()}
        assert rekeys[ARTICLES["story"][1]] == (new["story"], False)
        assert rekeys[ARTICLES["dots"][1]] == (new["dots"], True)
        assert rekeys[ARTICLES["tilde-dot"][1]] == (new["tilde"], False)
        assert ARTICLES["plain"][1] not in rekeys  # unchanged and met by nothing
        assert {name_of_old.get(old, old) for old in rekeys} == {
            "slash", "dots", "story", "amp", "ref", "latin1", "tilde-dot", "tilde", "chain", *ORPHAN_SKETCH[:1],
            ORPHAN_PAGE[0],
        }  # fmt: skip

        # The views read the re-keyed rows.
        coverage = {r[0]: r[1:] for r in con.execute("SELECT url, stance, story_id FROM coverage").fetchall()}
        assert coverage[new["story"]] == ("opposed", new["dots"])
        assert len(coverage) == len(survivors) == 8
        stories = dict(con.execute("SELECT story_id, placements FROM stories").fetchall())
        assert stories[new["dots"]] == 2 and stories[new["slash"]] == 2
        for table, key in (("articles", "url"), ("labels", "url, topic"), ("classifications", "url, topic")):
            assert con.execute(f"SELECT count(*) = count(DISTINCT ({key})) FROM {table}").fetchall() == [(True,)]
        for view in ("stories", "current_evidence", "voices_quoted", "weekly_stance", "outlet_weeks",
                     "article_problems", "feed_health", "run_history"):  # fmt: skip
            con.execute(f"SELECT * FROM {view}").fetchall()
        assert con.execute("SELECT url FROM feeds").fetchall() == [(FEED_URL,)]
        first = _snapshot(con)
        assert build_rekey_map(con) == 0  # nothing left to re-key

    with connect(path) as con:  # a second open changes nothing
        assert _snapshot(con) == first

    # The feed read again with the new rules finds only what it stored.
    parsed = parse_feed(_feed(list(ARTICLES)), FEED_URL, now=T1 + timedelta(days=1))
    with connect(path) as con:
        assert store.add_discovered(con, pipeline.discovered_rows(parsed.entries, {}, T1 + timedelta(days=1))) == 0


def test_the_migration_cut_short_after_moving_the_pages_is_finished_by_the_next_open(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The raw pages move in a transaction of their own: when the rest fails, the next open must not move them
    again (the "ref" article's page, moved to its new key, sits where "chain"'s old key pointed)."""
    path = tmp_path / "old.duckdb"
    _build_version_7(path)
    files = migration_files()
    # Up to schema 8, its SQL failing after the pages moved.
    upto = [f for f in files if f[0] <= 8]
    broken = (*upto[:-1], (8, upto[-1][1], upto[-1][2] + "\nSELECT error('cut short');"))
    monkeypatch.setattr(db, "migration_files", lambda: broken)
    with pytest.raises(duckdb.Error, match="cut short"), connect(path):
        pass
    monkeypatch.setattr(db, "migration_files", lambda: files)
    with duckdb.connect(str(path)) as con:
        assert con.execute("SELECT max(version) FROM schema_migrations").fetchall() == [(7,)]
    with connect(path) as con:
        assert schema_version(con) == files[-1][0]
        pages = dict(con.execute("SELECT url, body FROM pages").fetchall())
        articles = dict(con.execute("SELECT url, feed_title FROM articles").fetchall())
    for url, name in articles.items():
        if ARTICLES[name][4]:
            assert _text(name) in zlib.decompress(pages[url]).decode(), name
