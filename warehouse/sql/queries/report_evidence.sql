-- Evidence of the current classification (as the `current_evidence` view) of the articles a report shows
-- ($urls), strongest first: the author's own voice before quoted voices, then by absolute weight.
SELECT e.url, e.rule_id, e.kind, e.matched, e.snippet, e.weight, e.voice
FROM evidence e
JOIN (SELECT url, topic, ruleset_version FROM report_window WHERE url IN (SELECT unnest($urls))) c
    ON c.url = e.url AND c.topic = e.topic AND c.ruleset_version = e.ruleset_version
WHERE e.weight <> 0
ORDER BY e.url, (e.voice = 'own') DESC, abs(e.weight) DESC, e.seq
