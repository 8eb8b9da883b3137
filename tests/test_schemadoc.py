"""docs/schema.md lists every failure reason code as `extractors.reasons.Reason` defines it."""

from __future__ import annotations

import os

import pytest

from extractors.reasons import FETCH, PARSE, Reason
from flows.docsections import rewrite, section_of, with_section
from flows.schemadoc import DOC, END, START, reference

UPDATE = os.environ.get("PRESSWATCH_UPDATE_GOLDEN") == "1"  # then review the diff before committing


def test_docs_schema_md_holds_the_generated_failure_reasons() -> None:
    if UPDATE:
        rewrite(DOC, START, END, reference())
    section = section_of(DOC.read_text(encoding="utf-8"), START, END)
    assert section == reference(), "regenerate: python -m flows.schemadoc"


def test_every_reason_has_its_step_and_a_one_line_meaning() -> None:
    text = reference()
    for reason in Reason:
        assert reason.stage in (FETCH, PARSE), reason
        assert reason.meaning and "\n" not in reason.meaning, reason
        assert f"| `{reason}` | {reason.stage} | " in text
    assert "| `http_<status>` | fetch | " in text


def test_a_document_without_the_markers_is_refused() -> None:
    with pytest.raises(ValueError, match="markers are missing"):
        with_section("# no markers here\n", START, END, reference())
    assert with_section(f"a\n{START}\nold\n{END}\nb\n", START, END, "new") == "a\nnew\nb\n"
