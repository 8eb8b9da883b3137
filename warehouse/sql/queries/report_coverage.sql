-- The `coverage` rows of one topic's articles published in [$start, $end) (UTC), with the same columns and
-- meaning as the view (warehouse/sql/views.sql), plus the outlet of each story's first copy.
-- The current classification is ranked among the window's articles only: the view ranks every classification
-- in the warehouse, which for a million articles costs more than the whole report (docs/benchmarks.md).
-- Ranking within (url, topic) after filtering on url and topic picks the same row, since both are the
-- window's partition keys; tests/test_report.py checks that these rows equal the view's.
WITH window_articles AS (
    SELECT * FROM articles WHERE published_at >= $start AND published_at < $end
),
current AS (
    SELECT c.* FROM classifications c
    WHERE c.topic = $topic AND c.url IN (SELECT url FROM window_articles)
    QUALIFY row_number() OVER (PARTITION BY c.url, c.topic ORDER BY c.classified_at DESC, c.ruleset_version) = 1
)
SELECT
    a.url,
    a.outlet,
    a.title,
    a.published_at,
    strftime(a.published_at, '%G-W%V') AS week,
    a.date_source,
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
    a.word_count,
    coalesce(a.story_id, a.url) AS story_id,
    coalesce(a.story_id, a.url) = a.url AS is_origin,
    a.host,
    a.feed_url,
    c.classified_at,
    o.outlet AS story_origin_outlet
FROM window_articles a
JOIN current c USING (url)
LEFT JOIN labels l ON l.url = c.url AND l.topic = c.topic
LEFT JOIN articles o ON o.url = coalesce(a.story_id, a.url)
