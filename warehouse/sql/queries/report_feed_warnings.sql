-- Feeds whose latest fetch succeeded with a warning (ill-formed but recovered, entries without links, ...).
SELECT f.url, coalesce(nullif(f.name, ''), f.title, f.url) AS feed, ff.detail
FROM feeds f
JOIN feed_fetches ff ON ff.feed_url = f.url AND ff.fetched_at = f.last_fetched_at
WHERE ff.outcome = 'ok' AND coalesce(ff.detail, '') <> ''
ORDER BY feed
