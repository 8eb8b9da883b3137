"""Re-keying stored rows when the canonical form of URLs changes (schema version 8, `sql/008_canonical_urls.sql`).

Articles are keyed by the canonical form of their link (`extractors/urls.py`). When those rules change, every
column that holds an article key is rewritten: `articles.url` and `story_id`, `classifications`, `evidence`,
`voices`, `labels`, `sketches` and the raw pages. Feed URLs are not article keys: they are kept as configured.

The new key of an article is the canonical form of `articles.link`, the link as its feed wrote it, not of its old
key: the old rules lost information a key cannot give back (`%2F` had become `/`, `?amp` had become `?amp=`). A URL
found in another table with no article behind it is re-keyed from itself.

Two old keys can meet at one new key (`/a/../b` and `/b`). One row survives, the same one for every table:
- the article with text first, then the one discovered first, then the smaller old key (`rank` 1 in `url_rekey`);
  the others' articles, classifications, evidence, voices and sketch values are dropped (they were the same page
  fetched twice), and their old keys lead to the survivor in `story_id`;
- human labels: a label on a row that gives way moves to the survivor; of the group's labels for one topic the most
  recent is kept (a later label is a later decision, as a relabel with `presswatch label` replaces the earlier
  one), ties to the better-ranked key;
- raw pages: the page of the best-ranked key that has one.
Every key that changed or met another is recorded in `url_rekeys`.

This imports the canonicaliser from `extractors/` (the warehouse otherwise imports nothing of ours but types): the
keys are defined by it, and a migration that re-keys must apply the very rules the software that opened the
warehouse writes with. A warehouse that skips versions is re-keyed once, to the current rules.
"""

from __future__ import annotations

import logging

import duckdb
import pyarrow as pa

from extractors.urls import InvalidURLError, canonicalize_url
from warehouse.db import PAGES_ALIAS

log = logging.getLogger("presswatch")

# Rows read from DuckDB per Arrow batch: the articles' keys and links stream through Python, only changed ones stay.
_BATCH_ROWS = 50_000
VERSION = 8

# Tables whose `url` column holds an article key (besides articles and the raw pages).
KEYED_TABLES = ("classifications", "evidence", "voices", "labels", "sketches")

_CHANGES_SCHEMA = pa.schema([("old_url", pa.string()), ("new_url", pa.string())])

# In the raw pages' file: the migrations whose Python step has changed it (its transactions are not the warehouse's).
_PAGE_MIGRATIONS = (
    f"CREATE TABLE IF NOT EXISTS {PAGES_ALIAS}.page_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ)"
)


def new_key(old: str, link: str | None = None) -> str:
    """The key a row stored under `old` has now: the canonical form of its link, else of `old`; a URL neither gives
    a canonical form for (written by another tool) keeps its key."""
    for candidate in (link, old):
        if candidate:
            try:
                return canonicalize_url(candidate)
            except InvalidURLError:
                continue
    return old


def build_rekey_map(con: duckdb.DuckDBPyConnection) -> int:
    """Create the temporary table `url_rekey (old_url, new_url, rank)`: one row per stored key that changes, and per
    unchanged key that another one now meets; `rank` 1 is the row that survives at `new_url`. Returns its size."""
    changes: list[dict[str, str]] = []
    for batch in con.sql("SELECT url, link FROM articles").to_arrow_reader(_BATCH_ROWS):
        for old, link in zip(batch.column(0).to_pylist(), batch.column(1).to_pylist(), strict=True):
            new = new_key(old, link)
            if new != old:
                changes.append({"old_url": old, "new_url": new})
    # Keys without an article: values written by another tool, pages of a run killed before its articles.
    keyed = " UNION ".join(f"SELECT url FROM {table}" for table in (*KEYED_TABLES, f"{PAGES_ALIAS}.pages"))
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE orphan_keys AS SELECT url FROM ({keyed} UNION SELECT story_id FROM articles) k "
        "WHERE url IS NOT NULL AND NOT EXISTS (SELECT 1 FROM articles a WHERE a.url = k.url)"
    )
    for (old,) in con.execute("SELECT url FROM orphan_keys").fetchall():
        new = new_key(old)
        if new != old:
            changes.append({"old_url": old, "new_url": new})
    con.register("url_changes", pa.Table.from_pylist(changes, schema=_CHANGES_SCHEMA))
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE url_rekey AS
        WITH members AS (
            SELECT old_url, new_url FROM url_changes
            UNION
            -- a key that stays as it is, met by one that changes
            SELECT c.new_url, c.new_url FROM url_changes c
            WHERE c.new_url NOT IN (SELECT old_url FROM url_changes)
              AND (EXISTS (SELECT 1 FROM articles a WHERE a.url = c.new_url)
                   OR c.new_url IN (SELECT url FROM orphan_keys))
        )
        SELECT m.old_url, m.new_url,
               row_number() OVER (
                   PARTITION BY m.new_url ORDER BY a.url IS NULL, a.text IS NULL, a.discovered_at, m.old_url
               ) AS rank
        FROM members m LEFT JOIN articles a ON a.url = m.old_url
        """
    )
    con.unregister("url_changes")
    con.execute("DROP TABLE orphan_keys")
    return int(con.execute("SELECT count(*) FROM url_rekey").fetchall()[0][0])


def rekey_pages(con: duckdb.DuckDBPyConnection) -> None:
    """Before schema 8: build `url_rekey` and move the raw pages to their new keys, in a transaction of its own
    (the pages live in their own file, and DuckDB writes one file per transaction). The move is recorded in the
    pages' file in the same transaction, so a migration cut short after it does not move them twice (a page already
    moved to a key that itself changes would be carried on)."""
    con.execute("BEGIN TRANSACTION")
    try:
        size = build_rekey_map(con)
        merged = con.execute("SELECT count(*) FROM url_rekey WHERE rank > 1").fetchall()[0][0]
        log.info("schema 8: %d stored keys change or meet another; %d give way to the key they meet", size, merged)
        con.execute(_PAGE_MIGRATIONS)
        done = con.execute(f"SELECT count(*) FROM {PAGES_ALIAS}.page_migrations WHERE version = $v", {"v": VERSION})
        if not done.fetchall()[0][0]:
            _move_pages(con)
            con.execute(f"INSERT INTO {PAGES_ALIAS}.page_migrations VALUES ($v, now())", {"v": VERSION})
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise


def _move_pages(con: duckdb.DuckDBPyConnection) -> None:
    pages = f"{PAGES_ALIAS}.pages"
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE moved_pages AS
        SELECT r.new_url AS url, p.* EXCLUDE (url)
        FROM url_rekey r JOIN {pages} p ON p.url = r.old_url
        QUALIFY row_number() OVER (PARTITION BY r.new_url ORDER BY r.rank) = 1
        """
    )
    con.execute(
        f"DELETE FROM {pages} WHERE url IN (SELECT old_url FROM url_rekey) OR url IN (SELECT url FROM moved_pages)"
    )
    con.execute(f"INSERT INTO {pages} BY NAME SELECT * FROM moved_pages")
    moved = con.execute("SELECT count(*) FROM moved_pages").fetchall()[0][0]
    con.execute("DROP TABLE moved_pages")
    log.info("schema 8: %d raw pages under their new keys", moved)
