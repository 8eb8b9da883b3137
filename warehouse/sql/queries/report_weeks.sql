-- ISO weeks with classified articles of a topic, oldest first. An article has a current classification
-- for a topic exactly when it has any, so no ranking is needed; weeks are found by their Monday (cheaper than
-- formatting every timestamp; the same ISO week).
SELECT strftime(monday, '%G-W%V') AS week
FROM (
    SELECT DISTINCT date_trunc('week', published_at) AS monday
    FROM articles
    WHERE published_at IS NOT NULL AND url IN (SELECT url FROM classifications WHERE topic = $topic)
)
ORDER BY week
