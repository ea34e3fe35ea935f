-- decisions: every send-or-skip verdict of the decisions stage, one row per decision_id.
--
-- Row = Decision (pipelines/decisions/decision.ts), column for column. Skips, deferrals and the
-- holdout are written as well as sends, so "why did this person get no email?" is one query, and
-- lift is measured as outcome 'send' against outcome 'holdout' (both mean "would have sent").
-- decision_id = hash(send_id, outcome, reason, defer_until) (pipelines/warehouse/fact-rows.ts): a step
-- re-run writes the same key; a deferral and the decision at defer_until are different rows.
-- GCP: created by terraform from decisions.schema.json (kept equal to this file by
--      functions/embedded/bigquery-ddl.test.ts). Writes are at-least-once (Pub/Sub): read the view
--      sql/views/decisions_deduped.sql, one row per decision_id, where exact counts matter.
-- Embedded: this very file runs in DuckDB through functions/embedded/bigquery-to-duckdb.ts, where
--      the primary key is enforced and inserts skip ids already present, so a row appears once.
-- No personal data beyond person_id: the address, consent and suppression stay in the profile.
-- `${dataset}` is rendered by terraform's templatefile() and dropped by the DuckDB translator (sql/README.md).
CREATE TABLE IF NOT EXISTS `${dataset}.decisions` (
  decision_id STRING NOT NULL OPTIONS (description = "Id of this decision; inserting the same id twice keeps one row."),
  send_id STRING NOT NULL OPTIONS (description = "hash(campaign, send key, step): the send ledger key; joins to email_sends.send_id. The send key names what the email is about whoever the person: a cart filling, the view that armed a browse follow-up, a restock or price drop with the hashed address."),
  campaign_id STRING NOT NULL OPTIONS (description = "Campaign (folder name under templates/) the step belongs to."),
  person_id STRING NOT NULL OPTIONS (description = "Profile id of the person decided about."),
  step INT64 NOT NULL OPTIONS (description = "Position of the step in the campaign definition: 0 is the first email."),
  outcome STRING NOT NULL OPTIONS (description = "send, skip, defer (decided again at defer_until) or holdout (control group: no email, counts as would-have-sent)."),
  reason STRING NOT NULL OPTIONS (description = "Why: eligible, no_email, no_consent, suppressed_*, cart_empty, cart_converted, cart_checked_out, in_cart_journey, already_bought, sold_out_again, price_back_up, nothing_to_show, holdout, quiet_hours, frequency_capped, journey_window, campaign_repeat, exited (docs/journeys.md)."),
  defer_until TIMESTAMP OPTIONS (description = "outcome defer: the end of the person's local quiet hours, when the step is decided again; null otherwise."),
  decided_at TIMESTAMP NOT NULL OPTIONS (description = "When the decision was made (injected clock). Partitioning column."),
  variant_id STRING OPTIONS (description = "Subject or content variant assigned before deciding, when there was one."),
  trigger_key STRING OPTIONS (description = "What the journey is about: cart — the JSON array [cart_id, opened_after_event_id] naming one cart filling (JSON_VALUE(trigger_key, '$[0]') is the cart id); browse — [\"browse\", the event id of the view that armed it]; back in stock — [\"back_in_stock\", product_id, event_id]; price drop — [\"price_drop\", product_id, event_id, previous_price]. Null in rows written before it existed."),
  live_data_fallbacks STRING OPTIONS (description = "Live data fallbacks taken while building the email: a JSON array of {product_id, used (stale_cache, catalog, dropped), reason}. Null when every item was read fresh, and in rows written before it existed."),
  PRIMARY KEY (decision_id) NOT ENFORCED
)
PARTITION BY DATE(decided_at)
CLUSTER BY person_id, campaign_id
OPTIONS (description = "Every decision of the decisions stage (send, skip, defer, holdout) with its reason, one row per decision_id. Partitioned by day of decided_at, clustered by person and campaign.");
