"""`presswatch rules suggest`: candidate phrases mined from own-voice text of labelled articles, cross-validated,
written as a rule block the rule file accepts. Real rule file, real classifier, real warehouse."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from stance.classify import classify
from stance.document import Document
from stance.rules import RuleSet, load_ruleset
from stance.suggest import labelled_rows, own_voice_phrases, suggest_rules
from tests.builders import article_row, run_cli, write
from warehouse.labels import save_label

RULES = Path(__file__).resolve().parent.parent / "topics" / "amnesty-2015.toml"
LEAD = "Amnesty International voted in Dublin on a policy to decriminalise sex work."
DAYS = ("two", "three", "four", "five", "six")


def _labelled() -> list[dict[str, str]]:
    """Five articles per class. Only the supportive ones say "verdant harbinger" in their own voice (twice, which
    at the suggested weight reaches the threshold); the opposed ones quote a critic using it, which must not count."""
    rows = []
    for n, days in enumerate(DAYS):
        met = f"{LEAD} Delegates met for {days} days."
        rows += [
            {"id": f"s{n}", "label": "supportive",
             "text": f"{met} The decision is a verdant harbinger for the movement.\nA verdant harbinger, and more to come."},
            {"id": f"o{n}", "label": "opposed",
             "text": f"{met} It is a betrayal of women.\n\"This is no verdant harbinger of anything good for anyone,\" said a critic."},
            {"id": f"n{n}", "label": "neutral", "text": f"{met}\nThe board will now draft the text in a hotel by the river."},
        ]  # fmt: skip
    return [{"title": "Amnesty vote", "language": "en", **row} for row in rows]


@pytest.fixture(scope="module")
def ruleset() -> RuleSet:
    return load_ruleset(RULES)


def test_the_separating_phrase_comes_first_with_its_side_and_figures(ruleset: RuleSet) -> None:
    found = suggest_rules(ruleset, labelled_rows(_labelled()), min_support=2)
    best = found.candidates[0]
    assert (best.language, best.phrase, best.side) == ("en", "verdant harbinger", "supportive")
    # the critic's quoted use in the opposed articles is not own voice: all five users are supportive
    assert (best.precision, best.support) == (1.0, 5)
    assert best.effect > 0 and best.folds_mined == 5
    assert found.labels == 15 and found.mined == 15
    assert all(c.effect <= best.effect for c in found.candidates)


def test_only_own_voice_content_phrases_are_mined(ruleset: RuleSet) -> None:
    doc = Document.prepare(
        "Amnesty vote",
        'The vote was a quiet revolution. "It is a grave and costly mistake for everyone," said a critic.\n'
        "According to the board, the text is a bold gamble.",
        ruleset.word_keys_for("en"),
    )
    english = ruleset.rules_for("en")
    assert english is not None
    phrases = own_voice_phrases(doc, english, "en")
    assert {"quiet revolution", "quiet", "revolution", "vote", "amnesty vote"} <= phrases
    assert not {p for p in phrases if "mistake" in p or "gamble" in p}  # quoted, attributed
    assert not {"a quiet", "the vote", "was", "a"} & phrases  # function words never open or close a phrase


def test_rules_suggest_writes_a_block_the_rule_file_accepts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    labels = tmp_path / "labels.jsonl"
    labels.write_text("".join(json.dumps(row) + "\n" for row in _labelled()), encoding="utf-8")
    out = tmp_path / "candidate.toml"
    before = hashlib.sha256(RULES.read_bytes()).hexdigest()
    code, stdout, err = run_cli(
        ["--config", str(tmp_path / "absent.toml"), "rules", "suggest", "--labels", str(labels), "--out", str(out),
         "--min-support", "2"],
        capsys, monkeypatch,
    )  # fmt: skip
    assert code == 0, err
    header, first = stdout.splitlines()[:2]
    assert header.split() == ["lang", "phrase", "side", "precision", "support", "macro-F1", "change"]
    assert first.split()[:6] == ["en", "verdant", "harbinger", "supportive", "1.00", "5"]
    assert float(first.split()[6]) > 0
    assert f"wrote 1 candidate rule to {out}" in err
    assert hashlib.sha256(RULES.read_bytes()).hexdigest() == before  # the rule file is never changed
    block = out.read_text(encoding="utf-8")
    assert "[[stance.en.supportive]]" in block and 'origin = "suggested from 15 labels"' in block
    copy = tmp_path / "amnesty-2015.toml"
    copy.write_text(RULES.read_text(encoding="utf-8") + "\n" + block, encoding="utf-8")
    candidate = load_ruleset(copy)
    english = candidate.rules_for("en")
    assert english is not None
    added = [r for r in english.rules if r.rule_id == "en.supportive.suggested-verdant-harbinger"]
    assert len(added) == 1 and added[0].weight == 1.0 and added[0].kind == "stance"
    text = f"{LEAD} It is a verdant harbinger. Truly a verdant-harbinger."
    assert classify(load_ruleset(RULES), title="Amnesty vote", text=text, language="en").stance == "neutral"
    assert classify(candidate, title="Amnesty vote", text=text, language="en").stance == "supportive"


def test_rules_suggest_mines_the_warehouse_labels_by_default(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "presswatch.toml"
    config.write_text('[warehouse]\npath = "pw.duckdb"\n', encoding="utf-8")
    path = tmp_path / "pw.duckdb"
    code, _, err = run_cli(["--config", str(config), "rules", "suggest"], capsys, monkeypatch)
    assert code == 1 and "no warehouse yet" in err
    rows = _labelled()
    published = datetime(2015, 8, 12, tzinfo=UTC)
    write(path, [article_row(f"http://a.example/{r['id']}", outlet="Courier", title=r["title"], published=published,
                             text=r["text"]) for r in rows], [])  # fmt: skip
    code, _, err = run_cli(["--config", str(config), "rules", "suggest"], capsys, monkeypatch)
    assert code == 1 and "no human labels in the warehouse yet" in err and err.count("\n") == 1
    for row in rows:
        save_label(path, f"http://a.example/{row['id']}", "amnesty-2015", row["label"], None, None)
    code, stdout, err = run_cli(
        ["--config", str(config), "rules", "suggest", "--min-support", "2"], capsys, monkeypatch
    )
    assert code == 0, err
    assert stdout.splitlines()[1].split()[:4] == ["en", "verdant", "harbinger", "supportive"]
    assert "--out FILE writes" in err


def test_rules_suggest_refuses_held_out_sets_and_bad_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    absent = str(tmp_path / "absent.toml")
    held = tmp_path / "heldout" / "set.jsonl"
    code, _, err = run_cli(["--config", absent, "rules", "suggest", "--labels", str(held)], capsys, monkeypatch)
    assert code == 1 and "held-out sets are never mined" in err
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"id": "x", "text": "Some text."}) + "\n", encoding="utf-8")
    code, _, err = run_cli(["--config", absent, "rules", "suggest", "--labels", str(bad)], capsys, monkeypatch)
    assert code == 1 and f'{bad}:1: missing "label"' in err
