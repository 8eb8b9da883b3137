-- Schema version 3: raw HTML kept compressed, so that `presswatch reextract` can rebuild text and metadata after
-- an extractor upgrade without fetching anything again. `[warehouse] keep_html = false` turns it off.

CREATE TABLE pages (
    url           TEXT PRIMARY KEY,      -- the article's canonical URL
    fetched_at    TIMESTAMPTZ NOT NULL,
    content_type  TEXT,
    compression   TEXT NOT NULL CHECK (compression IN ('zlib')),
    bytes         INTEGER NOT NULL,      -- size before compression
    body          BLOB NOT NULL USING COMPRESSION uncompressed  -- see below
);

-- `body` is stored as it comes: zlib output does not compress further, and DuckDB analysing every body for its own
-- compression cost 0.4 CPU-seconds per 200 pages at each checkpoint (0.1 s without). Warehouses created before this
-- line was added keep DuckDB's compression for `pages`: the pages and their meaning are the same, and rebuilding the
-- table in place measured 3-4 GB of memory per 100,000 pages.
