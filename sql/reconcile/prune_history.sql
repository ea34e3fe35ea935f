-- prune_history: drops what earlier runs staged in reconciliation_history before @before (the
-- job passes a week before its as_of): the staging is working data, kept a week for looking into
-- a run's diffs. On GCP the table's partitions also expire after a week (terraform); on DuckDB
-- this statement is all that bounds it.
--
-- Parameters:
--   @before TIMESTAMP  rows staged as of an earlier instant go.
-- `${dataset}` is rendered by terraform's templatefile() and dropped by the DuckDB translator (sql/README.md).
DELETE FROM `${dataset}.reconciliation_history`
WHERE as_of < @before
