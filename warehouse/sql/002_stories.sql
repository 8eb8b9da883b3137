-- Schema version 2: wire copies and syndicated stories.
-- story_id is the URL of the earliest-seen copy of the story (its origin); sketches hold each article's
-- bottom-k MinHash values of word 5-shingles, joined on `h` to find candidate copies (extractors/dedupe.py).

ALTER TABLE articles ADD COLUMN story_id TEXT;

CREATE TABLE sketches (
    url  TEXT NOT NULL,
    h    BIGINT NOT NULL,
    PRIMARY KEY (url, h)
);
CREATE INDEX sketches_h ON sketches (h);

-- Articles stored before version 2 get their sketch and story in the next ingest (its backlog step).
