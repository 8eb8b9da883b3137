-- The latest completed ingest run: the "data as of" line of a report and of the index.
SELECT max(finished_at) AS last_run FROM runs WHERE flow = 'ingest' AND status = 'completed'
