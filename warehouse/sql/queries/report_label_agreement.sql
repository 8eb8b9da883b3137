-- How often the classifier agrees with the human labels of a topic (all weeks): the report's measured accuracy.
-- The same rows as `coverage` WHERE human_stance IS NOT NULL, ranking only the labelled articles'
-- classifications (see report_coverage.sql).
WITH current AS (
    SELECT c.* FROM classifications c
    WHERE c.topic = $topic AND c.url IN (SELECT url FROM labels WHERE topic = $topic)
    QUALIFY row_number() OVER (PARTITION BY c.url, c.topic ORDER BY c.classified_at DESC, c.ruleset_version) = 1
)
SELECT count(*) AS labelled,
       count(*) FILTER (WHERE c.stance = l.stance) AS agreed,
       count(*) FILTER (WHERE (c.stance = 'off_topic') = (l.stance = 'off_topic')) AS relevance_agreed
FROM articles a
JOIN current c USING (url)
JOIN labels l ON l.url = c.url AND l.topic = c.topic
