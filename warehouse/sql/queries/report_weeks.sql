-- ISO weeks with classified articles of a topic, oldest first.
SELECT DISTINCT week FROM coverage WHERE topic = $topic AND week IS NOT NULL ORDER BY week
