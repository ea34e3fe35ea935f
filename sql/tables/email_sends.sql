-- email_sends: the final outcome of each email handed to the mailer, one row per send_id.
--
-- Written by delivery after the send ledger's claim is settled: sent, failed for good, or a claim
-- left in doubt by a crash and resolved deliberately (in_doubt_resolved). Transient failures that
-- were retried are not rows; the send that finally went out is. Joins to decisions by send_id.
-- No email address; the subject as rendered (a template may put the first name in it, as in the email itself).
-- GCP: created by terraform from email_sends.schema.json (kept equal to this file by
--      functions/embedded/bigquery-ddl.test.ts). Writes are at-least-once (Pub/Sub): read the view
--      sql/views/email_sends_deduped.sql, one row per send_id, where exact counts matter.
-- Embedded: this very file runs in DuckDB through functions/embedded/bigquery-to-duckdb.ts, where
--      the primary key is enforced and inserts skip ids already present, so a row appears once.
-- `${dataset}` is rendered by terraform's templatefile() and dropped by the DuckDB translator (sql/README.md).
CREATE TABLE IF NOT EXISTS `${dataset}.email_sends` (
  send_id STRING NOT NULL OPTIONS (description = "hash(campaign, trigger key, step), the trigger key naming one cart filling whoever the person: the send ledger key; one row per send."),
  campaign_id STRING NOT NULL OPTIONS (description = "Campaign (folder name under templates/) that sent the email."),
  person_id STRING NOT NULL OPTIONS (description = "Profile id of the recipient (never the address)."),
  step INT64 NOT NULL OPTIONS (description = "Position of the step in the campaign definition: 0 is the first email."),
  variant_id STRING OPTIONS (description = "Subject or content variant sent, when the campaign has variants."),
  provider STRING NOT NULL OPTIONS (description = "Mailer that took the email: outbox (embedded .eml files) or sendgrid."),
  provider_message_id STRING OPTIONS (description = "The provider's id for the message (SendGrid X-Message-Id, outbox file name); null when it failed before one existed."),
  status STRING NOT NULL OPTIONS (description = "sent, failed (permanently, see error) or in_doubt_resolved (a crash left the claim in doubt; resolved from provider evidence)."),
  subject STRING OPTIONS (description = "Subject line as rendered for the send (it may carry the first name the template put in it). Null for sends settled by the in-doubt resolver."),
  sent_at TIMESTAMP NOT NULL OPTIONS (description = "When the provider accepted (or finally refused) the email. Partitioning column."),
  error STRING OPTIONS (description = "Provider error for status failed (code and message, no personal data); null otherwise."),
  trigger_key STRING OPTIONS (description = "What the journey is about, as in decisions.trigger_key: cart — [cart_id, opened_after_event_id] (JSON_VALUE(trigger_key, '$[0]') is the cart id); browse — [\"browse\", arming view's event id]; back in stock — [\"back_in_stock\", product_id, event_id]; price drop — [\"price_drop\", product_id, event_id, previous_price]. Null for sends settled by the in-doubt resolver and rows written before it existed."),
  PRIMARY KEY (send_id) NOT ENFORCED
)
PARTITION BY DATE(sent_at)
CLUSTER BY person_id, campaign_id
OPTIONS (description = "Final outcome of every email handed to a mailer, one row per send_id. Partitioned by day of sent_at, clustered by person and campaign.");
