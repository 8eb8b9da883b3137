-- Who was quoted in the week's relevant articles, on which side, in how many articles.
SELECT v.name, v.side, count(DISTINCT v.url) AS articles, sum(v.mentions) AS mentions
FROM current_voices v
JOIN coverage c ON c.url = v.url AND c.topic = v.topic
WHERE c.topic = $topic AND c.relevant AND c.published_at >= $start AND c.published_at < $end
GROUP BY v.name, v.side
ORDER BY articles DESC, mentions DESC, v.name
