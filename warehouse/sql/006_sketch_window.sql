-- Schema version 6: story candidates from a window of recent articles, at a cost that does not grow with the
-- warehouse. Each sketch value carries its article's `discovered_at` (`seen_at`); a batch's candidates are the
-- articles seen at most `STORY_WINDOW` (90 days, extractors/dedupe.py) before the batch's earliest article. Values
-- are appended in discovery order, so DuckDB's per-row-group min/max of `seen_at` skips everything older without
-- reading it: the scan covers the window, not the whole history (one scan of 64 million values took 0.2-1.6 s a
-- batch at a million articles).

CREATE TABLE sketches_v6 (url TEXT NOT NULL, h BIGINT NOT NULL, seen_at TIMESTAMPTZ NOT NULL);

-- The values keep their order: they were appended batch by batch in discovery order, and the join streams
-- `sketches` (a million-article warehouse: 7-8 s and 1.6-2 GB; sorting the 64 million rows instead took 48 s and
-- 6.9 GB). Values without an article (written by another tool) are kept, dated at the epoch; no lookup could use
-- them before either (a candidate needs its article's story).
INSERT INTO sketches_v6
SELECT s.url, s.h, coalesce(a.discovered_at, TIMESTAMPTZ '1970-01-01 00:00:00+00')
FROM sketches s LEFT JOIN articles a USING (url);

DROP TABLE sketches;
ALTER TABLE sketches_v6 RENAME TO sketches;
