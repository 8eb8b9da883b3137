-- Placements per outlet and stance in each report week ($start inclusive), among the rows of `report_coverage`:
-- an outlet's copies of one story (the same text at two URLs, e.g. its RSS and Atom links) count once, while
-- different outlets' copies of a wire story each count (docs/deduplication.md). Outlets in the order of their
-- first article (published_at, url), as the report lists ties.
SELECT week, coalesce(outlet, '') AS outlet,
       count(DISTINCT story_id) FILTER (WHERE stance = 'supportive') AS supportive,
       count(DISTINCT story_id) FILTER (WHERE stance = 'opposed') AS opposed,
       count(DISTINCT story_id) FILTER (WHERE stance = 'neutral') AS neutral,
       count(DISTINCT story_id) FILTER (WHERE stance = 'off_topic') AS off_topic
FROM report_window
WHERE published_at >= $start
GROUP BY week, coalesce(outlet, '')
ORDER BY week, min({'published_at': published_at, 'url': url})
