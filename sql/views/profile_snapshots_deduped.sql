-- profile_snapshots_deduped: `profile_snapshots` with one row per snapshot_id (person and UTC day)
-- — read this, not the table, for the people table of a day and wherever counts matter.
--
-- The nightly walk inserts each person's snapshot with snapshot_id = person_id/snapshot_date; a
-- second walk the same day (a run after a failed one, `nudge reconcile` by hand, a resumed walk)
-- inserts it again, and a streaming insert retried by the client may land twice: BigQuery does not
-- enforce the key and its streaming dedupe is best-effort. The earliest copy (taken_at) is kept,
-- which is the row DuckDB keeps embedded (it enforces the key and ignores later inserts), so the
-- view changes nothing there; on BigQuery it is where the second rows go.
-- `${dataset}` is rendered by terraform's templatefile() and dropped by the DuckDB translator (sql/README.md).
CREATE OR REPLACE VIEW `${dataset}.profile_snapshots_deduped`
OPTIONS (description = "profile_snapshots with one row per snapshot_id (person and day), the earliest taken_at: BigQuery does not enforce the key, and a second walk the same day or a retried streaming insert writes the row again.")
AS
SELECT *
FROM `${dataset}.profile_snapshots`
WHERE TRUE
QUALIFY ROW_NUMBER() OVER (PARTITION BY snapshot_id ORDER BY taken_at, profile_version) = 1;
