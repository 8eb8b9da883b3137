-- Who was quoted in each report week's relevant articles ($start inclusive), on which side, in how many
-- articles: the voices of the current classification (as the `current_voices` view).
SELECT c.week, v.name, v.side, count(DISTINCT v.url) AS articles, sum(v.mentions) AS mentions
FROM voices v
JOIN report_window c ON c.url = v.url AND c.topic = v.topic AND c.ruleset_version = v.ruleset_version
WHERE c.relevant AND c.published_at >= $start
GROUP BY c.week, v.name, v.side
ORDER BY c.week, articles DESC, mentions DESC, v.name
