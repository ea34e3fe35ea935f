-- pipeline_latency_samples: one row per measured hop — how long one thing took to get from one
-- recorded instant to the next. pipeline_latency aggregates these per hop and hour; `nudge status`
-- reads them for the last hour.
--
-- Only instants the warehouse really holds are used (none is inferred from another):
-- - collected_to_profiled: an identity's first event, collected (events.received_at, which is
--   hops.collected — the only hop events carry today: the profile stage runs beside the events
--   subscription, not before it, so the event row cannot know when it was folded) → the first
--   time the profile stage linked that identity to a person (person_identities.linked_at, the
--   stage's clock after its transaction committed). One sample per new anonymous id, user id or
--   email (previous_id counts as an arrival for the first two) — the moment a new shopper exists
--   in the profile store. Events of known identities write no link and are not sampled.
-- - decided_to_sent: the latest `send` decision of a send (decisions.decided_at) → the worker's
--   `sent` row (email_sends.sent_at); sends settled by the in-doubt resolver are left out (their
--   sent_at is the resolver's, not the send's).
-- - sent_to_delivered: a sent email (sent_at) → its first `delivered` event (the ESP's instant).
-- - esp_to_received: a SendGrid event (occurred_at, whole seconds at SendGrid) → when nudge's
--   webhook received it; up to one second high because SendGrid truncates its instant.
-- latency_ms = TIMESTAMP_DIFF(finished_at, started_at, MILLISECOND): whole milliseconds, and
-- negative when two machines' clocks disagree (kept: hiding it would hide the skew).
-- Duplicates: MIN/MAX over instants ignore repeated rows; sends and email events are read
-- through their *_deduped views.
-- `${dataset}` is rendered by terraform's templatefile() and dropped by the DuckDB translator (sql/README.md).
CREATE OR REPLACE VIEW `${dataset}.pipeline_latency_samples`
OPTIONS (description = "One row per measured pipeline hop (collected_to_profiled, decided_to_sent, sent_to_delivered, esp_to_received): subject, started_at, finished_at and latency_ms, from instants the warehouse records.")
AS
WITH
identity_arrivals AS (
  SELECT 'anonymous_id' AS identity_kind, anonymous_id AS identity_value, received_at FROM `${dataset}.events` WHERE anonymous_id IS NOT NULL AND kind != 'catalog_updated'
  UNION ALL
  SELECT 'user_id', user_id, received_at FROM `${dataset}.events` WHERE user_id IS NOT NULL AND kind != 'catalog_updated'
  UNION ALL
  SELECT 'email', email, received_at FROM `${dataset}.events` WHERE email IS NOT NULL AND kind != 'catalog_updated'
  UNION ALL
  SELECT 'anonymous_id', previous_id, received_at FROM `${dataset}.events` WHERE previous_id IS NOT NULL
  UNION ALL
  SELECT 'user_id', previous_id, received_at FROM `${dataset}.events` WHERE previous_id IS NOT NULL
),
first_arrivals AS (
  SELECT identity_kind, identity_value, MIN(received_at) AS collected_at
  FROM identity_arrivals
  GROUP BY identity_kind, identity_value
),
first_links AS (
  SELECT identity_kind, identity_value, MIN(linked_at) AS profiled_at
  FROM `${dataset}.person_identities`
  WHERE identity_kind IN ('anonymous_id', 'user_id', 'email')
  GROUP BY identity_kind, identity_value
),
send_decisions AS (
  SELECT send_id, MAX(decided_at) AS decided_at
  FROM `${dataset}.decisions_deduped`
  WHERE outcome = 'send'
  GROUP BY send_id
),
worker_sends AS (
  SELECT send_id, sent_at
  FROM `${dataset}.email_sends_deduped`
  WHERE status = 'sent'
),
first_deliveries AS (
  SELECT send_id, MIN(occurred_at) AS delivered_at
  FROM `${dataset}.email_events_deduped`
  WHERE event_type = 'delivered'
  GROUP BY send_id
),
measured AS (
  SELECT 'collected_to_profiled' AS hop, CONCAT(a.identity_kind, ':', a.identity_value) AS subject_id, a.collected_at AS started_at, l.profiled_at AS finished_at
  FROM first_arrivals AS a
  JOIN first_links AS l ON l.identity_kind = a.identity_kind AND l.identity_value = a.identity_value
  UNION ALL
  SELECT 'decided_to_sent', s.send_id, d.decided_at, s.sent_at
  FROM worker_sends AS s
  JOIN send_decisions AS d ON d.send_id = s.send_id
  UNION ALL
  SELECT 'sent_to_delivered', s.send_id, s.sent_at, f.delivered_at
  FROM worker_sends AS s
  JOIN first_deliveries AS f ON f.send_id = s.send_id
  UNION ALL
  SELECT 'esp_to_received', email_event_id, occurred_at, received_at
  FROM `${dataset}.email_events_deduped`
  WHERE source = 'sendgrid'
)
SELECT hop, subject_id, started_at, finished_at, TIMESTAMP_DIFF(finished_at, started_at, MILLISECOND) AS latency_ms
FROM measured;
