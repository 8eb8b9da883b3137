-- Relevant articles per stance in a window ($topic, $start inclusive, $end exclusive).
SELECT stance, count(*) AS articles
FROM coverage
WHERE topic = $topic AND relevant AND published_at >= $start AND published_at < $end
GROUP BY stance
