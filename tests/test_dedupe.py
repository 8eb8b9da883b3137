from __future__ import annotations

import pytest

from extractors.dedupe import STORY_THRESHOLD, assign_stories, shingles, similarity, sketch

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
