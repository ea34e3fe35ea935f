-- campaign_conversions: orders credited to each campaign step and variant (attributed_orders, last
-- touch), per UTC day of the credited send — beside the sends of that day.
--
-- - sends: campaign_sends, as in campaign_engagement_daily (UTC day of sent_at), so
--   the two views join on campaign_id, step, variant_id (IS NOT DISTINCT FROM: it may be NULL)
--   and send_date. A day with no send has no row; a day with sends and no order has 0s.
-- - conversions: orders credited; converted_sends: sends credited with at least one order.
--   conversion_rate = converted_sends / sends, a proportion (a send can be credited with two
--   orders, which count twice in conversions and revenue, once in the rate).
-- - revenue: sum of the credited orders' revenue (orders_with_person: total, else revenue, else
--   the lines), whatever their currency; revenue_per_email = revenue / sends.
-- - conversion_rate_target (kpi_targets) beside the rate. Ratios NULL when there is no send.
-- `${dataset}` is rendered by terraform's templatefile() and dropped by the DuckDB translator (sql/README.md).
CREATE OR REPLACE VIEW `${dataset}.campaign_conversions`
OPTIONS (description = "Per campaign x step x variant x UTC day of the send: sends, attributed orders (last touch), sends converted, revenue, conversion rate per send, revenue per email, with the conversion target.")
AS
WITH
sends AS (
  SELECT send_id, campaign_id, step, variant_id, send_date
  FROM `${dataset}.campaign_sends`
),
per_send AS (
  SELECT
    s.send_id,
    s.campaign_id,
    s.step,
    s.variant_id,
    s.send_date,
    COUNT(a.order_event_id) AS orders,
    IFNULL(SUM(a.revenue), 0) AS revenue
  FROM sends AS s
  LEFT JOIN `${dataset}.attributed_orders` AS a ON a.send_id = s.send_id
  GROUP BY s.send_id, s.campaign_id, s.step, s.variant_id, s.send_date
),
counts AS (
  SELECT
    campaign_id,
    step,
    variant_id,
    send_date,
    COUNT(*) AS sends,
    SUM(orders) AS conversions,
    COUNTIF(orders > 0) AS converted_sends,
    SUM(revenue) AS revenue
  FROM per_send
  GROUP BY campaign_id, step, variant_id, send_date
)
SELECT
  c.campaign_id,
  c.step,
  c.variant_id,
  c.send_date,
  c.sends,
  c.conversions,
  c.converted_sends,
  c.revenue,
  SAFE_DIVIDE(c.converted_sends, c.sends) AS conversion_rate,
  t.conversion_rate_target,
  SAFE_DIVIDE(c.revenue, c.sends) AS revenue_per_email
FROM counts AS c
CROSS JOIN `${dataset}.kpi_targets` AS t;
