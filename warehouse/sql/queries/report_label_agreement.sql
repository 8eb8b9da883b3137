-- How often the classifier agrees with the human labels of a topic (all weeks): the report's measured accuracy.
SELECT count(*) AS labelled,
       count(*) FILTER (WHERE machine_stance = human_stance) AS agreed,
       count(*) FILTER (WHERE (machine_stance = 'off_topic') = (human_stance = 'off_topic')) AS relevance_agreed
FROM coverage
WHERE topic = $topic AND human_stance IS NOT NULL
