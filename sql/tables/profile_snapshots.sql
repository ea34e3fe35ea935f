-- profile_snapshots: every person as their profile stood on a day — the people table analysts
-- join to (like Segment's `users`), one row per person per day.
--
-- Row = ProfileSnapshotRow (pipelines/reconcile/profile-snapshot-row.ts), column for column.
-- Written by the nightly reconciliation walk after its fixes; snapshot_id = person_id/snapshot_date,
-- so a second walk on the same day keeps the first row embedded (DuckDB enforces the key). BigQuery
-- does not: read views/profile_snapshots_deduped.sql, one row per snapshot_id, the earliest.
-- Merged-away persons are included with merged_into set, so old person_ids still resolve.
-- Personal data: emails and traits, as in the profile.
-- `${dataset}` is rendered by terraform's templatefile() and dropped by the DuckDB translator (sql/README.md).
CREATE TABLE IF NOT EXISTS `${dataset}.profile_snapshots` (
  snapshot_id STRING NOT NULL OPTIONS (description = "person_id/snapshot_date: one row per person per day."),
  person_id STRING NOT NULL OPTIONS (description = "The profile id (person_id everywhere else)."),
  snapshot_date DATE NOT NULL OPTIONS (description = "UTC day of the walk. Partitioning column."),
  taken_at TIMESTAMP NOT NULL OPTIONS (description = "When the profile was read (or fixed) by the walk."),
  merged_into STRING OPTIONS (description = "The person this one was merged into; null for a live profile."),
  profile_version INT64 NOT NULL OPTIONS (description = "Profile version the snapshot shows."),
  user_id STRING OPTIONS (description = "The shop's customer id, when known."),
  emails JSON NOT NULL OPTIONS (description = "Addresses, most recently seen first (JSON array)."),
  traits JSON NOT NULL OPTIONS (description = "Identify traits, last writer wins per key (JSON object)."),
  is_email_marketing_consented BOOL OPTIONS (description = "Latest email marketing consent; null when never said."),
  is_suppressed BOOL NOT NULL OPTIONS (description = "True when nudge recorded an unsubscribe, complaint or hard bounce for the person."),
  orders_count INT64 NOT NULL OPTIONS (description = "Orders completed."),
  orders_revenue FLOAT64 NOT NULL OPTIONS (description = "Sum of order totals, whatever their currency."),
  last_order_at TIMESTAMP OPTIONS (description = "Stamp of the latest order."),
  cart_value FLOAT64 OPTIONS (description = "Value of the active cart (sum of price x quantity); null without a cart."),
  cart_items_count INT64 NOT NULL OPTIONS (description = "Units in the active cart."),
  first_seen_at TIMESTAMP OPTIONS (description = "Stamp of the person's earliest event."),
  last_seen_at TIMESTAMP OPTIONS (description = "Stamp of the person's latest event."),
  PRIMARY KEY (snapshot_id) NOT ENFORCED
)
PARTITION BY snapshot_date
CLUSTER BY person_id
OPTIONS (description = "Every profile as it stood on a day, one row per person per day (written by the nightly reconciliation walk). Partitioned by snapshot_date, clustered by person.");
