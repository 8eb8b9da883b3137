"""The benchmarks' own machinery: skipped is never met, one set of trafilatura options, the extraction benchmark's
pipeline check, the feed benchmark's judge, records and the docs tables generated from them. No corpus under
../shared is needed (cases are written here), and nothing here times anything."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bench import docs
from bench.__main__ import fresh_results, summarise
from bench.common import Result
from bench.feeds import Case, judge
from bench.records import RESULTS, read_records, record_results, write_record
from extractors.extract import TRAFILATURA_OPTIONS
from extractors.reasons import Reason
from extractors.types import FeedEntry, FetchResult, ParsedFeed

PAGE = (
    b"<html lang='en'><head><title>A page</title></head><body><article><h1>A page</h1>"
    + b"<p>This sentence is here so that the extractor finds some main text on the page.</p>" * 12
    + b"</article></body></html>"
)


# --- skipped is never met -------------------------------------------------------------------------------------


def test_a_result_is_skipped_exactly_when_it_has_no_verdict() -> None:
    assert Result.skip("x", "no corpus").verdict == "skipped"
    assert Result("x", "1", ">= 1", "-", True).verdict == "pass"
    with pytest.raises(ValueError):
        Result("x", "1", ">= 1", "-", None)
    with pytest.raises(ValueError):
        Result("x", "1", ">= 1", "-", True, skipped="why")


@pytest.mark.parametrize(
    ("results", "failures", "last", "code"),
    [
        pytest.param([Result("a", "1", "1", "-", True)], [], "Every target met.", 0, id="all-met"),
        pytest.param(
            [Result("a", "1", "1", "-", True), Result.skip("b", "no corpus")],
            [],
            "1 targets met, none missed, 1 skipped.",
            0,
            id="one-skipped",
        ),
        pytest.param(
            [Result.skip("b", "no corpus")], [], "0 targets met, none missed, 1 skipped.", 0, id="all-skipped"
        ),
        pytest.param([Result("a", "1", "2", "-", False)], [], "Missed: a", 1, id="missed"),
        pytest.param([], ["bench.x (exit 2)"], "Missed: bench.x (exit 2)", 1, id="crashed"),
    ],
)
def test_the_summary_never_counts_a_skipped_result_as_met(
    results: list[Result], failures: list[str], last: str, code: int
) -> None:
    lines, status = summarise(results, failures)
    assert status == code
    assert lines[-1] == last
    text = "\n".join(lines)
    if any(r.passed is None for r in results):
        assert "Every target met." not in text
        assert "| skipped |" in text
        assert "skipped (nothing measured, not counted as met)" in text


def test_a_benchmark_that_wrote_no_record_in_this_run_failed(tmp_path: Path) -> None:
    write_record("feeds", [Result("a", "1", "1", "-", True)], quick=True, argv=[], directory=tmp_path)
    results, failure = fresh_results("bench.feeds", 0, since=0, directory=tmp_path)
    assert [r.name for r in results] == ["a"] and failure == ""
    _, failure = fresh_results("bench.feeds", 0, since=2**40, directory=tmp_path)  # an older record
    assert "no record" in failure
    _, failure = fresh_results("bench.growth", 0, since=0, directory=tmp_path)
    assert "no record" in failure


def test_extraction_without_a_corpus_is_skipped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from bench.extraction import main

    assert main(["--corpus", str(tmp_path / "none"), "--results-dir", str(tmp_path)]) == 0
    assert "skipped" in capsys.readouterr().out
    results = record_results(json.loads((tmp_path / "extraction.json").read_text()))
    assert len(results) == 2 and all(r.verdict == "skipped" for r in results)


@pytest.mark.parametrize(
    "manifest",
    [pytest.param(None, id="no-corpus"), pytest.param({"files": []}, id="empty-manifest")],
)
def test_feeds_without_files_is_skipped(tmp_path: Path, manifest: dict[str, Any] | None) -> None:
    from bench.feeds import main

    corpus = tmp_path / "feeds"
    corpus.mkdir()
    if manifest is not None:
        (corpus / "manifest.json").write_text(json.dumps(manifest))
    assert main(["--corpus", str(corpus), "--results-dir", str(tmp_path)]) == 0
    [result] = record_results(json.loads((tmp_path / "feeds.json").read_text()))
    assert result.verdict == "skipped"


def test_classify_speed_with_nothing_to_classify_is_skipped(tmp_path: Path) -> None:
    from bench.classify_speed import main

    assert main(["--articles", "0", "--results-dir", str(tmp_path)]) == 0
    [result] = record_results(json.loads((tmp_path / "classify_speed.json").read_text()))
    assert result.verdict == "skipped"


def test_stance_targets_are_skipped_when_the_development_set_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bench.stance_eval as stance_eval

    monkeypatch.setattr(stance_eval, "CORPORA", tmp_path / "no-tuning-sets")
    text, checks = stance_eval.summary_with_targets(stance_eval.DEFAULT_RULES, tmp_path / "dev.jsonl")
    dev, heldout = checks
    assert dev.verdict == "skipped" and "missing" in dev.skipped
    assert heldout.verdict == "skipped" and "--heldout" in heldout.skipped
    assert "targets development set dev.jsonl: skipped (the set is missing" in text


def test_stance_targets_are_met_or_not_on_a_written_development_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bench.stance_eval as stance_eval

    monkeypatch.setattr(stance_eval, "CORPORA", tmp_path / "no-tuning-sets")
    rows = [
        {"id": "1", "title": "", "text": "The weather in Dublin was mild on Tuesday.", "language": "en"},
        {"id": "2", "title": "", "text": "A recipe for soda bread with buttermilk.", "language": "en"},
    ]
    dev = tmp_path / "dev.jsonl"
    dev.write_text("".join(json.dumps({**r, "label": "off_topic"}) + "\n" for r in rows))
    _, (check, _heldout) = stance_eval.summary_with_targets(stance_eval.DEFAULT_RULES, dev)
    assert check.passed is not None  # measured: met or not, never skipped
    assert "macro-F1" in check.figure
    dev.write_text("")
    text, (check, _heldout) = stance_eval.summary_with_targets(stance_eval.DEFAULT_RULES, dev)
    assert check.verdict == "skipped" and "no labelled rows" in check.skipped
    assert "empty: nothing measured" in text


# --- one set of trafilatura options ---------------------------------------------------------------------------


def test_the_benchmarks_call_trafilatura_with_exactly_the_pipelines_options(monkeypatch: pytest.MonkeyPatch) -> None:
    import trafilatura

    import bench.ingest
    from bench.extraction import CANDIDATES, Page, _candidate, _presswatch
    from extractors.extract import FIXED_OPTIONS, TUNED_OPTIONS, extract_article

    calls: list[dict[str, Any]] = []
    real = trafilatura.bare_extraction

    def spy(html: bytes, **kwargs: Any) -> Any:
        calls.append(kwargs)
        return real(html, **kwargs)

    monkeypatch.setattr(trafilatura, "bare_extraction", spy)
    page = Page("p.html", PAGE, "https://example.org/a", None, (), ())
    extract_article(PAGE, "https://example.org/a")
    _presswatch(page)
    bench.ingest.bare_trafilatura_seconds([(PAGE, "https://example.org/a")])
    pipeline, row, *limit = calls
    assert pipeline == row == {"url": "https://example.org/a", **TRAFILATURA_OPTIONS}
    assert all(call == pipeline for call in limit)
    calls.clear()
    _candidate(CANDIDATES["precision, tables"])(page)
    assert calls == [pipeline]  # the candidate named as presswatch's choice is presswatch's choice
    assert dict(TRAFILATURA_OPTIONS) == {**FIXED_OPTIONS, **TUNED_OPTIONS}


def test_the_extraction_benchmark_stops_when_its_row_is_not_the_pipeline() -> None:
    from bench.extraction import Page, PipelineMismatch, accuracy, check_pipeline

    pages = [Page(f"p{i}.html", PAGE, f"https://example.org/{i}", "sentence main text", (), ()) for i in range(2)]
    rows, _flagged = accuracy(pages, candidates=False)  # the row and extract_article agree: no exception
    assert rows[0].name == "presswatch"
    with pytest.raises(PipelineMismatch, match="1 of 2 pages"):
        check_pipeline(pages, ["a", "b"], ("the pool", ["a", "c"]))


# --- the feed benchmark's judge -------------------------------------------------------------------------------


def _fetched(error: str | None = None) -> FetchResult:
    return FetchResult(url="http://127.0.0.1/f/0", final_url="http://127.0.0.1/f/0", status=200, error=error)


def _entry(n: int) -> FeedEntry:
    return FeedEntry(feed_url="http://127.0.0.1/f/0", link=f"http://a.example/{n}", url=f"http://a.example/{n}")


@pytest.mark.parametrize(
    ("expected", "expect", "fetch_error", "parsed", "met", "why"),
    [
        pytest.param(
            "reject", "", None, ParsedFeed("f", error=Reason.ENTITY_EXPANSION), True, "rejected", id="reject-by-parser"
        ),
        pytest.param("reject", "", Reason.TOO_LARGE, None, True, "rejected when fetched", id="reject-too-large"),
        pytest.param(
            "reject", "", Reason.CONNECT_ERROR, None, False, "fetch failed", id="connection-failure-is-no-rejection"
        ),
        pytest.param("reject", "", Reason.TIMEOUT, None, False, "fetch failed", id="timeout-is-no-rejection"),
        pytest.param(
            "reject",
            "",
            None,
            ParsedFeed("f", version="rss20", entries=(_entry(0),)),
            False,
            "expected a rejection",
            id="reject-but-parsed",
        ),
        pytest.param("parse", "", Reason.CONNECT_ERROR, None, False, "fetch failed", id="parse-fetch-failed"),
        pytest.param(
            "parse",
            "not bozo",
            None,
            ParsedFeed("f", version="rss20", entries=(_entry(0),)),
            True,
            "1 entries",
            id="parse",
        ),
        pytest.param(
            "parse",
            "",
            None,
            ParsedFeed("f", error=Reason.NOT_A_FEED),
            False,
            "rejected as not_a_feed",
            id="parse-but-rejected",
        ),
        pytest.param(
            "parse-with-recovery",
            "entries[1]['title'] == 'B'",
            None,
            ParsedFeed("f", version="rss20", entries=(_entry(0),), recovered=True, detail="unclosed token"),
            False,
            "2 entries expected, 1 read",
            id="recovery-short-of-entries",
        ),
        pytest.param(
            "parse-with-recovery",
            "entries[1]['title'] == 'B'",
            None,
            ParsedFeed("f", version="rss20", entries=(_entry(0), _entry(1)), recovered=True, detail="unclosed token"),
            True,
            "2 entries",
            id="recovery-with-its-entries",
        ),
        pytest.param(
            "parse-with-recovery",
            "entries[0].summary == 'x'",
            None,
            ParsedFeed(
                "f",
                version="rss20",
                recovered=True,
                detail="1 entries without a usable http(s) link",
                entries_without_link=1,
            ),
            True,
            "0 entries",
            id="recovery-entry-recorded-without-link",
        ),
        pytest.param(
            "parse-with-recovery",
            "feed['title'] == 'testing \\xe1 entity'",
            None,
            ParsedFeed("f", version="rss20", recovered=True, detail="undefined entity"),
            False,
            "a feed title expected",
            id="recovery-title-missing",
        ),
        pytest.param(
            "parse-with-recovery",
            "feed['title'] == 'testing \\xe1 entity'",
            None,
            ParsedFeed("f", title="testing á entity", version="rss20", recovered=True, detail="undefined entity"),
            True,
            "0 entries",
            id="recovery-title-read",
        ),
        pytest.param(
            "parse-with-recovery", "bozo", None, ParsedFeed("f"), False, "nothing recovered", id="recovery-nothing"
        ),
        pytest.param(
            "parse-with-recovery",
            "bozo",
            None,
            ParsedFeed("f", error=Reason.MALFORMED_FEED, detail="x"),
            False,
            "rejected as malformed_feed",
            id="recovery-but-rejected",
        ),
    ],
)
def test_feed_judge(
    expected: str, expect: str, fetch_error: str | None, parsed: ParsedFeed | None, met: bool, why: str
) -> None:
    case = Case(0, "f.xml", expected, {}, expect)
    got, reason = judge(case, _fetched(fetch_error), parsed, "")
    assert (got, why in reason) == (met, True), reason


def test_feed_judge_a_crash_is_never_met() -> None:
    case = Case(0, "f.xml", "reject", {})
    assert judge(case, _fetched(), None, "RecursionError: too deep") == (False, "crashed: RecursionError: too deep")


# --- records and the docs tables ------------------------------------------------------------------------------


def test_a_record_says_where_and_when_its_figures_come_from(tmp_path: Path) -> None:
    path = write_record(
        "writes", [Result("w", "1 rows/s", ">= 1", "-", True)], quick=True, argv=["--quick"], directory=tmp_path
    )
    record = json.loads(path.read_text())
    assert record["command"] == "python -m bench.writes --quick" and record["quick"] is True
    assert record["date"].endswith("Z") and record["machine"]["cores"] >= 1
    assert set(record["versions"]) == {"python", "duckdb", "trafilatura", "prefect"}
    assert "commit" in record and record["results"][0]["verdict"] == "pass"


def test_docs_blocks_are_generated_from_the_records(tmp_path: Path) -> None:
    write_record(
        "feeds", [Result("feed corpus", "3/3", "all 3", "none", True)], quick=False, argv=[], directory=tmp_path
    )
    write_record("extraction", [Result.skip("extraction F1", "no corpus")], quick=True, argv=[], directory=tmp_path)
    text = "intro\n<!-- bench:all -->\nstale figure: 52 pages/s\n<!-- /bench:all -->\nafter\n"
    out = docs.render(text, read_records(tmp_path))
    assert "52 pages/s" not in out
    assert "| feed corpus | 3/3 | all 3 | met | `bench/results/feeds.json` |" in out
    assert "| extraction F1 | not measured: no corpus | - | skipped |" in out
    assert "| ingest | no record |" in out
    assert out.startswith("intro\n<!-- bench:all -->\n") and out.endswith("<!-- /bench:all -->\nafter\n")
    assert docs.render(out, read_records(tmp_path)) == out
    with pytest.raises(ValueError, match="unknown benchmark block"):
        docs.render("<!-- bench:nope -->\n<!-- /bench:nope -->", {})


def test_the_docs_tables_equal_what_the_committed_records_give() -> None:
    records = read_records(RESULTS)
    for path in docs.DOCUMENTS:
        text = path.read_text(encoding="utf-8")
        assert "<!-- bench:" in text, f"{path.name} has no generated figure table"
        assert docs.render(text, records) == text, f"{path.name} is out of date: run python -m bench.docs"
