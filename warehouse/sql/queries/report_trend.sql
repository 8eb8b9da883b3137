-- Relevant placements per ISO week and stance among the rows of `report_coverage` (registered as report_window):
-- one outlet's copies of one story count once, as in report_outlets.
SELECT week, stance, count(DISTINCT (coalesce(outlet, ''), story_id)) AS articles
FROM report_window
WHERE relevant
GROUP BY week, stance
ORDER BY week, stance
