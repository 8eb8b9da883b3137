-- The shared warehouse on PostgreSQL (`[warehouse] url = "postgresql://..."`, docs/scaling.md), created at the
-- schema version the DuckDB file has after its migrations 001-007: the same tables, columns, keys and checks, in
-- PostgreSQL's types (DOUBLE PRECISION, BYTEA, JSON). Later migrations come as a pair, one file per dialect with the
-- same number, so that both stores stay at the same version (tests/test_shared_store.py checks it).

CREATE TABLE feeds (
    url                   TEXT PRIMARY KEY,
    name                  TEXT,
    source                TEXT NOT NULL DEFAULT 'config' CHECK (source IN ('config', 'cli', 'opml')),
    active                BOOLEAN NOT NULL DEFAULT true,
    title                 TEXT,
    site_url              TEXT,
    added_at              TIMESTAMPTZ NOT NULL,
    etag                  TEXT,
    last_modified         TEXT,
    body_hash             TEXT,
    last_fetched_at       TIMESTAMPTZ,
    last_success_at       TIMESTAMPTZ,
    last_new_item_at      TIMESTAMPTZ,
    last_status           INTEGER,
    consecutive_failures  INTEGER NOT NULL DEFAULT 0,
    last_error            TEXT,
    last_error_detail     TEXT,
    not_modified_count    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE feed_fetches (
    run_id        TEXT NOT NULL,
    feed_url      TEXT NOT NULL,
    fetched_at    TIMESTAMPTZ NOT NULL,
    outcome       TEXT NOT NULL CHECK (outcome IN ('ok', 'not_modified', 'unchanged', 'failed')),
    http_status   INTEGER,
    error         TEXT,
    detail        TEXT,
    entries       INTEGER NOT NULL DEFAULT 0,
    new_entries   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (run_id, feed_url)
);

CREATE TABLE articles (
    url               TEXT PRIMARY KEY,
    link              TEXT NOT NULL,
    feed_url          TEXT NOT NULL,
    host              TEXT NOT NULL,
    feed_title        TEXT,
    feed_summary      TEXT,
    feed_author       TEXT,
    feed_published_at TIMESTAMPTZ,
    discovered_at     TIMESTAMPTZ NOT NULL,
    fetch_status      TEXT NOT NULL CHECK (fetch_status IN ('pending', 'fetched', 'failed')),
    fetch_attempts    INTEGER NOT NULL DEFAULT 0,
    fetched_at        TIMESTAMPTZ,
    final_url         TEXT,
    http_status       INTEGER,
    fetch_error       TEXT,
    fetch_detail      TEXT,
    extract_status    TEXT CHECK (extract_status IN ('ok', 'too_short', 'empty')),
    extract_detail    TEXT,
    outlet            TEXT,
    title             TEXT,
    author            TEXT,
    description       TEXT,
    published_at      TIMESTAMPTZ,
    date_source       TEXT CHECK (date_source IN ('feed', 'page', 'discovered')),
    language          TEXT,
    text              TEXT,
    text_source       TEXT CHECK (text_source IN ('page', 'feed_summary')),
    word_count        INTEGER,
    content_hash      TEXT,
    story_id          TEXT,
    sketch            BIGINT[]
);
-- A shard reads its pending articles by feed (warehouse/store.py); reports read a window of publication dates.
CREATE INDEX articles_pending ON articles (feed_url, discovered_at) WHERE fetch_status <> 'fetched';
CREATE INDEX articles_published ON articles (published_at);

CREATE TABLE classifications (
    url              TEXT NOT NULL,
    topic            TEXT NOT NULL,
    ruleset_version  TEXT NOT NULL,
    classified_at    TIMESTAMPTZ NOT NULL,
    relevant         BOOLEAN NOT NULL,
    stance           TEXT NOT NULL CHECK (stance IN ('supportive', 'opposed', 'neutral', 'off_topic')),
    score            DOUBLE PRECISION NOT NULL CHECK (score BETWEEN -1 AND 1),
    confidence       DOUBLE PRECISION NOT NULL CHECK (confidence BETWEEN 0 AND 1),
    language         TEXT,
    flags            TEXT[] NOT NULL,
    PRIMARY KEY (url, topic, ruleset_version)
);

CREATE TABLE evidence (
    url              TEXT NOT NULL,
    topic            TEXT NOT NULL,
    ruleset_version  TEXT NOT NULL,
    seq              INTEGER NOT NULL,
    rule_id          TEXT NOT NULL,
    kind             TEXT NOT NULL,
    matched          TEXT NOT NULL,
    snippet          TEXT NOT NULL,
    weight           DOUBLE PRECISION NOT NULL,
    voice            TEXT NOT NULL CHECK (voice IN ('own', 'quoted')),
    language         TEXT,
    PRIMARY KEY (url, topic, ruleset_version, seq)
);

CREATE TABLE voices (
    url              TEXT NOT NULL,
    topic            TEXT NOT NULL,
    ruleset_version  TEXT NOT NULL,
    name             TEXT NOT NULL,
    side             TEXT NOT NULL CHECK (side IN ('supportive', 'opposed', 'neutral')),
    mentions         INTEGER NOT NULL,
    snippet          TEXT,
    PRIMARY KEY (url, topic, ruleset_version, name)
);

CREATE TABLE labels (
    url         TEXT NOT NULL,
    topic       TEXT NOT NULL,
    stance      TEXT NOT NULL CHECK (stance IN ('supportive', 'opposed', 'neutral', 'off_topic')),
    note        TEXT,
    labelled_at TIMESTAMPTZ NOT NULL,
    labelled_by TEXT,
    PRIMARY KEY (url, topic)
);

CREATE TABLE runs (
    run_id       TEXT PRIMARY KEY,
    flow         TEXT NOT NULL,
    started_at   TIMESTAMPTZ NOT NULL,
    finished_at  TIMESTAMPTZ,
    status       TEXT NOT NULL CHECK (status IN ('running', 'completed', 'failed')),
    summary      JSON
);

-- Append-only, as in the DuckDB file (schema 5 and 6 say why); PostgreSQL answers the candidate join from an index
-- on the value.
CREATE TABLE sketches (url TEXT NOT NULL, h BIGINT NOT NULL, seen_at TIMESTAMPTZ NOT NULL);
CREATE INDEX sketches_h ON sketches (h);
CREATE INDEX sketches_url ON sketches (url);

-- Raw pages in a schema of their own, so that the same `raw.pages` name reaches them as in the DuckDB file.
CREATE SCHEMA IF NOT EXISTS raw;
CREATE TABLE raw.pages (
    url           TEXT PRIMARY KEY,
    fetched_at    TIMESTAMPTZ NOT NULL,
    content_type  TEXT,
    compression   TEXT NOT NULL CHECK (compression IN ('zlib')),
    bytes         INTEGER NOT NULL,
    body          BYTEA NOT NULL
);
