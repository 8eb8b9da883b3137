from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from extractors.dedupe import STORY_THRESHOLD, _smallest, assign_stories, shingles, similarity, sketch

WIRE = (
    "DUBLIN, Aug 11 - Delegates of the human rights group voted on Tuesday to develop a policy that calls for the "
    "decriminalisation of consensual adult sex work, after two years of consultation with its sections. The "
    "decision was welcomed by groups led by sex workers and criticised by campaigners who favour laws against "
    "buying sex. The group said it would publish the final policy after further consultation with its national "
    "sections, and that trafficking and coercion must remain crimes under the law in every country. Campaigners "
    "opposed to the vote said they would lobby national sections before the wording is settled next year."
)


def test_a_wire_copy_with_a_new_lead_and_a_trimmed_end_is_the_same_story() -> None:
    copy = "Local reaction was muted in Galway. " + WIRE.rsplit(" Campaigners", 1)[0]
    assert similarity(sketch(WIRE), sketch(copy)) >= STORY_THRESHOLD


def test_a_different_report_of_the_same_event_is_another_story() -> None:
    other = (
        "Amnesty International's council meeting in Dublin approved a resolution on sex work on Tuesday. Critics "
        "of the resolution, including several women's rights organisations, said the decision would protect pimps "
        "and buyers; supporters said criminal laws push workers into danger and keep them from the police."
    )
    assert similarity(sketch(WIRE), sketch(other)) < 0.2


def test_identical_texts_and_case_or_spacing_changes() -> None:
    assert similarity(sketch(WIRE), sketch("  " + WIRE.upper().replace(" ", "\n  "))) == 1.0


@pytest.mark.parametrize("text", ["", "   ", "one two"])
def test_short_and_empty_texts(text: str) -> None:
    assert len(shingles(text)) <= 1
    assert similarity(sketch(text), sketch(WIRE)) == 0.0


def test_stories_take_the_earliest_copy_as_origin() -> None:
    copy1 = WIRE + " The agency contributed to this report."
    copy2 = "From our correspondent. " + WIRE
    stored = {"http://origin/": ("http://origin/", sketch(WIRE))}
    other = "A harbour wall was delayed again after a dispute over piling costs between the council and builders."
    stories = assign_stories(
        [("http://a/", sketch(copy1)), ("http://b/", sketch(other)), ("http://c/", sketch(copy2))], stored
    )
    assert stories == {"http://a/": "http://origin/", "http://b/": "http://b/", "http://c/": "http://origin/"}


def test_copies_within_one_batch_join_the_first() -> None:
    stories = assign_stories([("http://a/", sketch(WIRE)), ("http://b/", sketch(WIRE + " Extra line."))], {})
    assert stories == {"http://a/": "http://a/", "http://b/": "http://a/"}


def _reference_sketch(text: str, size: int = 64) -> tuple[int, ...]:
    """The sketch as first written (slices per shingle, a full sort): stored sketches were made this way."""
    words = re.findall(r"\w+", text.lower())
    if len(words) < 5:
        grams = {" ".join(words)} if words else set()
    else:
        grams = {" ".join(words[i : i + 5]) for i in range(len(words) - 4)}
    hashes = {
        int.from_bytes(hashlib.blake2b(g.encode(), digest_size=8).digest(), "big") & ((1 << 63) - 1) for g in grams
    }
    return tuple(sorted(hashes)[:size])


EDGE_TEXTS = [
    "",
    "   \n\t ",
    "—,.;!?" * 5,
    "one",
    "one two three four",
    "one two three four five",
    "One two THREE four five six",
    "a a a a a a a a a a a a",
    "Straße café naïve İstanbul ǅemal ﬁne e\u0301te",
    "日本語のテキスト です と 言った 人 が いる ٣٤ x_y __ 4.5",
    " ".join(f"w{i}" for i in range(300)),  # more shingles than 4 * 64: the bounded sort
]


@pytest.mark.parametrize("text", EDGE_TEXTS)
@pytest.mark.parametrize("size", [64, 5, 1, 0])
def test_sketch_matches_the_reference_on_edge_cases(text: str, size: int) -> None:
    assert sketch(text, size) == _reference_sketch(text, size)


def test_sketch_matches_the_reference_on_fixture_articles() -> None:
    for path in sorted((Path(__file__).parent / "fixtures" / "stance").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        assert sketch(text) == _reference_sketch(text), path.name


def test_sketch_values_are_stable() -> None:
    # Pinned: the warehouse compares new sketches with stored ones, so the hashes must never change.
    assert sketch(WIRE)[:3] == (254473762904845149, 436733413801788623, 468901980658405795)
    assert sketch("Straße café naïve İstanbul ǅemal 日本語 ٣٤") == (
        146521443191792187,
        3382583637430842561,
        5682040276580390969,
        8447007900318395067,
    )


@given(
    st.one_of(
        st.sets(st.integers(0, (1 << 63) - 1), max_size=2000),
        # Nothing under the bound: the full sort.
        st.sets(st.integers(1 << 62, (1 << 63) - 1), max_size=2000),
        st.just(set(range(300))),
    ),
    st.sampled_from([64, 1, 0]),
)
# Large sets, as real sketches have: spread over the whole range, and all above the bound.
@example(values={i * 4_611_686_018_427_387 for i in range(2000)}, count=64)
@example(values={(1 << 62) + i * 1_152_921_504_606_846 // 1000 for i in range(2000)}, count=64)
def test_smallest_is_sorted_prefix_also_when_the_bound_catches_too_few(values: set[int], count: int) -> None:
    assert _smallest(values, count) == tuple(sorted(values)[:count])
