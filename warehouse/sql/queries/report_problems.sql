-- Pages listed in a feed for the window that could not be fetched or extracted, with the reason, by ISO week.
-- The rows and columns of the `article_problems` view, read in one scan of `articles` (the view joined back to
-- `articles` for the title and date scanned it twice).
SELECT strftime(seen, '%G-W%V') AS week, url, coalesce(title, feed_title, url) AS title,
       coalesce(outlet, host) AS outlet, problem, detail
FROM (
    SELECT url, title, feed_title, outlet, host,
           coalesce(published_at, feed_published_at, discovered_at) AS seen,
           coalesce(fetch_error, CASE WHEN extract_status <> 'ok' THEN extract_status END) AS problem,
           coalesce(fetch_detail, extract_detail) AS detail
    FROM articles
    WHERE fetch_status = 'failed' OR extract_status IN ('too_short', 'empty')
)
WHERE seen >= $start AND seen < $end
ORDER BY week, problem, url
