-- Schema version 8: article keys in the canonical form of this release (extractors/urls.py; docs/deduplication.md,
-- "Canonical URLs"): escapes of reserved characters kept (`%2F` is not `/`), dot segments removed, valueless query
-- parameters kept valueless, `ref` and `rss` no longer dropped as tracking.
--
-- Before this file runs, the migration runner's Python step (warehouse/keys.py, `rekey_pages`) has built the
-- temporary table `url_rekey (old_url, new_url, rank)`: each stored key that changes (an article's new key is the
-- canonical form of its `link`), and each unchanged key that another one now meets. Where several old keys meet,
-- `rank` 1 survives: the article with text, then the one discovered first, then the smaller old key. The same step
-- has moved the raw pages, in a transaction of their own (DuckDB writes one file per transaction). This file
-- re-keys everything else in one transaction: a failure leaves the warehouse at version 7, and the next open
-- tries again.

-- What changed, kept for analysts who hold old keys (an export, a spreadsheet of labels).
CREATE TABLE url_rekeys (
    old_url         TEXT NOT NULL,     -- the key as it was stored
    new_url         TEXT NOT NULL,     -- the key now
    kept            BOOLEAN NOT NULL,  -- false: it met a better-ranked key at new_url and its rows gave way
    schema_version  INTEGER NOT NULL,  -- the migration that re-keyed it
    PRIMARY KEY (schema_version, old_url)
);
INSERT INTO url_rekeys SELECT old_url, new_url, rank = 1, 8 FROM url_rekey;

-- Tables with a primary key on the URL: the survivors' rows are copied under their new keys, every row of the keys
-- involved is deleted, the copies go back in (an UPDATE of a key column could collide with a row not yet moved:
-- `/p` may become `/p?ref=x` while `/q/../p` becomes `/p`).
CREATE TEMP TABLE rekeyed_articles AS
SELECT r.new_url AS url, a.* EXCLUDE (url) FROM articles a JOIN url_rekey r ON r.old_url = a.url WHERE r.rank = 1;
DELETE FROM articles WHERE url IN (SELECT old_url FROM url_rekey);
INSERT INTO articles BY NAME SELECT * FROM rekeyed_articles;
-- A story is named by its origin's key; an origin that gave way leads to the survivor, which has its key now.
UPDATE articles SET story_id = r.new_url
FROM url_rekey r WHERE articles.story_id = r.old_url AND r.old_url <> r.new_url;

-- Classifications, evidence and voices were computed from an article's text: the survivor's stay, the others go.
CREATE TEMP TABLE rekeyed_classifications AS
SELECT r.new_url AS url, c.* EXCLUDE (url) FROM classifications c JOIN url_rekey r ON r.old_url = c.url
WHERE r.rank = 1;
DELETE FROM classifications WHERE url IN (SELECT old_url FROM url_rekey);
INSERT INTO classifications BY NAME SELECT * FROM rekeyed_classifications;

CREATE TEMP TABLE rekeyed_evidence AS
SELECT r.new_url AS url, e.* EXCLUDE (url) FROM evidence e JOIN url_rekey r ON r.old_url = e.url WHERE r.rank = 1;
DELETE FROM evidence WHERE url IN (SELECT old_url FROM url_rekey);
INSERT INTO evidence BY NAME SELECT * FROM rekeyed_evidence;

CREATE TEMP TABLE rekeyed_voices AS
SELECT r.new_url AS url, v.* EXCLUDE (url) FROM voices v JOIN url_rekey r ON r.old_url = v.url WHERE r.rank = 1;
DELETE FROM voices WHERE url IN (SELECT old_url FROM url_rekey);
INSERT INTO voices BY NAME SELECT * FROM rekeyed_voices;

-- Human labels: a label on a row that gives way moves to the survivor; of a group's labels for one topic the most
-- recent is kept (a later label is a later decision, as a relabel replaces the earlier one), ties to the
-- better-ranked key.
CREATE TEMP TABLE rekeyed_labels AS
SELECT r.new_url AS url, l.* EXCLUDE (url) FROM labels l JOIN url_rekey r ON r.old_url = l.url
QUALIFY row_number() OVER (PARTITION BY r.new_url, l.topic ORDER BY l.labelled_at DESC, r.rank) = 1;
DELETE FROM labels WHERE url IN (SELECT old_url FROM url_rekey);
INSERT INTO labels BY NAME SELECT * FROM rekeyed_labels;

-- Sketch values have no key: updated in place, they keep the discovery order that story lookups rely on (schema 6).
DELETE FROM sketches WHERE url IN (SELECT old_url FROM url_rekey WHERE rank > 1);
UPDATE sketches SET url = r.new_url FROM url_rekey r WHERE sketches.url = r.old_url AND r.old_url <> r.new_url;

DROP TABLE rekeyed_articles;
DROP TABLE rekeyed_classifications;
DROP TABLE rekeyed_evidence;
DROP TABLE rekeyed_voices;
DROP TABLE rekeyed_labels;
DROP TABLE url_rekey;
