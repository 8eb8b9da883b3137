"""The warehouse's row types (warehouse/rows.py): their fields are the tables' columns, and what the stages write
through them reads back unchanged, on a real DuckDB file and on PostgreSQL."""

from __future__ import annotations

import pickle
import zlib
from collections.abc import Iterator
from dataclasses import fields, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, get_args

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractors.types import FeedEntry, FetchResult
from flows import pipeline
from warehouse import store
from warehouse.db import PAGES_ALIAS, connect
from warehouse.rows import ARTICLE_COLUMNS, PAGE_COLUMNS, ArticleRow, DateSource, FetchStatus, PageRow, TextSource

T0 = datetime(2015, 8, 11, 9, 30, 15, 123456, tzinfo=UTC)


def test_the_row_types_name_the_tables_columns(tmp_path: Path) -> None:
    with connect(tmp_path / "w.duckdb") as con:
        columns = {
            table: tuple(row[0] for row in con.execute(f"DESCRIBE {table}").fetchall())  # our own table names
            for table in ("articles", f"{PAGES_ALIAS}.pages")
        }
    assert columns == {"articles": ARTICLE_COLUMNS, f"{PAGES_ALIAS}.pages": PAGE_COLUMNS}


# --- any article and page read back as written (DuckDB) ------------------------------------------------------------

_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)  # Arrow strings are valid UTF-8
_WHEN = st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2099, 12, 31), timezones=st.just(UTC))
_INT32 = st.integers(-(2**31), 2**31 - 1)
# A strategy per annotation of a field of ArticleRow: a field of a new type makes the test say so (KeyError).
_BY_TYPE: dict[str, st.SearchStrategy[Any]] = {
    "str": _TEXT,
    "int": _INT32,
    "datetime": _WHEN,
    "tuple[int, ...]": st.lists(st.integers(0, 2**63 - 1), max_size=8).map(tuple),  # as dedupe.sketch makes them
    "FetchStatus": st.sampled_from(get_args(FetchStatus)),
    "DateSource": st.sampled_from(get_args(DateSource)),
    "TextSource": st.sampled_from(get_args(TextSource)),
}
# Columns whose values the schema constrains beyond their type.
_BY_NAME = {"extract_status": st.sampled_from(["ok", "too_short", "empty"])}


def _strategy(name: str, annotation: str) -> st.SearchStrategy[Any]:
    base, optional = annotation.removesuffix(" | None"), annotation.endswith(" | None")
    values = _BY_NAME.get(name, _BY_TYPE[base])
    return st.none() | values if optional else values


_ARTICLE = st.builds(
    ArticleRow, **{f.name: _strategy(f.name, str(f.type)) for f in fields(ArticleRow) if f.name != "url"}
)


@st.composite
def _batches(draw: st.DrawFn) -> list[tuple[ArticleRow, PageRow]]:
    urls = draw(st.lists(_TEXT.filter(bool), min_size=1, max_size=4, unique=True))  # keys: never empty
    batch = []
    for url in urls:
        row = replace(draw(_ARTICLE), url=url)
        body = draw(st.binary(max_size=200))
        page = PageRow(url=url, fetched_at=draw(_WHEN), content_type=draw(st.none() | _TEXT), compression="zlib",
                       bytes=draw(_INT32), body=body)  # fmt: skip
        batch.append((row, page))
    return batch


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    with connect(tmp_path_factory.mktemp("rows") / "w.duckdb") as con:
        yield con


@settings(max_examples=40, deadline=None)
@given(_batches())
def test_any_article_and_page_read_back_as_written(
    warehouse: duckdb.DuckDBPyConnection, batch: list[tuple[ArticleRow, PageRow]]
) -> None:
    con = warehouse
    con.execute("DELETE FROM articles")
    con.execute(f"DELETE FROM {PAGES_ALIAS}.pages")
    with store.transaction(con):
        store.save_articles(con, [row for row, _ in batch])
    with store.transaction(con):
        store.save_pages(con, [page for _, page in batch])
    stored = store.stored_pages(con, "", limit=10)
    written = sorted(batch, key=lambda pair: pair[0].url)
    assert [(s.article, s.compression, s.body) for s in stored] == [
        (row, page.compression, page.body) for row, page in written
    ]
    cursor = con.execute(f"SELECT {', '.join(PAGE_COLUMNS)} FROM pages ORDER BY url")
    assert [PageRow(**dict(zip(PAGE_COLUMNS, row, strict=True))) for row in cursor.fetchall()] == [
        page for _, page in written
    ]


# --- an ingest's rows through both engines -----------------------------------------------------------------------


@pytest.fixture(params=["duckdb", "postgres"])
def location(request: pytest.FixtureRequest, tmp_path: Path) -> Path | str:
    if request.param == "postgres":
        return str(request.getfixturevalue("pg_url"))
    return tmp_path / "w.duckdb"


def test_an_articles_stages_read_back_as_written(location: Path | str) -> None:
    """Discovered, then fetched with its page, extracted and sketched: each stage's row is the one read back."""
    entry = FeedEntry("http://news.example/feed.rss", "http://news.example/a?utm_source=rss", "http://news.example/a",
                      title="Amnesty votes", summary="The council met.", published_at=T0, author="A. Writer")  # fmt: skip
    discovered = pipeline.discovered_rows([entry], {entry.feed_url: "News"}, T0 + timedelta(hours=1))
    body = b"<html><body><p>" + b"Delegates voted in Dublin on the policy. " * 20 + b"</p></body></html>"
    with connect(location) as con:
        store.add_discovered(con, discovered)
        assert store.pending_articles(con, limit=10) == discovered
        fetched = pipeline.apply_fetch(
            discovered[0], FetchResult(entry.link, entry.link, 200, "text/html; charset=utf-8", body), T0
        )
        [done], _results, _seconds = pipeline.process_fetched([fetched], [], keep_html=True)
        assert done.body == b"" and done.page is not None and done.row.sketch
        store.atomically(con, lambda: store.save_pages(con, [done.page]))
        store.atomically(con, lambda: store.save_articles(con, [done.row]))
        [stored] = store.stored_pages(con, "", limit=10)
    assert stored.article == done.row and zlib.decompress(stored.body) == body
    assert pipeline.stored_page(stored).body == body


def test_an_article_in_flight_crosses_to_a_pool_worker_whole() -> None:
    row = ArticleRow(url="u", link="l", feed_url="f", host="h", discovered_at=T0, fetch_status="fetched",
                     sketch=(1, 2, 3))  # fmt: skip
    article = pipeline.ArticleInFlight(row, b"<p>page</p>", "text/html")
    assert pickle.loads(pickle.dumps(article)) == article
