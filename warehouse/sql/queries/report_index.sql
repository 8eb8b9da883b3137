-- Headline numbers of every ISO week with classified articles of a topic, newest first: the numbers of
-- `coverage` grouped by week. The rows are grouped by the week's Monday (cheaper than formatting every
-- timestamp; the same ISO week).
WITH reclassified AS (
    -- Hashes of the URLs with several classifications of the topic (a hash shared by two URLs only sends both
    -- to the ranking below, which compares the URLs themselves: the result stays exact).
    SELECT hash(url) AS h FROM classifications WHERE topic = $topic GROUP BY h HAVING count(*) > 1
),
current AS (
    -- An article's only classification is its current one; only those with several are ranked (as the view
    -- ranks them), which spares sorting a million rows by URL.
    SELECT url, topic, relevant, stance FROM classifications
    WHERE topic = $topic AND hash(url) NOT IN (SELECT h FROM reclassified)
    UNION ALL
    SELECT url, topic, relevant, stance FROM classifications
    WHERE topic = $topic AND hash(url) IN (SELECT h FROM reclassified)
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
