-- Schema version 3: raw HTML kept compressed, so that `presswatch reextract` can rebuild text and metadata after
-- an extractor upgrade without fetching anything again. `[warehouse] keep_html = false` turns it off.

CREATE TABLE pages (
    url           TEXT PRIMARY KEY,      -- the article's canonical URL
    fetched_at    TIMESTAMPTZ NOT NULL,
    content_type  TEXT,
    compression   TEXT NOT NULL CHECK (compression IN ('zlib')),
    bytes         INTEGER NOT NULL,      -- size before compression
    body          BLOB NOT NULL
);
