-- Feeds whose latest fetched body was read with a warning (ill-formed but recovered, entries without links, ...).
-- The latest body, not the latest fetch: an unchanged or not-modified answer since then is the same broken feed,
-- and its warning stays in every report until the feed is fixed.
SELECT f.url, coalesce(nullif(f.name, ''), f.title, f.url) AS feed, ff.detail
FROM feeds f
JOIN feed_fetches ff ON ff.feed_url = f.url
WHERE ff.outcome = 'ok' AND f.active
QUALIFY row_number() OVER (PARTITION BY f.url ORDER BY ff.fetched_at DESC) = 1
    AND coalesce(ff.detail, '') <> ''
ORDER BY feed
