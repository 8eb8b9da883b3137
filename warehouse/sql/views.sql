-- Analyst views. Recreated whenever this file changes (its hash is recorded in warehouse_meta).

-- The latest classification of each (article, topic).
CREATE OR REPLACE VIEW current_classifications AS
SELECT * EXCLUDE (rn) FROM (
    SELECT c.*, row_number() OVER (PARTITION BY url, topic ORDER BY classified_at DESC, ruleset_version) AS rn
    FROM classifications c
) WHERE rn = 1;

-- One row per (article, topic): the contract of DESIGN.md. `stance` is the human label when there is one,
-- `machine_stance` the classifier's; off-topic articles stay in with relevant = false.
CREATE OR REPLACE VIEW coverage AS
SELECT
    a.url,
    a.outlet,
    a.title,
    a.published_at,
    strftime(a.published_at, '%G-W%V') AS week,
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

-- Evidence of the current classification, with the article it belongs to.
CREATE OR REPLACE VIEW current_evidence AS
SELECT e.*
FROM evidence e
JOIN current_classifications c USING (url, topic, ruleset_version);

CREATE OR REPLACE VIEW current_voices AS
SELECT v.*
FROM voices v
JOIN current_classifications c USING (url, topic, ruleset_version);

-- Pages that were discovered but could not be turned into classified text, with the reason.
CREATE OR REPLACE VIEW article_problems AS
SELECT
    url, outlet, feed_url, discovered_at, fetched_at,
    coalesce(fetch_error, CASE WHEN extract_status <> 'ok' THEN extract_status END) AS problem,
    coalesce(fetch_detail, extract_detail) AS detail
FROM articles
WHERE fetch_status = 'failed' OR extract_status IN ('too_short', 'empty');

-- Stories vs placements: one row per story (a wire story printed by many outlets is one story), with how many
-- placements it had, where, and when the first copy appeared. The origin is the earliest-seen copy.
CREATE OR REPLACE VIEW stories AS
SELECT
    coalesce(a.story_id, a.url) AS story_id,
    any_value(a.title ORDER BY a.discovered_at, a.url) AS title,
    count(*) AS placements,
    count(DISTINCT a.outlet) AS outlets,
    list(DISTINCT a.outlet ORDER BY a.outlet) AS outlet_names,
    min(a.published_at) AS first_published_at,
    max(a.published_at) AS last_published_at
FROM articles a
WHERE a.text IS NOT NULL
GROUP BY 1;

-- Weekly stance counts per topic: placements (articles) and unique stories.
CREATE OR REPLACE VIEW weekly_stance AS
SELECT topic, week, stance, count(*) AS articles, count(DISTINCT story_id) AS stories
FROM coverage
WHERE week IS NOT NULL
GROUP BY topic, week, stance;

-- Per outlet and week: how many articles of each stance.
CREATE OR REPLACE VIEW outlet_weeks AS
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

-- Voices quoted, with the week and outlet of the article that quoted them.
CREATE OR REPLACE VIEW voices_quoted AS
SELECT c.topic, c.week, c.outlet, c.url, c.stance AS article_stance, v.name, v.side, v.mentions, v.snippet
FROM current_voices v
JOIN coverage c ON c.url = v.url AND c.topic = v.topic;

-- Feed health: what `presswatch feeds list` shows.
CREATE OR REPLACE VIEW feed_health AS
SELECT url, name, source, active, title, last_fetched_at, last_success_at, last_new_item_at, last_status,
       consecutive_failures, last_error, last_error_detail, not_modified_count
FROM feeds;

-- Ingest runs with their summary's main numbers as columns.
CREATE OR REPLACE VIEW run_history AS
SELECT
    run_id, flow, shard, started_at, finished_at, status,
    date_diff('millisecond', started_at, finished_at) / 1000.0 AS seconds,
    TRY_CAST(summary ->> 'feeds_ok' AS INTEGER) AS feeds_ok,
    TRY_CAST(summary ->> 'feeds_not_modified' AS INTEGER) AS feeds_not_modified,
    TRY_CAST(summary ->> 'feeds_failed' AS INTEGER) AS feeds_failed,
    TRY_CAST(summary ->> 'entries_new' AS INTEGER) AS entries_new,
    TRY_CAST(summary ->> 'articles_fetched' AS INTEGER) AS articles_fetched,
    TRY_CAST(summary ->> 'articles_failed' AS INTEGER) AS articles_failed,
    TRY_CAST(summary ->> 'articles_classified' AS INTEGER) AS articles_classified,
    summary
FROM runs;

-- The raw pages, kept in the warehouse's companion file `<name>.pages.duckdb` (attached as `raw`; schema 7).
CREATE OR REPLACE VIEW pages AS SELECT * FROM raw.pages;
