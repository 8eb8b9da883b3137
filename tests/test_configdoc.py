"""docs/configuration.md lists every key of presswatch.toml as the models that validate the file define it."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from flows.configdoc import DOC, END, START, reference, tables, with_reference
from flows.settings import ConfigFile, load_settings

UPDATE = os.environ.get("PRESSWATCH_UPDATE_GOLDEN") == "1"  # then review the diff before committing


def test_docs_configuration_md_holds_the_generated_key_reference() -> None:
    text = DOC.read_text(encoding="utf-8")
    if UPDATE:
        text = with_reference(text)
        DOC.write_text(text, encoding="utf-8")
    section = text[text.index(START) : text.index(END) + len(END)]
    assert section == reference(), "regenerate: python -m flows.configdoc"


def test_every_key_of_every_table_is_in_the_reference_with_a_description() -> None:
    text = reference()
    for name, heading, model in tables():
        assert f"`{heading}`" in text
        for key, info in model.model_fields.items():
            assert f"| `{key}` |" in text, f"{name}.{key}"
            assert info.description, f"{name}.{key} has no description for the docs"
    assert {name for name, _, _ in tables()} == set(ConfigFile.model_fields)


def test_the_documented_example_is_a_valid_config(tmp_path: Path) -> None:
    """The ```toml block at the top of docs/configuration.md loads (with a feed URL filled in)."""
    text = DOC.read_text(encoding="utf-8")
    example = (
        text.split("```toml\n", 1)[1].split("```", 1)[0].replace('url = "https://..."', 'url = "https://a.example/rss"')
    )
    tomllib.loads(example)  # a TOML error here is the docs' fault, not the loader's
    path = tmp_path / "presswatch.toml"
    path.write_text(example, encoding="utf-8")
    settings = load_settings(path)
    assert [feed.url for feed in settings.feeds] == ["https://a.example/rss"]
