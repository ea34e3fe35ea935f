-- email_events: what happened to each sent email after it left — delivered, bounced, opened,
-- clicked, reported as spam, unsubscribed — one row per email_event_id.
--
-- Row = EmailEvent (pipelines/engagement/email-event.ts), column for column. Written by the
-- SendGrid Event Webhook intake (source sendgrid, keyed by SendGrid's sg_event_id, which SendGrid
-- repeats when it retries) and by nudge's own open pixel and click redirect (source first_party).
-- Machine opens (privacy proxies, prefetchers) and bot clicks (link scanners) are rows with
-- is_machine = TRUE: the KPI views count human engagement apart and show the machines beside it.
-- Joins to email_sends by send_id (campaign, step, variant). No address, name or IP.
-- GCP: created by terraform from email_events.schema.json (kept equal to this file by
--      functions/embedded/bigquery-ddl.test.ts), written through the warehouse-email_events topic's
--      BigQuery subscription (at-least-once: sql/views/email_events_deduped.sql keeps one per id).
-- Embedded: this very file runs in DuckDB, where the primary key is enforced.
-- `${dataset}` is rendered by terraform's templatefile() and dropped by the DuckDB translator (sql/README.md).
CREATE TABLE IF NOT EXISTS `${dataset}.email_events` (
  email_event_id STRING NOT NULL OPTIONS (description = "sendgrid:<sg_event_id> or first_party:<hash of the request>; the same happening written twice is one row."),
  send_id STRING NOT NULL OPTIONS (description = "The send it belongs to (SendGrid custom arg or signed tracking token); joins to email_sends.send_id."),
  campaign_id STRING NOT NULL OPTIONS (description = "Campaign of the send (folder name under templates/)."),
  person_id STRING NOT NULL OPTIONS (description = "Recipient as the send recorded it; map through person_surviving after merges."),
  event_type STRING NOT NULL OPTIONS (description = "processed, delivered, deferred, bounce, dropped, open, click, spamreport, unsubscribe, group_unsubscribe or group_resubscribe."),
  source STRING NOT NULL OPTIONS (description = "sendgrid (Event Webhook) or first_party (nudge's open pixel and click redirect)."),
  occurred_at TIMESTAMP NOT NULL OPTIONS (description = "When it happened: SendGrid's timestamp, or the request time of a pixel or click. Partitioning column."),
  received_at TIMESTAMP NOT NULL OPTIONS (description = "When nudge received it."),
  is_machine BOOL NOT NULL OPTIONS (description = "TRUE for a machine open (privacy proxy, image prefetcher) or a bot click (link scanner): kept, not counted as human."),
  machine_reason STRING OPTIONS (description = "Why is_machine: sendgrid_machine_open, user_agent, head_request or too_soon_after_delivery; null for humans."),
  bounce_type STRING OPTIONS (description = "bounce only: hard (the address does not exist; suppresses the person) or soft."),
  status_code STRING OPTIONS (description = "SMTP enhanced status (e.g. 5.1.1) or SendGrid's drop classification (bounced_address, invalid, ...); never the free-text reason, which can quote the address."),
  url STRING OPTIONS (description = "click only: the destination URL."),
  link_index INT64 OPTIONS (description = "click only: position of the link in the email, 0 = first, when known."),
  provider_message_id STRING OPTIONS (description = "SendGrid's sg_message_id; null for first-party events."),
  PRIMARY KEY (email_event_id) NOT ENFORCED
)
PARTITION BY DATE(occurred_at)
CLUSTER BY person_id, campaign_id
OPTIONS (description = "Delivery and engagement of sent emails (SendGrid Event Webhook and first-party tracking), one row per email_event_id. Partitioned by day of occurred_at, clustered by person and campaign.");
