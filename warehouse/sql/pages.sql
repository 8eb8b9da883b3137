-- The raw pages' own file (warehouse/db.py attaches it as `raw`; the warehouse's `pages` view reads it): raw HTML
-- kept compressed, so that `presswatch reextract` can rebuild text and metadata after an extractor upgrade
-- without fetching anything again. `[warehouse] keep_html = false` turns it off.
-- `body` is stored as it comes: zlib output does not compress further, and DuckDB analysing every body for its own
-- compression cost 0.4 CPU-seconds per 200 pages at each checkpoint (0.1 s without).

CREATE TABLE IF NOT EXISTS raw.pages (
    url           TEXT PRIMARY KEY,      -- the article's canonical URL
    fetched_at    TIMESTAMPTZ NOT NULL,
    content_type  TEXT,
    compression   TEXT NOT NULL CHECK (compression IN ('zlib')),
    bytes         INTEGER NOT NULL,      -- size before compression
    body          BLOB NOT NULL USING COMPRESSION uncompressed
);
