-- reconciliation_history: what each person's profile should say according to the event history,
-- staged once per reconciliation run (sql/reconcile/stage_person_history.sql) and read a page of
-- profiles at a time by the job (read_person_history.sql). Working data of the run; the diffs
-- that matter are in reconciliation_diffs. On GCP its partitions expire after a week (terraform).
-- `${dataset}` is rendered by terraform's templatefile() and dropped by the DuckDB translator (sql/README.md).
CREATE TABLE IF NOT EXISTS `${dataset}.reconciliation_history` (
  run_id STRING NOT NULL OPTIONS (description = "The run that staged the row; joins to reconciliation_runs.run_id."),
  person_id STRING NOT NULL OPTIONS (description = "The surviving person the events belong to (events_with_person)."),
  as_of TIMESTAMP NOT NULL OPTIONS (description = "Events received after this instant were left out. Partitioning column."),
  events_count INT64 NOT NULL OPTIONS (description = "The person's events that touch a profile, one per event_id."),
  orders_count INT64 NOT NULL OPTIONS (description = "Order Completed events."),
  orders_revenue FLOAT64 NOT NULL OPTIONS (description = "Their revenue summed, read as orders_with_person reads it."),
  last_order_at TIMESTAMP OPTIONS (description = "Stamp of the latest order; null without one."),
  is_email_marketing_consented BOOL OPTIONS (description = "The latest email marketing consent said; null when never said."),
  consent_at TIMESTAMP OPTIONS (description = "Stamp of that consent."),
  emails JSON NOT NULL OPTIONS (description = "Addresses the events carried, most recently seen first (JSON array)."),
  last_seen_at TIMESTAMP OPTIONS (description = "Stamp of the latest event."),
  cart_id STRING OPTIONS (description = "The most recently active cart; null when the person never touched one."),
  cart_items JSON NOT NULL OPTIONS (description = "That cart's lines since the last order: [{product_id, quantity}] by product_id."),
  PRIMARY KEY (run_id, person_id) NOT ENFORCED
)
PARTITION BY DATE(as_of)
CLUSTER BY run_id, person_id
OPTIONS (description = "Per run and person, what the profile should say according to the event history (staged by the reconciliation job). Partitioned by day of as_of, clustered by run and person.");
