-- Headline numbers of every ISO week with classified articles of a topic, newest first: the numbers of
-- `coverage` grouped by week, with the current classification ranked among the topic's rows only and the
-- rows grouped by the week's Monday (cheaper than formatting every timestamp; the same ISO week).
WITH current AS (
    SELECT url, topic, relevant, stance FROM classifications
    WHERE topic = $topic
    QUALIFY row_number() OVER (PARTITION BY url, topic ORDER BY classified_at DESC, ruleset_version) = 1
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
    strftime(monday, '%G-W%V') AS week,
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
