-- The report weeks' classified articles ($start inclusive) among the rows of `report_coverage`.
SELECT week, url, outlet, title, published_at, language, relevant, stance, machine_stance, human_stance, score,
       confidence, flags, ruleset_version, text_source, story_id, story_origin_outlet
FROM report_window
WHERE published_at >= $start
ORDER BY published_at, url
