-- Analyst views of the shared warehouse on PostgreSQL: the same names, columns and meaning as ../views.sql (the
-- DuckDB file's), written in PostgreSQL's SQL. Recreated whenever this file changes (its hash is recorded in
-- warehouse_meta); dropped first, since PostgreSQL's CREATE OR REPLACE VIEW cannot change a view's columns.

DROP VIEW IF EXISTS pages, run_history, feed_health, voices_quoted, outlet_weeks, weekly_stance, stories,
    article_problems, current_voices, current_evidence, coverage, current_classifications CASCADE;

-- The latest classification of each (article, topic).
CREATE VIEW current_classifications AS
SELECT DISTINCT ON (url, topic) *
FROM classifications
ORDER BY url, topic, classified_at DESC, ruleset_version;

-- One row per (article, topic): the contract of DESIGN.md.
CREATE VIEW coverage AS
SELECT
    a.url,
    a.outlet,
    a.title,
    a.published_at,
    to_char(a.published_at AT TIME ZONE 'UTC', 'IYYY-"W"IW') AS week,
    a.date_source,
    a.language,
    c.topic,
    CASE WHEN l.stance IS NULL THEN c.relevant ELSE l.stance <> 'off_topic' END AS relevant,
    coalesce(l.stance, c.stance) AS stance,
    c.score,
    c.confidence,
    c.ruleset_version,
    c.stance AS machine_stance,
    l.stance AS human_stance,
    c.flags,
    a.text_source,
    a.word_count,
    coalesce(a.story_id, a.url) AS story_id,
    coalesce(a.story_id, a.url) = a.url AS is_origin,
    a.host,
    a.feed_url,
    c.classified_at
FROM articles a
JOIN current_classifications c USING (url)
LEFT JOIN labels l ON l.url = c.url AND l.topic = c.topic;

CREATE VIEW current_evidence AS
SELECT e.*
FROM evidence e
JOIN current_classifications c USING (url, topic, ruleset_version);

CREATE VIEW current_voices AS
SELECT v.*
FROM voices v
JOIN current_classifications c USING (url, topic, ruleset_version);

CREATE VIEW article_problems AS
SELECT
    url, outlet, feed_url, discovered_at, fetched_at,
    coalesce(fetch_error, CASE WHEN extract_status <> 'ok' THEN extract_status END) AS problem,
    coalesce(fetch_detail, extract_detail) AS detail
FROM articles
WHERE fetch_status = 'failed' OR extract_status IN ('too_short', 'empty');

CREATE VIEW stories AS
SELECT
    coalesce(a.story_id, a.url) AS story_id,
    (array_agg(a.title ORDER BY a.discovered_at, a.url))[1] AS title,
    count(*) AS placements,
    count(DISTINCT a.outlet) AS outlets,
    array_agg(DISTINCT a.outlet ORDER BY a.outlet) FILTER (WHERE a.outlet IS NOT NULL) AS outlet_names,
    min(a.published_at) AS first_published_at,
    max(a.published_at) AS last_published_at
FROM articles a
WHERE a.text IS NOT NULL
GROUP BY 1;

CREATE VIEW weekly_stance AS
SELECT topic, week, stance, count(*) AS articles, count(DISTINCT story_id) AS stories
FROM coverage
WHERE week IS NOT NULL
GROUP BY topic, week, stance;

CREATE VIEW outlet_weeks AS
SELECT
    topic, week, outlet,
    count(*) FILTER (WHERE stance = 'supportive') AS supportive,
    count(*) FILTER (WHERE stance = 'opposed') AS opposed,
    count(*) FILTER (WHERE stance = 'neutral') AS neutral,
    count(*) FILTER (WHERE stance = 'off_topic') AS off_topic,
    count(*) AS articles
FROM coverage
WHERE week IS NOT NULL
GROUP BY topic, week, outlet;

CREATE VIEW voices_quoted AS
SELECT c.topic, c.week, c.outlet, c.url, c.stance AS article_stance, v.name, v.side, v.mentions, v.snippet
FROM current_voices v
JOIN coverage c ON c.url = v.url AND c.topic = v.topic;

CREATE VIEW feed_health AS
SELECT url, name, source, active, title, last_fetched_at, last_success_at, last_new_item_at, last_status,
       consecutive_failures, last_error, last_error_detail, not_modified_count
FROM feeds;

CREATE VIEW run_history AS
SELECT
    run_id, flow, shard, started_at, finished_at, status,
    extract(epoch FROM finished_at - started_at)::double precision AS seconds,
    (summary ->> 'feeds_ok')::integer AS feeds_ok,
    (summary ->> 'feeds_not_modified')::integer AS feeds_not_modified,
    (summary ->> 'feeds_failed')::integer AS feeds_failed,
    (summary ->> 'entries_new')::integer AS entries_new,
    (summary ->> 'articles_fetched')::integer AS articles_fetched,
    (summary ->> 'articles_failed')::integer AS articles_failed,
    (summary ->> 'articles_classified')::integer AS articles_classified,
    summary
FROM runs;

CREATE VIEW pages AS SELECT * FROM raw.pages;
