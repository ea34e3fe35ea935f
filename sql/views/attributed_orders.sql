-- attributed_orders: each order credited to the one email touch that earned it (last touch).
--
-- A touch is a send (campaign_sends: status sent or in_doubt_resolved) or a human click on it; an order
-- (orders_with_person) qualifies a touch of the same surviving person when
--   touched_at < ordered_at <= touched_at + window
-- with the click window or the send window of attribution_settings (5 days, 24 h by default:
-- start exclusive, end inclusive). Of the qualifying touches the latest wins — LAST TOUCH: two
-- reminders before one order credit the second; a click on the first reminder after the second
-- was sent credits the first. On a tie a click wins over a send, then the greatest send_id, so the
-- answer never depends on row order. Each order (order_event_id) appears at most once; an order
-- no touch qualifies is not here. Machine clicks (link scanners) are no touch.
-- Sends and orders meet through person_surviving: an email to a profile merged since, and an
-- order placed under the surviving one, are the same person.
-- send_date is the UTC day of the credited send, the day campaign_conversions counts it on.
-- `${dataset}` is rendered by terraform's templatefile() and dropped by the DuckDB translator (sql/README.md).
CREATE OR REPLACE VIEW `${dataset}.attributed_orders`
OPTIONS (description = "Orders credited to an email, last touch: the latest human click (within click_window_hours) or send (within send_window_hours) of the same surviving person before the order; window start exclusive, end inclusive; each order at most once.")
AS
WITH
sends AS (
  SELECT send_id, campaign_id, step, variant_id, sent_at, surviving_person_id AS person_id
  FROM `${dataset}.campaign_sends`
  WHERE surviving_person_id IS NOT NULL
),
touches AS (
  SELECT s.*, 'send' AS touch_type, s.sent_at AS touched_at, TIMESTAMP_ADD(s.sent_at, INTERVAL w.send_window_hours HOUR) AS window_ends_at
  FROM sends AS s
  CROSS JOIN `${dataset}.attribution_settings` AS w
  UNION ALL
  SELECT s.*, 'click' AS touch_type, c.occurred_at AS touched_at, TIMESTAMP_ADD(c.occurred_at, INTERVAL w.click_window_hours HOUR) AS window_ends_at
  FROM sends AS s
  JOIN `${dataset}.email_events_deduped` AS c ON c.send_id = s.send_id AND c.event_type = 'click' AND NOT c.is_machine
  CROSS JOIN `${dataset}.attribution_settings` AS w
)
SELECT
  o.order_event_id,
  o.order_id,
  o.person_id,
  o.ordered_at,
  o.revenue,
  o.currency,
  t.campaign_id,
  t.step,
  t.variant_id,
  t.send_id,
  t.sent_at,
  DATE(t.sent_at) AS send_date,
  t.touch_type,
  t.touched_at,
  t.window_ends_at
FROM `${dataset}.orders_with_person` AS o
JOIN touches AS t
  ON t.person_id = o.person_id
  AND t.touched_at < o.ordered_at
  AND o.ordered_at <= t.window_ends_at
WHERE TRUE
QUALIFY ROW_NUMBER() OVER (
  PARTITION BY o.order_event_id
  ORDER BY t.touched_at DESC, IF(t.touch_type = 'click', 0, 1), t.send_id DESC
) = 1;
