"""The fixed choices of command-line options, as enums: typer lists them in `--help` and refuses anything else
with a usage error (exit 2), so no command validates them by hand. Light on purpose: the CLI imports it at start."""

from __future__ import annotations

from enum import StrEnum


class OutputFormat(StrEnum):
    """`--format` of `sql`, `runs` and `feeds list`."""

    table = "table"
    csv = "csv"
    json = "json"
    jsonl = "jsonl"
    markdown = "markdown"


class ExportFormat(StrEnum):
    """`--format` of `export`: Parquet partitioned by week, or CSV."""

    parquet = "parquet"
    csv = "csv"


class StanceChoice(StrEnum):
    """`--stance` of `label`: the labels of `stance.model.STANCES` (a test keeps them equal)."""

    supportive = "supportive"
    opposed = "opposed"
    neutral = "neutral"
    off_topic = "off_topic"
