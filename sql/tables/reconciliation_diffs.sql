-- reconciliation_diffs: every field of a profile the event history disagreed with, one row per
-- (run, person, field), and what the reconciliation job did about it.
--
-- Row = ReconciliationDiffRow (pipelines/reconcile/reconciliation-rows.ts), column for column.
-- Written by the nightly reconcile job (functions/reconcile.ts on GCP, the embedded host's nightly
-- run and `nudge reconcile`). Fields compared (pipelines/reconcile/compare-profile.ts):
-- orders.count, orders.revenue (to the cent), orders.last_order_at (to the millisecond),
-- cart.items (product ids and quantities of the active cart since the last order),
-- consent.email_marketing, identities.emails (the most recent ones, as a set), last_seen_at.
-- diff_id = run_id/person_id/field: writing a run's rows again keeps one row each.
-- No personal data beyond person_id, except identities.emails diffs, whose values are the
-- addresses themselves (needed to act on them; the table is as private as the profiles).
-- `${dataset}` is rendered by terraform's templatefile() and dropped by the DuckDB translator (sql/README.md).
CREATE TABLE IF NOT EXISTS `${dataset}.reconciliation_diffs` (
  diff_id STRING NOT NULL OPTIONS (description = "run_id/person_id/field; the same diff written twice is one row."),
  run_id STRING NOT NULL OPTIONS (description = "The run that found it; joins to reconciliation_runs.run_id."),
  person_id STRING NOT NULL OPTIONS (description = "The (surviving) person whose profile disagreed with the history."),
  field STRING NOT NULL OPTIONS (description = "orders.count, orders.revenue, orders.last_order_at, cart.items, consent.email_marketing, identities.emails or last_seen_at."),
  profile_value JSON OPTIONS (description = "What the profile said when read (JSON null when it said nothing)."),
  history_value JSON OPTIONS (description = "What the event history says, as sql/reconcile/stage_person_history.sql computes it."),
  profile_version INT64 NOT NULL OPTIONS (description = "The profile version that was compared; a fix is applied only if it is still the stored one."),
  outcome STRING NOT NULL OPTIONS (description = "fixed, skipped (the profile changed between the read and the fix), not_fixable (refolding the history does not give the history's answer, or the fix would allow more email) or dry_run."),
  reason STRING OPTIONS (description = "Why a diff was not fixed, for skipped and not_fixable; null otherwise."),
  detected_at TIMESTAMP NOT NULL OPTIONS (description = "When the run compared the profile (injected clock). Partitioning column."),
  PRIMARY KEY (diff_id) NOT ENFORCED
)
PARTITION BY DATE(detected_at)
CLUSTER BY person_id, field
OPTIONS (description = "Profile fields the event history disagreed with, per reconciliation run, and whether each was fixed. Partitioned by day of detected_at, clustered by person and field.");
