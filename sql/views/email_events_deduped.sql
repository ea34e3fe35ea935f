-- email_events_deduped: `email_events` with one row per email_event_id — read this, not the table,
-- wherever counts matter (opens, clicks, bounces per campaign).
--
-- Email events reach BigQuery through the warehouse-email_events topic's BigQuery subscription,
-- which delivers at least once, and SendGrid itself repeats an event (same sg_event_id) when its
-- webhook call is retried. Both copies carry the same email_event_id (sendgrid:<sg_event_id>, or
-- first_party:<hash of the request>), so they collapse here. The first copy received is kept,
-- which is the one DuckDB keeps embedded (it enforces the key and ignores later inserts).
-- Embedded, the view therefore changes nothing; on BigQuery it is where the duplicates go.
-- `${dataset}` is rendered by terraform's templatefile() and dropped by the DuckDB translator (sql/README.md).
CREATE OR REPLACE VIEW `${dataset}.email_events_deduped`
OPTIONS (description = "email_events with one row per email_event_id (the first copy received): Pub/Sub delivers rows at least once and SendGrid repeats a webhook event when it retries.")
AS
SELECT *
FROM `${dataset}.email_events`
WHERE TRUE
QUALIFY ROW_NUMBER() OVER (PARTITION BY email_event_id ORDER BY received_at, occurred_at) = 1;
