"""`presswatch sql --format markdown` cells go through the report's escaper: whatever a value holds renders as that
text, in its own cell, in any GFM renderer."""

from __future__ import annotations

import io

import pytest
from markdown_it import MarkdownIt

from flows.output import write_result
from reports import markdown
from warehouse.analyst import QueryResult


def _rendered_cells(text: str) -> list[list[list[tuple[str, str]]]]:
    """Rows of cells, each cell as its inline tokens (type, content), as a GFM renderer parses the table."""
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    rows: list[list[list[tuple[str, str]]]] = []
    for token in tokens:
        if token.type == "tr_open":
            rows.append([])
        elif token.type == "inline":
            rows[-1].append([(child.type, child.content) for child in token.children or []])
    return rows


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("*bold* _it_ [link](http://evil.example) `code` <b>html</b> a | b", id="all-at-once"),
        pytest.param("snake_case_name", id="underscores"),
        pytest.param("**x**", id="strong"),
        pytest.param("[x]", id="brackets"),
        pytest.param("`", id="lone-backtick"),
        pytest.param("<script>alert(1)</script>", id="html"),
        pytest.param("|", id="lone-pipe"),
        pytest.param("a \\| b", id="escaped-pipe-in-data"),
    ],
)
def test_markdown_cells_render_literally(value: str) -> None:
    out = io.StringIO()
    write_result(QueryResult(("col_name", "other"), (), [(value, "x")]), "markdown", out)
    header, row = _rendered_cells(out.getvalue())
    assert header == [[("text", "col_name")], [("text", "other")]]
    assert len(row) == 2, "the value must stay in one cell"
    assert all(kind == "text" for kind, _ in row[0]), row[0]  # no emphasis, link, code span or HTML
    assert "".join(content for _, content in row[0]) == value
    assert row[1] == [("text", "x")]


def test_markdown_cells_use_the_reports_escaper() -> None:
    value = "*a* _b_ [c] `d` <e> | f"
    out = io.StringIO()
    write_result(QueryResult(("v",), (), [(value,)]), "markdown", out)
    assert out.getvalue().splitlines()[2] == f"| {markdown.text(value)} |"
