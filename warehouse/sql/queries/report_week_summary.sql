-- Per report week ($start inclusive), among the rows of `report_coverage`: unique stories among the articles
-- with a stance (wire copies count once) and the ruleset versions of the week's labels.
SELECT week,
       count(DISTINCT coalesce(nullif(story_id, ''), url)) FILTER (WHERE stance <> 'off_topic') AS stories,
       list(DISTINCT ruleset_version) AS ruleset_versions
FROM report_window
WHERE published_at >= $start
GROUP BY week
