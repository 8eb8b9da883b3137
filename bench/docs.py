"""The figure tables of README.md and docs/benchmarks.md, generated from the records under bench/results/.

    python -m bench.docs            # rewrite the marked blocks from the committed records
    python -m bench.docs --check    # exit 1 when a block differs from what the records give (a test runs this)

A block runs from `<!-- bench:NAME -->` to `<!-- /bench:NAME -->`; NAME picks the benchmarks it shows (`BLOCKS`).
Everything between the markers is replaced, so no figure in a table lacks its record: edit the records (by running
a benchmark) and regenerate, never the tables by hand.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bench.common import ROOT
from bench.records import RESULTS, read_records, record_results

DOCUMENTS = (ROOT / "README.md", ROOT / "docs" / "benchmarks.md")
SPEED = ("ingest", "growth", "report", "writes", "classify_speed", "extraction")
BLOCKS: dict[str, tuple[str, ...]] = {
    "speed": SPEED,  # README: the speed figures
    "all": (*SPEED, "feeds", "stance_eval"),  # docs/benchmarks.md: every record
}
_BLOCK = re.compile(r"(<!-- bench:(?P<name>[a-z_]+) -->\n)(?P<body>.*?)(<!-- /bench:(?P=name) -->)", re.DOTALL)
_VERDICT = {"pass": "met", "MISS": "**missed**", "skipped": "skipped"}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _machine(record: Mapping[str, Any]) -> str:
    m = record["machine"]
    ram = f", {m['ram_gib']} GiB" if m.get("ram_gib") else ""
    return f"{m['cores']} cores ({m.get('cpu') or 'CPU model unknown'}){ram}"


def _versions(record: Mapping[str, Any]) -> str:
    return ", ".join(f"{k} {v}" for k, v in record["versions"].items() if v)


def _run(record: Mapping[str, Any]) -> str:
    commit = (record.get("commit") or "unknown")[:10] + (" with uncommitted changes" if record.get("dirty") else "")
    kind = "quick: indicative" if record["quick"] else "full"
    return f"{record['date'].replace('T', ' ').removesuffix('Z')} UTC, {kind}, commit {commit}"


def render_block(name: str, records: Mapping[str, Mapping[str, Any]]) -> str:
    """The Markdown a block holds: one table row per result of its benchmarks' records, then where each came from.
    A benchmark without a record is listed as such (no figure)."""
    rows = ["| measure | figure | target | result | record |", "|---|---|---|---|---|"]
    sources = []
    for benchmark in BLOCKS[name]:
        record = records.get(benchmark)
        path = f"bench/results/{benchmark}.json"
        if record is None:
            rows.append(f"| {benchmark} | no record | - | not measured | (none: run `python -m bench.{benchmark}`) |")
            continue
        for r in record_results(dict(record)):
            figure = r.figure if r.passed is not None else f"not measured: {r.skipped}"
            rows.append(f"| {_cell(r.name)} | {_cell(figure)} | {_cell(r.target)} | {_VERDICT[r.verdict]} | `{path}` |")
        sources.append(f"- `{path}`: `{record['command']}`, {_run(record)}; {_machine(record)}; {_versions(record)}")
    return "\n".join([*rows, "", "Records (machine, date, commit and versions of each run):", "", *sources]) + "\n"


def render(text: str, records: Mapping[str, Mapping[str, Any]]) -> str:
    """`text` with every marked block replaced by what the records give."""

    def replace(match: re.Match[str]) -> str:
        name = match.group("name")
        if name not in BLOCKS:
            raise ValueError(f"unknown benchmark block {name!r} (known: {', '.join(BLOCKS)})")
        return match.group(1) + render_block(name, records) + match.group(4)

    return _BLOCK.sub(replace, text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 when a block is out of date")
    parser.add_argument("--results-dir", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    records = read_records(args.results_dir)
    stale = []
    for path in DOCUMENTS:
        text = path.read_text(encoding="utf-8")
        wanted = render(text, records)
        if wanted != text:
            stale.append(path.relative_to(ROOT))
            if not args.check:
                path.write_text(wanted, encoding="utf-8")
    if args.check and stale:
        print(f"out of date with bench/results: {', '.join(map(str, stale))} (run python -m bench.docs)")
        return 1
    done = stale or [path.relative_to(ROOT) for path in DOCUMENTS]
    print(f"{'rewrote' if stale else 'up to date:'} {', '.join(map(str, done))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
