-- The report week's classified articles of one topic ($topic, $start inclusive, $end exclusive, UTC).
SELECT c.url, c.outlet, c.title, c.published_at, c.language, c.relevant, c.stance, c.machine_stance,
       c.human_stance, c.score, c.confidence, c.flags, c.ruleset_version, c.text_source, c.story_id,
       o.outlet AS story_origin_outlet
FROM coverage c
LEFT JOIN articles o ON o.url = c.story_id
WHERE c.topic = $topic AND c.published_at >= $start AND c.published_at < $end
ORDER BY c.published_at, c.url
