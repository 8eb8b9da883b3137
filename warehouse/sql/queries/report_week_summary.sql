-- Per report week ($start inclusive), among the rows of `report_coverage`: unique stories among the articles
-- with a stance (wire copies count once), the ruleset versions of the week's labels, and the mean confidence of
-- the machine's relevant labels (the expected share of them that is right, the confidence being calibrated).
SELECT week,
       count(DISTINCT coalesce(nullif(story_id, ''), url)) FILTER (WHERE stance <> 'off_topic') AS stories,
       list(DISTINCT ruleset_version) AS ruleset_versions,
       avg(confidence) FILTER (WHERE relevant AND human_stance IS NULL) AS mean_confidence
FROM report_window
WHERE published_at >= $start
GROUP BY week
