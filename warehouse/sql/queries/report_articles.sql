-- The articles the report weeks ($start inclusive) list one by one, among the rows of `report_coverage`:
-- the first $off_topic_listed off-topic articles of each week (by publication; the report gives the total and
-- the query for the rest), every flagged or human-labelled article, and per stance the clearest ten (ordered as
-- reports/model.py `choose_articles` orders them, which makes the final choice). Counts come from
-- report_outlets and report_week_summary, so the other articles never leave the database.
SELECT week, url, outlet, title, published, language, stance, machine_stance, human_stance, score, confidence,
       flags, text_source, story_id, story_origin_outlet
FROM report_window
WHERE published_at >= $start
QUALIFY (stance = 'off_topic' AND row_number() OVER (PARTITION BY week, stance ORDER BY published_at, url) <= $off_topic_listed)
    OR human_stance IS NOT NULL
    OR list_contains(flags, 'uncertain')
    OR list_contains(flags, 'no_rules_for_language')
    -- `+ 0.0` makes -0.0 and 0.0 one value, as they are in Python
    OR stance <> 'off_topic' AND row_number() OVER (
        PARTITION BY week, stance
        ORDER BY CASE stance WHEN 'supportive' THEN -(score + 0.0) WHEN 'opposed' THEN score + 0.0 END,
                 CASE WHEN stance = 'neutral' THEN published END,
                 url
    ) <= $per_side
ORDER BY published_at, url
