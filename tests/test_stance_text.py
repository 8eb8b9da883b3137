"""Quotation, sentence and language detection: the pure helpers under the classifier."""

from __future__ import annotations

import re
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stance.language import guess_language, normalise_language
from stance.text import (
    _QUOTE_FOLD,
    Folded,
    _abbreviation_before,
    collapse_whitespace,
    fold_quotes,
    paragraphs,
    quotations,
    sentences,
)


def quoted_texts(text: str) -> list[str]:
    return [text[s.start : s.end] for s in quotations(text, paragraphs(text))]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param('He said "it is wrong" today.', ['"it is wrong"'], id="straight"),
        pytest.param("He said “it is wrong” today.", ["“it is wrong”"], id="curly"),
        pytest.param("Sie sagte „es ist falsch“ heute.", ["„es ist falsch“"], id="german"),
        pytest.param("Elle a dit « c'est faux » hier.", ["« c'est faux »"], id="french-spaced"),
        pytest.param("Er sagte »es ist falsch« heute.", ["»es ist falsch«"], id="german-guillemets"),
        pytest.param("Hon sa ”det är fel” i dag.", ["”det är fel”"], id="swedish"),
        pytest.param("She called it ‘a mistake’ today.", ["‘a mistake’"], id="single-curly"),
        pytest.param("The workers’ rights and the group’s view don’t count.", [], id="apostrophes-are-not-quotes"),
        pytest.param('A "nested "inner" quote" ends here.', ['"nested "inner" quote"'], id="nested-straight"),
    ],
)
def test_quotation_styles(text: str, expected: list[str]) -> None:
    assert quoted_texts(text) == expected


def test_multi_paragraph_quotation_runs_until_it_closes() -> None:
    text = "She told me:\n“The first part of it.\n“The second part.”\nThen I left."
    (span,) = quotations(text, paragraphs(text))
    assert text[span.start : span.end].startswith("“The first") and text[span.end - 1] == "”"
    assert "Then I left" not in text[span.start : span.end]


def test_unclosed_quotation_ends_with_its_paragraph() -> None:
    text = "He said “this runs to the end\nA new paragraph of the author."
    (span,) = quotations(text, paragraphs(text))
    assert "new paragraph" not in text[span.start : span.end]


def test_sentences_split_on_punctuation_and_lines_not_capitals() -> None:
    text = "first sentence. second one! third? fourth\nfifth line"
    found = [text[s.start : s.end] for s in sentences(text, paragraphs(text))]
    assert found == ["first sentence.", "second one!", "third?", "fourth", "fifth line"]


def test_folded_text_maps_back_to_the_original() -> None:
    original = "ABC  “Q”\n\n  Straße X"
    folded = Folded(original)
    assert folded.text == 'abc "q" strasse x'
    for char in 'aq"x':
        position = folded.text.index(char)
        assert original[folded.to_original(position)].casefold().translate({ord("“"): '"'}) == char
    assert folded.to_original(folded.text.index("x")) == original.index("X")
    assert folded.to_folded(original.index("X")) == folded.text.index("x")
    assert folded.to_original(folded.text.index("ss") + 1) == original.index("ß")


# Texts for comparing the quick text helpers with their plain definitions: marks, odd spaces, letters that fold
# to several, whitespace runs at either end and on their own.
_TRICKY_ALPHABET = list("aZ ß İŉﬁẞΐ\n\t\u00a0\u2009\u202f\u2028\x1c“”„«»‹›'’‘´`‐‑-.!?…:;)]")
_TRICKY = ["", " ", "  ", "ß", " ß ", "ß  ß", "\n\nß", "ß\n\n", "ﬃ  İ\tŉ", "ABC  “Q”\n\n  Straße X"]


TRICKY_TEXTS = st.one_of(st.sampled_from(_TRICKY), st.text(alphabet=st.sampled_from(_TRICKY_ALPHABET), max_size=40))


@given(TRICKY_TEXTS)
def test_quick_folding_helpers_equal_their_definitions(text: str) -> None:
    assert fold_quotes(text) == text.translate(_QUOTE_FOLD)
    assert collapse_whitespace(text) == re.sub(r"\s+", " ", text)


def test_case_folding_never_makes_or_removes_whitespace() -> None:
    # Folded collapses whitespace after case folding and with str.split: both rely on this, for every code point.
    chars = [chr(code) for code in range(sys.maxunicode + 1)]
    spaces = [char for char in chars if char.isspace()]
    assert re.findall(r"\s", "".join(chars)) == spaces
    assert [char.casefold() for char in spaces] == spaces
    assert re.search(r"\s", "".join(char.casefold() for char in chars if not char.isspace())) is None


