-- Schema version 9: which shard of the feeds a run covered (`presswatch deploy --shards N`, docs/scaling.md), as
-- "i/N"; NULL for a run over every feed. Each shard finishes its own interrupted runs, never another's.

ALTER TABLE runs ADD COLUMN shard TEXT;
