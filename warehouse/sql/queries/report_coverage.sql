-- The `coverage` rows of one topic's articles published in [$start, $end) (UTC), with the columns a weekly
-- report needs (same names and meaning as the view, warehouse/sql/views.sql) plus `published` (the UTC date as
-- text) and the outlet of each story's first copy. Read once per quarter of report weeks into `report_window`.
-- The current classification is ranked among the window's articles only: the view ranks every classification
-- in the warehouse, which for a million articles costs more than the whole report (docs/benchmarks.md).
-- Filtering on url and topic before ranking within (url, topic) picks the same row, since both are the
-- ranking's partition keys; tests/test_report.py checks that these rows equal the view's.
WITH window_articles AS (
    SELECT url, outlet, title, published_at, language, text_source, coalesce(story_id, url) AS story_id
    FROM articles
    WHERE published_at >= $start AND published_at < $end
),
candidates AS (
    SELECT hash(url) AS h, url, topic, ruleset_version, classified_at, relevant, stance, score, confidence, flags
    FROM classifications
    WHERE topic = $topic AND url IN (SELECT url FROM window_articles)
),
reclassified AS (
    -- Hashes of the URLs with several classifications (a hash shared by two URLs only sends both to the
    -- ranking below, which compares the URLs themselves: the result stays exact).
    SELECT h FROM candidates GROUP BY h HAVING count(*) > 1
),
current AS (
    -- An article's only classification is its current one; only those with several are ranked.
    SELECT * EXCLUDE (h, classified_at) FROM candidates WHERE h NOT IN (SELECT h FROM reclassified)
    UNION ALL
    SELECT * EXCLUDE (h, classified_at) FROM candidates
    WHERE h IN (SELECT h FROM reclassified)
    QUALIFY row_number() OVER (PARTITION BY url, topic ORDER BY classified_at DESC, ruleset_version) = 1
),
origins AS (
    SELECT url, outlet FROM articles WHERE url IN (SELECT story_id FROM window_articles WHERE story_id <> url)
)
SELECT
    a.url,
    a.outlet,
    a.title,
    a.published_at,
    strftime(a.published_at, '%Y-%m-%d') AS published,
    strftime(a.published_at, '%G-W%V') AS week,
    a.language,
    c.topic,
    CASE WHEN l.stance IS NULL THEN c.relevant ELSE l.stance <> 'off_topic' END AS relevant,
    coalesce(l.stance, c.stance) AS stance,
    c.score,
    c.confidence,
    c.ruleset_version,
    c.stance AS machine_stance,
    l.stance AS human_stance,
    c.flags,
    a.text_source,
    a.story_id,
    CASE WHEN a.story_id = a.url THEN a.outlet ELSE o.outlet END AS story_origin_outlet
FROM window_articles a
JOIN current c USING (url)
LEFT JOIN labels l ON l.url = c.url AND l.topic = c.topic
LEFT JOIN origins o ON o.url = a.story_id
