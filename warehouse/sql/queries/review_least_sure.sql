-- The relevant articles of one topic published in [$start, $end) (UTC) that the rules are least sure about, for
-- `presswatch review`: lowest confidence of the current classification first (the confidence grows with the
-- distance between the own-voice total and the threshold), at most $limit, each with its $evidence strongest
-- own-voice evidence rows. Left out: articles a human labelled for the topic (`labels`), and those labelled
-- neutral for lack of rules in their language (their confidence is a fixed 0.2, not a margin; the report lists
-- them apart). `candidates` is how many articles qualified before the limit.
-- The current classification is ranked among the week's articles only, as in report_coverage.sql.
WITH week_articles AS (
    SELECT url, outlet, title, published_at FROM articles WHERE published_at >= $start AND published_at < $end
),
current AS (
    SELECT c.url, c.ruleset_version, c.relevant, c.stance, c.score, c.confidence, c.flags
    FROM classifications c
    WHERE c.topic = $topic AND c.url IN (SELECT url FROM week_articles)
    QUALIFY row_number() OVER (PARTITION BY c.url ORDER BY c.classified_at DESC, c.ruleset_version) = 1
),
unsure AS (
    SELECT a.url, a.outlet, a.title, a.published_at, c.ruleset_version, c.stance, c.score, c.confidence, c.flags,
           count(*) OVER () AS candidates
    FROM week_articles a
    JOIN current c USING (url)
    WHERE c.relevant
      AND NOT list_contains(c.flags, 'no_rules_for_language')
      AND a.url NOT IN (SELECT url FROM labels WHERE topic = $topic)
    ORDER BY c.confidence, a.url
    LIMIT $limit
),
strongest AS (
    SELECT e.url, e.seq, e.rule_id, e.matched, e.weight
    FROM evidence e
    JOIN unsure u ON e.url = u.url AND e.ruleset_version = u.ruleset_version
    WHERE e.topic = $topic AND e.voice = 'own' AND e.weight <> 0
    QUALIFY row_number() OVER (PARTITION BY e.url ORDER BY abs(e.weight) DESC, e.seq) <= $evidence
)
SELECT u.url, u.outlet, u.title, strftime(u.published_at, '%Y-%m-%d') AS published, u.stance, u.score,
       u.confidence, u.flags, u.candidates,
       coalesce(
           list({'rule_id': s.rule_id, 'matched': s.matched, 'weight': s.weight} ORDER BY abs(s.weight) DESC, s.seq)
               FILTER (WHERE s.url IS NOT NULL),
           []
       ) AS evidence
FROM unsure u
LEFT JOIN strongest s USING (url)
GROUP BY ALL
ORDER BY u.confidence, u.url
