-- Relevant articles per ISO week and stance among the rows of `report_coverage` (registered as report_window).
SELECT week, stance, count(*) AS articles
FROM report_window
WHERE relevant
GROUP BY week, stance
ORDER BY week, stance
