-- The latest runs of every kind (ingest, report, ...) and of every shard, newest first: `presswatch runs` on the
-- shared store (../../queries/runs.sql is the DuckDB file's).
SELECT
    started_at,
    flow,
    coalesce(shard, 'all') AS shard,  -- "i/N" for a shard of `presswatch deploy --shards N`
    status,
    round(extract(epoch FROM finished_at - started_at), 1)::double precision AS seconds,
    (summary ->> 'entries_new')::bigint AS new_articles,
    (summary ->> 'relevant')::bigint AS relevant,
    (summary ->> 'feeds_ok')::bigint AS feeds_ok,
    (summary ->> 'feeds_failed')::bigint AS feeds_failed,
    run_id
FROM runs
ORDER BY started_at DESC
LIMIT $limit
