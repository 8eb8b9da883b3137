-- Feeds whose latest fetch failed, with the reason, as of the latest run.
SELECT url, coalesce(nullif(name, ''), title, url) AS feed, last_error, last_error_detail, consecutive_failures,
       last_success_at, last_fetched_at
FROM feeds
WHERE consecutive_failures > 0
ORDER BY consecutive_failures DESC, url
