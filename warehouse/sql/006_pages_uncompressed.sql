-- Schema version 6: raw pages are stored as they come (zlib-compressed by presswatch), without DuckDB trying its
-- own compression on them. Checkpoints analysed every body for compression that zlib output cannot give: writing
-- 200 pages (about 3 MB) cost 0.4 CPU-seconds at each checkpoint, against 0.1 s now, for files of the same size
-- (docs/benchmarks.md, "Ingest end to end"). DuckDB cannot change a column's compression in place, so the table is
-- rebuilt (once; about a minute per 100,000 pages).

CREATE TABLE pages_v6 (
    url           TEXT PRIMARY KEY,      -- the article's canonical URL
    fetched_at    TIMESTAMPTZ NOT NULL,
    content_type  TEXT,
    compression   TEXT NOT NULL CHECK (compression IN ('zlib')),
    bytes         INTEGER NOT NULL,      -- size before compression
    body          BLOB NOT NULL USING COMPRESSION uncompressed
);
INSERT INTO pages_v6 SELECT url, fetched_at, content_type, compression, bytes, body FROM pages;
DROP TABLE pages;
ALTER TABLE pages_v6 RENAME TO pages;
