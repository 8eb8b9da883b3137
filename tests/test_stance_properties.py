"""Properties: classification is deterministic and independent of letter case and whitespace runs."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from stance.classify import classify
from stance.model import StanceResult
from stance.rules import load_ruleset
from stance.text import ABBREVIATIONS
from tests.builders import FIXTURE_FILES, RULES, read_fixture

RULESET = load_ruleset(RULES)
FIXTURES = [read_fixture(p) for p in FIXTURE_FILES]
SPACE_RUN = re.compile(r"[ \t]+|\n+")


def decision(result: StanceResult) -> tuple[object, ...]:
    """Everything but the matched text and snippets, which quote the article as written."""
    return (
        result.relevant,
        result.stance,
        result.score,
        result.confidence,
        result.language,
        result.flags,
        [(e.rule_id, e.kind, e.weight, e.voice, e.language) for e in result.evidence],
        [(v.name, v.side, v.mentions) for v in result.voices],
    )


def respace(text: str, widths: list[int]) -> str:
    """Lengthen each whitespace run (a newline run stays a newline run, a space run a space run)."""
    counter = iter(widths * (len(text) // max(len(widths), 1) + 1))

    def widen(match: re.Match[str]) -> str:
        extra = next(counter, 0)
        return match.group() + ("\n" if "\n" in match.group() else " ") * extra

    return SPACE_RUN.sub(widen, text)


@settings(max_examples=60, deadline=None)
@given(
    index=st.integers(min_value=0, max_value=len(FIXTURES) - 1),
    case=st.sampled_from(["upper", "lower", "swap", "same"]),
    widths=st.lists(st.integers(min_value=0, max_value=3), min_size=1, max_size=8),
    with_language=st.booleans(),
)
def test_case_and_whitespace_do_not_change_the_decision(
    index: int, case: str, widths: list[int], with_language: bool
) -> None:
    fixture = FIXTURES[index]
    language = fixture.language if with_language else None
    base = classify(RULESET, title=fixture.title, text=fixture.text, language=language)

    def change(value: str) -> str:
        value = respace(value, widths)
        return {"upper": value.upper(), "lower": value.lower(), "swap": value.swapcase(), "same": value}[case]

    changed = classify(RULESET, title=change(fixture.title), text=change(fixture.text), language=language)
    assert decision(changed) == decision(base)
    again = classify(RULESET, title=change(fixture.title), text=change(fixture.text), language=language)
    assert again == changed  # deterministic, evidence text included


@settings(max_examples=40, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(list("amnesty sexwork vote historic betrayal “”\"'.,\n")), max_size=300))
def test_arbitrary_text_never_crashes_and_stays_in_range(text: str) -> None:
    result = classify(RULESET, title="", text=text, language="en")
    assert -1.0 <= result.score <= 1.0 and 0.0 <= result.confidence <= 1.0
    assert result == classify(RULESET, title="", text=text, language="en")


def test_fixture_files_exist() -> None:
    assert FIXTURES and all(Path(p).exists() for p in FIXTURE_FILES)


# Abbreviations the issue names, in every rule language's press: a period after them never ends a sentence.
NAMED_ABBREVIATIONS = [
    "Dr.", "Mr.", "Mrs.", "U.S.", "Aug.", "z. B.", "bzw.", "M.", "S.A.", "Prof.", "Mme", "Sra.", "Sig.", "Dott.",
    "dhr.", "bijv.", "t.ex.", "bl.a.", "f.eks.", "np.", "m.in.", "tzw.", "т. е.", "т.н.", "J.",
]  # fmt: skip
# A word that is itself an abbreviation ("tj", "np") rightly does not end a sentence: left out of the words.
_WORDS = st.text(
    alphabet=st.sampled_from(list("abcdefghijklmnopqrstuvwxyzäöüßéèçñøåæłżąęśćńóшщэюя")), min_size=2, max_size=9
).filter(lambda w: w not in ABBREVIATIONS)


@given(
    before=st.lists(_WORDS, min_size=1, max_size=6),
    abbreviation=st.sampled_from(NAMED_ABBREVIATIONS),
    after=st.lists(_WORDS, min_size=1, max_size=6),
    upper=st.booleans(),
)
@settings(max_examples=300, deadline=None)
def test_a_sentence_never_ends_at_a_common_abbreviation(
    before: list[str], abbreviation: str, after: list[str], upper: bool
) -> None:
    from stance.text import paragraphs, sentences

    text = f"{' '.join(before)} {abbreviation} {' '.join(after)}. {after[0]} ends here."
    if upper:
        text = text.upper()  # boundaries never depend on letter case
    found = [text[s.start : s.end] for s in sentences(text, paragraphs(text))]
    assert len(found) == 2, found
    assert found[1].casefold() == f"{after[0]} ends here.".casefold()
