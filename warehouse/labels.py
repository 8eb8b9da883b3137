"""Human corrections: stored labels, and the labelled articles the evaluation runs on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from warehouse.db import connect


def save_label(path: Path, url: str, topic: str, stance: str, note: str | None, by: str | None) -> None:
    with connect(path) as con:
        known = con.execute("SELECT count(*) FROM articles WHERE url = ?", [url]).fetchall()
        if not known[0][0]:
            from warehouse.db import WarehouseError

            raise WarehouseError(f"no article with URL {url} in the warehouse")
        con.execute("INSERT OR REPLACE INTO labels VALUES (?, ?, ?, ?, now(), ?)", [url, topic, stance, note, by])


def labelled_articles(path: Path, topic: str) -> list[dict[str, Any]]:
    """Labelled articles in the shape of a labelled JSON Lines file (id, title, text, language, label)."""
    with connect(path, read_only=True) as con:
        cursor = con.execute(
            """
            SELECT a.url AS id, a.url, a.outlet, a.title, a.language, a.text, l.stance AS label
            FROM labels l JOIN articles a USING (url)
            WHERE l.topic = ? AND a.text IS NOT NULL ORDER BY a.url
            """,
            [topic],
        )
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
