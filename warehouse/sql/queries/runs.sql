-- The latest runs of every kind (ingest, report, ...) and of every shard, newest first: `presswatch runs`.
SELECT
    started_at,
    flow,
    coalesce(shard, 'all') AS shard,  -- "i/N" for a shard of `presswatch deploy --shards N`
    status,
    round(epoch(finished_at) - epoch(started_at), 1) AS seconds,
    TRY_CAST(json_extract(summary, '$.entries_new') AS BIGINT) AS new_articles,
    TRY_CAST(json_extract(summary, '$.relevant') AS BIGINT) AS relevant,
    TRY_CAST(json_extract(summary, '$.feeds_ok') AS BIGINT) AS feeds_ok,
    TRY_CAST(json_extract(summary, '$.feeds_failed') AS BIGINT) AS feeds_failed,
    run_id
FROM runs
ORDER BY started_at DESC
LIMIT $limit
