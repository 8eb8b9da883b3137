-- Pages listed in a feed for the window that could not be fetched or extracted, with the reason, by ISO week.
SELECT strftime(coalesce(a.published_at, a.feed_published_at, a.discovered_at), '%G-W%V') AS week,
       p.url, coalesce(a.title, a.feed_title, p.url) AS title, coalesce(p.outlet, a.host) AS outlet, p.problem, p.detail
FROM article_problems p JOIN articles a USING (url)
WHERE coalesce(a.published_at, a.feed_published_at, a.discovered_at) >= $start
  AND coalesce(a.published_at, a.feed_published_at, a.discovered_at) < $end
ORDER BY week, p.problem, p.url
