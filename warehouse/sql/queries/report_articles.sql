-- The report week's classified articles of one topic ($topic, $start inclusive, $end exclusive, UTC).
SELECT url, outlet, title, published_at, language, relevant, stance, machine_stance, human_stance,
       score, confidence, flags, ruleset_version, text_source, story_id
FROM coverage
WHERE topic = $topic AND published_at >= $start AND published_at < $end
ORDER BY published_at, url
