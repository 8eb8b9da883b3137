"""Human corrections: stored labels, and the labelled articles the evaluation runs on."""

from __future__ import annotations

from typing import Any

from warehouse.db import Location, connect


def save_label(path: Location, url: str, topic: str, stance: str, note: str | None, by: str | None) -> None:
    with connect(path) as con:
        known = con.execute("SELECT count(*) FROM articles WHERE url = ?", [url]).fetchall()
        if not known[0][0]:
            from warehouse.db import WarehouseError

            raise WarehouseError(f"no article with URL {url} in the warehouse")
        con.execute(
            "INSERT INTO labels VALUES (?, ?, ?, ?, now(), ?) ON CONFLICT (url, topic) DO UPDATE SET "
            "stance = excluded.stance, note = excluded.note, labelled_at = excluded.labelled_at, "
            "labelled_by = excluded.labelled_by",
            [url, topic, stance, note, by],
        )


def labelled_articles(path: Location, topic: str) -> list[dict[str, Any]]:
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
