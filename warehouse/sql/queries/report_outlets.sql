-- Articles per outlet and stance in each report week ($start inclusive), among the rows of `report_coverage`;
-- outlets in the order of their first article (published_at, url), as the report lists ties.
SELECT week, coalesce(outlet, '') AS outlet,
       count(*) FILTER (WHERE stance = 'supportive') AS supportive,
       count(*) FILTER (WHERE stance = 'opposed') AS opposed,
       count(*) FILTER (WHERE stance = 'neutral') AS neutral,
       count(*) FILTER (WHERE stance = 'off_topic') AS off_topic
FROM report_window
WHERE published_at >= $start
GROUP BY week, coalesce(outlet, '')
ORDER BY week, min({'published_at': published_at, 'url': url})
