-- Shards (`presswatch deploy --shards N`, docs/scaling.md) whose latest ingest run failed: their feeds have not
-- been read since their last completed run, so the report's data-quality section names them. Only the shards of
-- the latest shard count (N) are shown: after N changes, the old shards' runs are history.
WITH latest AS (
    SELECT shard, started_at, finished_at, status, summary
    FROM runs
    WHERE flow = 'ingest' AND shard IS NOT NULL
      AND split_part(shard, '/', 2) = (
          SELECT split_part(shard, '/', 2) FROM runs WHERE flow = 'ingest' AND shard IS NOT NULL
          ORDER BY started_at DESC LIMIT 1)
    QUALIFY row_number() OVER (PARTITION BY shard ORDER BY started_at DESC) = 1
)
SELECT
    l.shard,
    coalesce(l.finished_at, l.started_at) AS failed_at,
    coalesce(json_extract_string(l.summary, '$.error'), 'failed') AS error,
    (SELECT max(c.finished_at) FROM runs c
     WHERE c.flow = 'ingest' AND c.shard = l.shard AND c.status = 'completed') AS last_completed
FROM latest l
WHERE l.status = 'failed'
ORDER BY TRY_CAST(split_part(l.shard, '/', 1) AS INTEGER)
