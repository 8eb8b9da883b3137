-- Evidence of the current classification for the week's relevant articles, strongest first:
-- the author's own voice before quoted voices, then by absolute weight.
SELECT e.url, e.rule_id, e.kind, e.matched, e.snippet, e.weight, e.voice
FROM current_evidence e
JOIN coverage c ON c.url = e.url AND c.topic = e.topic
WHERE c.topic = $topic AND c.published_at >= $start AND c.published_at < $end AND e.weight <> 0
ORDER BY e.url, (e.voice = 'own') DESC, abs(e.weight) DESC, e.seq
