-- presswatch warehouse, schema version 1.
-- Timestamps are TIMESTAMPTZ in UTC; enumerations are checked text so that analysts can compare with plain strings.

CREATE TABLE feeds (
    url                   TEXT PRIMARY KEY,      -- as configured
    name                  TEXT,                  -- label from the config
    source                TEXT NOT NULL DEFAULT 'config' CHECK (source IN ('config', 'cli', 'opml')),
    active                BOOLEAN NOT NULL DEFAULT true,  -- false: removed with `presswatch feeds remove`
    title                 TEXT,                  -- the feed's own title
    site_url              TEXT,
    added_at              TIMESTAMPTZ NOT NULL,
    etag                  TEXT,                  -- validators stored verbatim for conditional GET
    last_modified         TEXT,
    body_hash             TEXT,                  -- sha256 of the last body parsed: unchanged bodies are not re-parsed
    last_fetched_at       TIMESTAMPTZ,
    last_success_at       TIMESTAMPTZ,
    last_new_item_at      TIMESTAMPTZ,
    last_status           INTEGER,
    consecutive_failures  INTEGER NOT NULL DEFAULT 0,
    last_error            TEXT,
    last_error_detail     TEXT,
    not_modified_count    INTEGER NOT NULL DEFAULT 0
);

-- One row per feed fetch: what the report's data-quality section and feed health are built from.
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

-- One row per canonical article URL, from discovery in a feed to extracted text.
CREATE TABLE articles (
    url               TEXT PRIMARY KEY,          -- canonical URL: the key every stage dedupes on
    link              TEXT NOT NULL,             -- the link as the feed wrote it
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
    fetch_error       TEXT,                      -- reason code, e.g. http_404, robots_disallowed, not_html
    fetch_detail      TEXT,
    extract_status    TEXT CHECK (extract_status IN ('ok', 'too_short', 'empty')),
    extract_detail    TEXT,
    outlet            TEXT,
    title             TEXT,
    author            TEXT,
    description       TEXT,
    published_at      TIMESTAMPTZ,               -- best available date, see date_source
    date_source       TEXT CHECK (date_source IN ('feed', 'page', 'discovered')),
    language          TEXT,
    text              TEXT,
    text_source       TEXT CHECK (text_source IN ('page', 'feed_summary')),
    word_count        INTEGER,
    content_hash      TEXT
);

CREATE TABLE classifications (
    url              TEXT NOT NULL,
    topic            TEXT NOT NULL,
    ruleset_version  TEXT NOT NULL,
    classified_at    TIMESTAMPTZ NOT NULL,
    relevant         BOOLEAN NOT NULL,
    stance           TEXT NOT NULL CHECK (stance IN ('supportive', 'opposed', 'neutral', 'off_topic')),
    score            DOUBLE NOT NULL CHECK (score BETWEEN -1 AND 1),
    confidence       DOUBLE NOT NULL CHECK (confidence BETWEEN 0 AND 1),
    language         TEXT,
    flags            TEXT[] NOT NULL,
    PRIMARY KEY (url, topic, ruleset_version)
);

CREATE TABLE evidence (
    url              TEXT NOT NULL,
    topic            TEXT NOT NULL,
    ruleset_version  TEXT NOT NULL,
    seq              INTEGER NOT NULL,           -- order within the article's evidence
    rule_id          TEXT NOT NULL,
    kind             TEXT NOT NULL,
    matched          TEXT NOT NULL,
    snippet          TEXT NOT NULL,
    weight           DOUBLE NOT NULL,
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

-- Human corrections: they win over the machine's label in `coverage`.
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
