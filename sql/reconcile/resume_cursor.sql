-- resume_cursor: where the next run that fixes starts its walk over the profiles: the
-- resume_after of the latest such run — null when it walked to the end (or none ran), the
-- profile-list cursor it stopped at when its time budget ran out (run-reconciliation.ts).
-- Dry runs never resume and are never resumed from.
-- No parameters. At most one row.
-- `${dataset}` is rendered by terraform's templatefile() and dropped by the DuckDB translator (sql/README.md).
SELECT resume_after
FROM `${dataset}.reconciliation_runs`
WHERE NOT dry_run
ORDER BY started_at DESC, run_id DESC
LIMIT 1
