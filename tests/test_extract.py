from __future__ import annotations

import time

import pytest

from extractors.extract import extract_article, extract_many, page_language
from tests.conftest import FIXTURES

URL = "http://news.example/news/amnesty-vote.html"


def _page(path: str) -> bytes:
    return (FIXTURES / "site" / path).read_text(encoding="utf-8").replace("__BASE__", "http://news.example").encode()


def test_main_text_and_metadata() -> None:
    article = extract_article(_page("news/amnesty-vote.html"), URL)
    assert article.status == "ok"
    assert article.title == "Amnesty delegates back decriminalisation of sex work"
    assert article.site_name == "Harbour Ledger"
    assert article.author == "Maeve Lorcan"
    assert article.published_date == "2015-08-11"
    assert article.language == "en"
    assert "International Council Meeting" in article.text
    assert article.word_count > 150


@pytest.mark.parametrize(
    "boilerplate",
    [
        pytest.param("betrayal of women", id="comments"),
        pytest.param("Accept all cookies", id="cookie-banner"),
        pytest.param("Ferry timetable", id="related-links"),
        pytest.param("All rights reserved", id="footer"),
        pytest.param("Weather", id="navigation"),
    ],
)
def test_boilerplate_is_left_out(boilerplate: str) -> None:
    article = extract_article(_page("news/amnesty-vote.html"), URL)
    assert boilerplate not in article.text


def test_teaser_is_too_short() -> None:
    article = extract_article(_page("news/teaser.html"), URL)
    assert article.status == "too_short"
    assert "minimum" in article.detail


@pytest.mark.parametrize(
    "html",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b"<html><body></body></html>", id="no-body-text"),
        pytest.param(b"\x00\xff\xfe garbage \x89PNG", id="binary"),
    ],
)
def test_pages_without_text_are_empty_not_errors(html: bytes) -> None:
    article = extract_article(html, URL)
    assert article.status == "empty"
    assert article.text == ""


@pytest.mark.parametrize(
    ("html", "language"),
    [
        pytest.param(b'<html lang="de-DE"><body>', "de", id="html-lang-region"),
        pytest.param(b"<html xml:lang='fr' lang='fr'>", "fr", id="xml-lang"),
        pytest.param(b'<html><head><meta http-equiv="content-language" content="sv">', "sv", id="meta"),
        pytest.param(b'<html><head><meta property="og:locale" content="es_ES">', "es", id="og-locale"),
        pytest.param(b"<html><body>", None, id="none"),
    ],
)
def test_page_language(html: bytes, language: str | None) -> None:
    assert page_language(html) == language


def test_extract_many_keeps_order_in_a_process_pool() -> None:
    pages = [(_page("news/amnesty-vote.html"), "a"), (_page("misc/harbour.html"), "b")] * 3
    serial = extract_many(pages, workers=1)
    pooled = extract_many(pages, workers=2, pool_min_pages=1)
    assert [a.url for a in pooled] == ["a", "b"] * 3
    assert [a.text for a in pooled] == [a.text for a in serial]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        pytest.param("one two  three\nfour", 4, id="spaces"),
        pytest.param("国际特赦组织投票支持性工作非刑事化", 8, id="chinese"),
        pytest.param("Amnesty 国际特赦 vote", 4, id="mixed"),
        pytest.param("", 0, id="empty"),
    ],
)
def test_word_count_handles_scripts_without_spaces(text: str, words: int) -> None:
    from extractors.extract import word_count

    assert word_count(text) == words


def test_a_pool_not_waited_for_starts_its_workers_at_once() -> None:
    import multiprocessing

    from extractors.extract import ExtractionPool

    before = len(multiprocessing.active_children())
    with ExtractionPool(2, wait=False):
        deadline = time.monotonic() + 30
        while len(multiprocessing.active_children()) < before + 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(multiprocessing.active_children()) >= before + 2  # no task was submitted


def test_a_warm_pool_is_reused_across_batches() -> None:
    from extractors.extract import ExtractionPool

    pages = [
        (_page("news/amnesty-vote.html"), "a"),
        (_page("misc/harbour.html"), "b"),
        (_page("news/teaser.html"), "c"),
    ]
    serial = [a.text for a in extract_many(pages, workers=1)]
    with ExtractionPool(2) as pool:
        first = extract_many(pages, pool=pool)
        second = extract_many(list(reversed(pages)), pool=pool)
    assert [a.text for a in first] == serial
    assert [a.url for a in second] == ["c", "b", "a"]
    assert [a.status for a in first] == ["ok", "ok", "too_short"]
