-- Schema version 8, the PostgreSQL twin of ../008_canonical_urls.sql. A shared store is always written with this
-- release's canonical URLs (it starts at version 7 with them), so nothing here needs re-keying; the record table
-- exists so that the two stores keep the same tables, and a later change of the canonical rules fills it.
CREATE TABLE url_rekeys (
    old_url         TEXT NOT NULL,     -- the key as it was stored
    new_url         TEXT NOT NULL,     -- the key now
    kept            BOOLEAN NOT NULL,  -- false: it met a better-ranked key at new_url and its rows gave way
    schema_version  INTEGER NOT NULL,  -- the migration that re-keyed it
    PRIMARY KEY (schema_version, old_url)
);