def _reference_map(original: str) -> tuple[str, list[int], list[int]]:
    """Folded's text and segment starts as first written: one character at a time, a segment after every run."""
    translated = original.translate(_QUOTE_FOLD)
    pieces: list[str] = []
    fold_starts, orig_starts = [0], [0]

    def add(start: int, end: int) -> None:
        for offset in range(start, end):
            lower = translated[offset].casefold()
            produced = len("".join(pieces))
            if len(lower) != 1:  # every folded letter maps back to the one original letter
                for extra in range(len(lower)):
                    fold_starts.append(produced + extra)
                    orig_starts.append(offset)
                fold_starts.append(produced + len(lower))
                orig_starts.append(offset + 1)
            pieces.append(lower)

    cursor = 0
    for match in re.finditer(r"\s+", translated):
        add(cursor, match.start())
        pieces.append(" ")
        cursor = match.end()
        fold_starts.append(len("".join(pieces)))
        orig_starts.append(cursor)
    add(cursor, len(translated))
    return "".join(pieces), fold_starts, orig_starts


@given(TRICKY_TEXTS)
def test_folded_offsets_at_every_position(text: str) -> None:
    folded = Folded(text)
    expected_text, fold_starts, orig_starts = _reference_map(text)
    assert folded.text == expected_text
    for position in range(len(expected_text) + 2):
        index = max(i for i, start in enumerate(fold_starts) if start <= position)
        assert folded.to_original(position) == orig_starts[index] + position - fold_starts[index]
    for position in range(len(text) + 2):
        index = max(i for i, start in enumerate(orig_starts) if start <= position)
        expected = fold_starts[index] + position - orig_starts[index]
        if index + 1 < len(fold_starts):
            expected = min(expected, fold_starts[index + 1])
        assert folded.to_folded(position) == expected


_LOOK_BEHIND_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’»)\]]*\s+|(?<=[:;])\s+(?=[\"“„«‘])")


@given(st.text(alphabet=st.sampled_from(list(".!?…:;\"'”’»)] \n\t“„«‘abc")), max_size=80))
def test_sentence_ends_as_first_defined(text: str) -> None:
    expected = []
    for number, (start, end) in enumerate(paragraphs(text)):
        cursor = start
        for match in _LOOK_BEHIND_SENTENCE_END.finditer(text, start, end):
            # An initial or abbreviation before the period is not an end (the property tests cover that rule).
            if text[match.start() - 1] == "." and _abbreviation_before(text, match.start() - 1):
                continue
            if match.start() > cursor:
                expected.append((cursor, match.start(), number))
            cursor = match.end()
        if end > cursor:
            expected.append((cursor, end, number))
    assert [(s.start, s.end, s.paragraph) for s in sentences(text, paragraphs(text))] == expected


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "The delegates voted for the policy and the board will publish it next year."),
        (
            "de",
            "Die Delegierten haben für die Politik gestimmt und der Vorstand wird sie im nächsten Jahr veröffentlichen.",
        ),
        ("fr", "Les délégués ont voté pour la politique et le conseil la publiera dans une année."),
        ("es", "Los delegados votaron por la política y la junta la publicará el próximo año con los informes."),
        ("sv", "Delegaterna röstade för policyn och styrelsen ska publicera den nästa år, men det är inte klart."),
        ("pl", "Delegaci głosowali za polityką i zarząd opublikuje ją w przyszłym roku, ale nie jest to pewne."),
        ("ru", "Делегаты проголосовали за политику, и совет опубликует ее в следующем году, но это не точно."),
        (
            "it",
            "I delegati hanno votato per la politica e il consiglio la pubblicherà nel prossimo anno, ma non è certo.",
        ),
        ("nl", "De afgevaardigden hebben voor het beleid gestemd en het bestuur zal het volgend jaar publiceren."),
        ("pt", "Os delegados votaram pela política e a direção vai publicar o texto no próximo ano, mas não é certo."),
    ],
)
def test_guess_language(language: str, text: str) -> None:
    assert guess_language(text) == language


def test_guess_language_says_none_when_it_cannot_tell() -> None:
    assert guess_language("Amnesty International 2015") is None
    assert guess_language("") is None


@pytest.mark.parametrize(
    ("code", "expected"), [("en-GB", "en"), ("EN", "en"), ("pt_BR", "pt"), ("", None), (None, None)]
)
def test_normalise_language(code: str | None, expected: str | None) -> None:
    assert normalise_language(code) == expected


def test_word_index_finds_exactly_what_a_plain_search_finds() -> None:
    from stance.prefix import WordIndex
    from stance.rules import load_ruleset
    from stance.text import word_matches
    from tests.builders import FIXTURE_FILES, RULES

    ruleset = load_ruleset(RULES)
    patterns = [(r.pattern, r.prefixes) for lang in ruleset.language_rules for r in lang.rules]
    patterns += [(a.pattern, a.prefixes) for a in ruleset.actors]
    assert sum(p is not None for _, p in patterns) > 0.9 * len(patterns)  # nearly every rule is indexed
    for path in FIXTURE_FILES:
        text = Folded(path.read_text(encoding="utf-8")).text
        index = WordIndex(text, ruleset.word_keys)
        for pattern, prefixes in patterns:
            fast = [m.span() for m in index.matches(pattern, prefixes)]
            assert fast == [m.span() for m in word_matches(pattern, text)], pattern.pattern
