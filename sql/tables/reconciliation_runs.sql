-- reconciliation_runs: one row per reconciliation run — how many people were checked, what
-- disagreed, what was fixed. `nudge status` and the console read the latest one.
--
-- Row = ReconciliationRunRow (pipelines/reconcile/reconciliation-rows.ts), column for column.
-- Written once, when the run has finished (a run that crashed leaves diffs without a run row) or
-- stopped at its time budget (is_completed false, resume_after the cursor to resume from).
-- dry_run, not is_dry_run: the name issue 8 gives the column, which `nudge status` reads.
-- `${dataset}` is rendered by terraform's templatefile() and dropped by the DuckDB translator (sql/README.md).
CREATE TABLE IF NOT EXISTS `${dataset}.reconciliation_runs` (
  run_id STRING NOT NULL OPTIONS (description = "Id of the run (a ULID: sorts by start)."),
  started_at TIMESTAMP NOT NULL OPTIONS (description = "When the walk began (injected clock). Partitioning column."),
  finished_at TIMESTAMP NOT NULL OPTIONS (description = "When the run row was written."),
  as_of TIMESTAMP NOT NULL OPTIONS (description = "Events received after this instant were not judged: started_at minus the settle margin the warehouse needs to catch up."),
  dry_run BOOL NOT NULL OPTIONS (description = "True for nudge reconcile --dry-run: diffs recorded, nothing fixed."),
  people_checked INT64 NOT NULL OPTIONS (description = "Live profiles compared with their history."),
  people_not_judged INT64 NOT NULL OPTIONS (description = "Live profiles written after as_of: they hold events the history of this run leaves out, so they wait for the next run."),
  people_with_diffs INT64 NOT NULL OPTIONS (description = "Profiles with at least one diff."),
  diffs_by_field JSON NOT NULL OPTIONS (description = "Field name to number of diffs, e.g. {\"orders.count\": 2}."),
  fixes_applied INT64 NOT NULL OPTIONS (description = "Diffs fixed (outcome fixed)."),
  fixes_skipped INT64 NOT NULL OPTIONS (description = "Diffs left alone because the profile changed between the read and the fix (outcome skipped)."),
  not_fixable INT64 NOT NULL OPTIONS (description = "Diffs the job would not or could not fix (outcome not_fixable)."),
  snapshots_written INT64 NOT NULL OPTIONS (description = "profile_snapshots rows offered for the day (rows already there for the day are kept)."),
  is_completed BOOL OPTIONS (description = "False when the walk stopped at its time budget before the last profile (see resume_after); null in rows written before the column."),
  resume_after STRING OPTIONS (description = "Profile-list cursor the next run that fixes resumes the walk from; null when the walk reached the end."),
  PRIMARY KEY (run_id) NOT ENFORCED
)
PARTITION BY DATE(started_at)
CLUSTER BY run_id
OPTIONS (description = "One row per reconciliation run: people checked, diffs by field, fixes applied and skipped. Partitioned by day of started_at.");
