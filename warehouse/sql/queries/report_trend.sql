-- Relevant articles per ISO week and stance in a window ($topic, $start inclusive, $end exclusive).
SELECT week, stance, count(*) AS articles
FROM coverage
WHERE topic = $topic AND relevant AND published_at >= $start AND published_at < $end
GROUP BY week, stance
ORDER BY week, stance
