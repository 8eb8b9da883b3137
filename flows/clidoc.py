"""The CLI reference, docs/cli.md, generated from the commands themselves (`python -m flows.clidoc > docs/cli.md`).

A test regenerates it and compares: a command or option added without updating the reference, or without help
text, fails the suite (the habit sqlite-utils keeps with cog).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import typer

HEADER = """# Command-line reference

Generated from the commands by `python -m flows.clidoc > docs/cli.md`; `tests/test_clidoc.py` fails when this
file and the commands disagree. Global options go before or after the command:
`presswatch --config PATH COMMAND ...` or `presswatch COMMAND ... --config PATH`.
"""


def commands(app: typer.Typer) -> Iterator[tuple[str, Any]]:
    """(full name, command) for every command and subcommand, in the order `--help` lists them."""
    root = typer.main.get_command(app)

    def walk(prefix: str, command: Any) -> Iterator[tuple[str, Any]]:
        yield prefix, command
        if hasattr(command, "list_commands"):  # a group (typer vendors its own click)
            ctx = command.context_class(command)
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                if sub is not None and not sub.hidden:
                    yield from walk(f"{prefix} {name}".strip(), sub)

    yield from walk("presswatch", root)


def reference(app: typer.Typer) -> str:
    lines = [HEADER]
    for name, command in commands(app):
        lines.append(f"## `{name}`\n")
        lines.append((command.help or "").strip() + "\n")
        ctx = command.context_class(command, info_name=name)
        usage = " ".join(command.collect_usage_pieces(ctx))
        lines.append(f"```\n{name} {usage}\n```\n")
        params = [p for p in command.params if p.name != "help"]
        if params:
            lines.append("| argument or option | help |")
            lines.append("|---|---|")
            for param in params:
                lines.append(f"| `{_names(param)}` | {_help(param)} |")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def missing_help(app: typer.Typer) -> list[str]:
    """Commands and options without help text."""
    out = []
    for name, command in commands(app):
        if not (command.help or "").strip():
            out.append(name)
        for param in command.params:
            if param.name != "help" and not _help(param):
                out.append(f"{name} {_names(param)}")
    return out


def _names(param: Any) -> str:
    if getattr(param, "param_type_name", "") == "argument":
        return str(param.name).upper()
    return ", ".join([*param.opts, *param.secondary_opts])


def _help(param: Any) -> str:
    text = str(getattr(param, "help", None) or "").strip()
    choices = getattr(getattr(param, "type_descriptor", None), "choices", None)
    if text and choices:
        text += " One of: " + ", ".join(f"`{choice}`" for choice in choices) + "."
    return " ".join(text.split()).replace("|", "\\\\|")


if __name__ == "__main__":
    from flows.cli import app

    print(reference(app), end="")
