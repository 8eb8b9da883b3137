-- Articles stored per ISO week among the rows of `report_coverage` (relevant or not): a week with none had no
-- collection at all (no feed listed anything published then), which the chart shows apart from a week whose
-- articles were all off-topic.
SELECT week, count(*) AS articles
FROM report_window
GROUP BY week
