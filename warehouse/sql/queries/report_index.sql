-- Headline numbers of every ISO week with classified articles of a topic, newest first.
SELECT
    week,
    count(*) FILTER (WHERE relevant) AS relevant,
    count(DISTINCT story_id) FILTER (WHERE relevant) AS stories,
    count(DISTINCT outlet) FILTER (WHERE relevant) AS outlets,
    count(*) FILTER (WHERE stance = 'supportive') AS supportive,
    count(*) FILTER (WHERE stance = 'opposed') AS opposed,
    count(*) FILTER (WHERE stance = 'neutral') AS neutral,
    count(*) FILTER (WHERE NOT relevant) AS off_topic
FROM coverage
WHERE topic = $topic AND week IS NOT NULL
GROUP BY week
ORDER BY week DESC
