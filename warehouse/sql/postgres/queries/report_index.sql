-- Every week of a topic with its counts, newest first: the topic's index.md (../../queries/report_index.sql in
-- PostgreSQL's SQL; the shared store answers it itself, since it spans the whole history).
WITH current AS (
    SELECT DISTINCT ON (url) url, topic, relevant, stance
    FROM classifications
    WHERE topic = $topic
    ORDER BY url, classified_at DESC, ruleset_version
),
rows AS (
    SELECT
        date_trunc('week', a.published_at) AS monday,
        coalesce(a.story_id, a.url) AS story_id,
        a.outlet,
        CASE WHEN l.stance IS NULL THEN c.relevant ELSE l.stance <> 'off_topic' END AS relevant,
        coalesce(l.stance, c.stance) AS stance
    FROM articles a
    JOIN current c USING (url)
    LEFT JOIN labels l ON l.url = c.url AND l.topic = c.topic
    WHERE a.published_at IS NOT NULL
)
SELECT
    to_char(monday, 'IYYY-"W"IW') AS week,
    count(*) FILTER (WHERE relevant) AS relevant,
    count(DISTINCT story_id) FILTER (WHERE relevant) AS stories,
    count(DISTINCT outlet) FILTER (WHERE relevant) AS outlets,
    count(*) FILTER (WHERE stance = 'supportive') AS supportive,
    count(*) FILTER (WHERE stance = 'opposed') AS opposed,
    count(*) FILTER (WHERE stance = 'neutral') AS neutral,
    count(*) FILTER (WHERE NOT relevant) AS off_topic
FROM rows
GROUP BY monday
ORDER BY week DESC
