"""Evaluation arithmetic, baselines and the labelled-rows entry point used by `presswatch evaluate`."""

from __future__ import annotations

from pathlib import Path

import pytest

from stance.evaluate import (
    calibration_error,
    evaluate,
    evaluate_labelled,
    format_evaluation,
    lexicon_label,
    reliability,
    seed_lexicon,
)
from stance.rules import load_ruleset
from tests.builders import FIXTURE_FILES, RULES, read_fixture

GOLD = ["supportive", "supportive", "opposed", "neutral", "off_topic", "off_topic"]
PRED = ["supportive", "neutral", "opposed", "neutral", "off_topic", "supportive"]


def test_per_class_scores_by_hand() -> None:
    ev = evaluate(GOLD, PRED)
    sup = ev.per_class["supportive"]
    # supportive: tp 1, predicted 2, gold 2
    assert (sup.precision, sup.recall, sup.f1, sup.support) == (0.5, 0.5, 0.5, 2)
    assert ev.per_class["opposed"].f1 == 1.0
    neu = ev.per_class["neutral"]  # tp 1, predicted 2, gold 1
    assert (neu.precision, neu.recall) == (0.5, 1.0) and neu.f1 == pytest.approx(2 / 3)
    assert ev.macro_f1 == pytest.approx((0.5 + 1.0 + 2 / 3) / 3)
    assert ev.accuracy == pytest.approx(4 / 6)
    assert ev.confusion["off_topic"]["supportive"] == 1 and ev.confusion["supportive"]["neutral"] == 1


def test_relevance_and_off_topic_scores() -> None:
    ev = evaluate(GOLD, PRED)
    # relevant = not off_topic: predicted relevant 5, gold relevant 4, both 4
    assert ev.relevance.precision == pytest.approx(4 / 5) and ev.relevance.recall == 1.0
    off = ev.per_class["off_topic"]
    assert (off.precision, off.recall) == (1.0, 0.5) and ev.off_topic_f1 == pytest.approx(2 / 3)


def test_per_language_and_majority_baseline() -> None:
    languages = ["en", "en", "de", "de", "en", "de"]
    ev = evaluate(GOLD, PRED, languages=languages)
    assert ev.per_language["de"].n == 3 and ev.per_language["de"].accuracy == pytest.approx(2 / 3)
    majority = ev.baselines["majority"]
    assert majority.accuracy == pytest.approx(2 / 6)  # "off_topic" or "supportive", two each; ties go to the first seen
    assert "majority" not in majority.baselines


def test_bad_input_is_rejected() -> None:
    with pytest.raises(ValueError):
        evaluate(["supportive"], ["positive"])
    with pytest.raises(ValueError):
        evaluate(["supportive"], [])


def test_seed_lexicon_baseline_counts_the_seeds_terms_with_a_neutral_band() -> None:
    ruleset = load_ruleset(RULES)
    lexicon = seed_lexicon(ruleset)
    assert lexicon["en"] and all(rule.origin.casefold().startswith("seed") for rule in lexicon["en"])
    assert lexicon_label(lexicon, "en", False, "Historic vote", "A historic vote.") == "off_topic"  # the rules' gate
    text = "A historic vote, a much-needed step, long overdue."
    assert lexicon_label(lexicon, "en", True, "", text, band=2) == "supportive"
    assert lexicon_label(lexicon, "en", True, "", text, band=3) == "neutral"  # one side must lead by more
    # No quotation handling: the opponent quoted in a supportive piece counts for the opponents.
    quoted = '"The rights of pimps and sex buyers, the sex trade," she said. "Pimps and the sex trade."'
    assert lexicon_label(lexicon, "en", True, "", quoted, band=2) == "opposed"


def test_reliability_bins_and_calibration_error() -> None:
    table = reliability([0.95, 0.92, 0.55, 0.58], [True, False, True, True])
    assert [(b.low, b.n) for b in table] == [(0.5, 2), (0.9, 2)]
    assert table[1].accuracy == pytest.approx(0.5) and table[0].confidence == pytest.approx(0.565)
    assert calibration_error(table) == pytest.approx((2 * abs(1 - 0.565) + 2 * abs(0.5 - 0.935)) / 4)
    assert calibration_error(reliability([0.7] * 10, [True] * 7 + [False] * 3)) == pytest.approx(0.0)


def test_evaluate_labelled_on_fixture_rows_prints_a_table() -> None:
    ruleset = load_ruleset(RULES)
    rows = []
    for path in FIXTURE_FILES:
        fixture = read_fixture(path)
        rows.append(
            {
                "id": fixture.name,
                "title": fixture.title,
                "text": fixture.text,
                "language": fixture.language,
                "label": fixture.expect,
            }
        )
    ev = evaluate_labelled(ruleset, rows)
    assert ev.n == len(rows) and ev.accuracy == 1.0 and not ev.mistakes
    assert set(ev.baselines) == {"majority", "seed_lexicon"}
    table = format_evaluation(ev)
    for heading in (
        "macro-F1",
        "relevance",
        "off_topic F1",
        "confusion",
        "seed_lexicon",
        "majority",
        "language",
        "reliability",
    ):
        assert heading in table


def test_evaluate_labelled_lists_mistakes_and_rejects_unknown_labels() -> None:
    ruleset = load_ruleset(RULES)
    row = {
        "id": "x",
        "title": None,
        "text": "Amnesty voted on its sex work policy. A historic victory.",
        "language": "en",
    }
    ev = evaluate_labelled(ruleset, [{**row, "label": "opposed"}])
    assert ev.mistakes == (("x", "en", "opposed", "supportive"),)
    with pytest.raises(ValueError, match="row 1"):
        evaluate_labelled(ruleset, [{**row, "label": "positive"}])


def test_bench_script_says_when_the_corpus_is_absent(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from bench.stance_eval import main

    assert main(["--labels", str(tmp_path / "absent.jsonl")]) == 0
    assert "no labelled corpus" in capsys.readouterr().err
