-- ISO weeks with classified articles of a topic, oldest first. An article has a current classification
-- for a topic exactly when it has any, so no ranking is needed.
SELECT DISTINCT strftime(a.published_at, '%G-W%V') AS week
FROM articles a
WHERE a.published_at IS NOT NULL AND a.url IN (SELECT url FROM classifications WHERE topic = $topic)
ORDER BY week
