-- Schema version 5: story candidates at a cost that does not grow with the warehouse's indexes.
-- The ART indexes of `sketches` (its (url, h) key and `sketches_h`, 64 entries per article) made every write
-- slower as the warehouse grew: inserting a batch's 12,800 values into them took 1.3 s at a million articles,
-- every checkpoint rewrote them whole (another 1.2 s), and the planner never used them for the candidate join
-- (a hash join over a scan of `h`). `sketches` is now a plain append-only table, read by one scan of `h` with a
-- Bloom filter of the batch's values; each article keeps its own sketch in `articles.sketch`, read through the
-- articles' primary key for the few candidates a batch has (flows/ingest.py, warehouse/store.py).

ALTER TABLE articles ADD COLUMN sketch BIGINT[];

UPDATE articles SET sketch = s.hashes
FROM (SELECT url, list(h ORDER BY h) AS hashes FROM sketches GROUP BY url) s
WHERE articles.url = s.url;

CREATE TABLE sketches_v5 (url TEXT NOT NULL, h BIGINT NOT NULL);
INSERT INTO sketches_v5 SELECT url, h FROM sketches;
DROP TABLE sketches;
ALTER TABLE sketches_v5 RENAME TO sketches;
