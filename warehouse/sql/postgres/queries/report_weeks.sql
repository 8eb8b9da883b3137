-- The ISO weeks with classified articles of a topic, oldest first (../../queries/report_weeks.sql in PostgreSQL's
-- SQL): the shared store answers it itself, since it spans the whole history.
SELECT to_char(monday, 'IYYY-"W"IW') AS week
FROM (
    SELECT DISTINCT date_trunc('week', published_at) AS monday
    FROM articles
    WHERE published_at IS NOT NULL AND url IN (SELECT url FROM classifications WHERE topic = $topic)
) weeks
ORDER BY week
