"""docs/cli.md is the commands' own reference: every command and option is in it, with help."""

from __future__ import annotations

import os
from pathlib import Path

from flows.cli import app
from flows.clidoc import commands, missing_help, reference

DOC = Path(__file__).resolve().parent.parent / "docs" / "cli.md"
UPDATE = os.environ.get("PRESSWATCH_UPDATE_GOLDEN") == "1"  # then review the diff before committing


def test_every_command_and_option_has_help() -> None:
    assert missing_help(app) == []


def test_docs_cli_md_is_the_generated_reference() -> None:
    text = reference(app)
    if UPDATE:
        DOC.write_text(text, encoding="utf-8")
    assert DOC.read_text(encoding="utf-8") == text, "regenerate: python -m flows.clidoc > docs/cli.md"
    for name, command in commands(app):
        assert f"## `{name}`" in text
        for param in command.params:
            if param.name != "help":
                assert (param.opts[0] if param.param_type_name == "option" else str(param.name).upper()) in text
