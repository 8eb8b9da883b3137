"""Report files: each written atomically, so that a reader (or a web server) sees the old file or the new one,
never half of one."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from reports.week import Week


def write_report(markdown_text: str, reports_dir: Path, topic: str, week: Week, chart_svg: str | None = None) -> Path:
    """Write `<reports_dir>/<topic>/<YYYY-Www>.md` (and its chart beside it), each atomically."""
    folder = reports_dir / topic
    folder.mkdir(parents=True, exist_ok=True)
    if chart_svg is not None:
        _write_atomic(folder / f"{week}-trend.svg", chart_svg)
    return _write_atomic(folder / f"{week}.md", markdown_text)


def write_index(markdown_text: str, reports_dir: Path, topic: str) -> Path:
    folder = reports_dir / topic
    folder.mkdir(parents=True, exist_ok=True)
    return _write_atomic(folder / "index.md", markdown_text)


def written_weeks(reports_dir: Path, topic: str) -> set[str]:
    """The weeks (`YYYY-Www`) whose report file exists in `<reports_dir>/<topic>`."""
    folder = reports_dir / topic
    return {p.stem for p in folder.glob("*-W*.md")} if folder.exists() else set()


def _write_atomic(target: Path, text: str) -> Path:
    """A temp file in the same folder, then a rename: readers see the old file or the new one, never half."""
    folder = target.parent
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
