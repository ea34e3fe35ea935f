-- campaign_engagement_daily: what happened to the emails of each campaign step and variant, per
-- UTC day of the send — deliveries, bounces, opens, clicks, unsubscribes, spam reports, their
-- rates and the reference targets beside them.
--
-- Choices (docs/warehouse.md explains each KPI):
-- - Grain: campaign_id × step × variant_id × send_date (UTC day of sent_at). Engagement counts on
--   the day of its send, whenever it happened, so a day's rates describe that day's emails. A
--   day with no send has no row. variant_id is NULL for campaigns without variants.
-- - sends: campaign_sends (status sent or in_doubt_resolved; the variant from the decision when
--   the send row lacks it). Email events of other sends (failed, or whose send row has not
--   arrived) are not counted.
-- - Every engagement count is of sends ("unique"): a send opened five times is one open.
-- - Human and machine apart: human_unique_opens / human_unique_clicks count sends with an event
--   where is_machine is FALSE; machine_unique_opens / machine_unique_clicks count sends with a
--   machine one (privacy proxy, prefetcher, link scanner), whether or not a human opened too.
-- - rate_denominator: the denominator of open rate, CTR, unsubscribe and spam-report rates — the
--   sends not known to have failed (no bounce, not dropped). Not the delivered count: SendGrid's
--   delivered events lag the opens (and a webhook may not subscribe to them), so over delivered an
--   open rate reads 300 % or NULL; a bounced or dropped email can be neither opened nor clicked, so
--   over this base no rate exceeds 100 %. The outbox and first-party tracking report no bounce:
--   there it is the sends.
-- - click_to_open = human unique clicks / human unique opens. It can exceed 1: a click proves the
--   email was read even when its images (the open pixel) were blocked.
-- - Ratios use SAFE_DIVIDE: NULL, not 0, when the denominator is 0.
-- - Targets (kpi_targets) sit beside the figures: open_rate_target, ctr_target.
-- `${dataset}` is rendered by terraform's templatefile() and dropped by the DuckDB translator (sql/README.md).
CREATE OR REPLACE VIEW `${dataset}.campaign_engagement_daily`
OPTIONS (description = "Per campaign x step x variant x UTC day of the send: sends, delivered, bounces, human unique opens and clicks (machine ones apart), unsubscribes, spam reports, open rate, CTR, click-to-open, with the targets. Rates over the sends that did not bounce and were not dropped (rate_denominator).")
AS
WITH
sends AS (
  SELECT send_id, campaign_id, step, variant_id, send_date
  FROM `${dataset}.campaign_sends`
),
per_send AS (
  -- One row per send: what happened to it, each flag at most once.
  SELECT
    s.send_id,
    s.campaign_id,
    s.step,
    s.variant_id,
    s.send_date,
    COUNTIF(e.event_type = 'delivered') > 0 AS is_delivered,
    COUNTIF(e.event_type = 'bounce' AND e.bounce_type = 'hard') > 0 AS is_hard_bounce,
    COUNTIF(e.event_type = 'bounce' AND IFNULL(e.bounce_type, '') != 'hard') > 0 AS is_soft_bounce,
    COUNTIF(e.event_type = 'dropped') > 0 AS is_dropped,
    COUNTIF(e.event_type = 'open' AND NOT e.is_machine) > 0 AS is_human_open,
    COUNTIF(e.event_type = 'open' AND e.is_machine) > 0 AS is_machine_open,
    COUNTIF(e.event_type = 'click' AND NOT e.is_machine) > 0 AS is_human_click,
    COUNTIF(e.event_type = 'click' AND e.is_machine) > 0 AS is_machine_click,
    COUNTIF(e.event_type IN ('unsubscribe', 'group_unsubscribe')) > 0 AS is_unsubscribe,
    COUNTIF(e.event_type = 'spamreport') > 0 AS is_spam_report
  FROM sends AS s
  LEFT JOIN `${dataset}.email_events_deduped` AS e ON e.send_id = s.send_id
  GROUP BY s.send_id, s.campaign_id, s.step, s.variant_id, s.send_date
),
counts AS (
  SELECT
    campaign_id,
    step,
    variant_id,
    send_date,
    COUNT(*) AS sends,
    COUNTIF(is_delivered) AS delivered,
    COUNTIF(is_hard_bounce) AS hard_bounces,
    COUNTIF(is_soft_bounce) AS soft_bounces,
    COUNTIF(is_dropped) AS dropped,
    COUNTIF(is_human_open) AS human_unique_opens,
    COUNTIF(is_machine_open) AS machine_unique_opens,
    COUNTIF(is_human_click) AS human_unique_clicks,
    COUNTIF(is_machine_click) AS machine_unique_clicks,
    COUNTIF(is_unsubscribe) AS unsubscribes,
    COUNTIF(is_spam_report) AS spam_reports,
    COUNTIF(NOT is_hard_bounce AND NOT is_soft_bounce AND NOT is_dropped) AS rate_denominator
  FROM per_send
  GROUP BY campaign_id, step, variant_id, send_date
),
based AS (
  SELECT * FROM counts
)
SELECT
  b.campaign_id,
  b.step,
  b.variant_id,
  b.send_date,
  b.sends,
  b.delivered,
  b.hard_bounces,
  b.soft_bounces,
  b.dropped,
  b.human_unique_opens,
  b.machine_unique_opens,
  b.human_unique_clicks,
  b.machine_unique_clicks,
  b.unsubscribes,
  b.spam_reports,
  b.rate_denominator,
  SAFE_DIVIDE(b.human_unique_opens, b.rate_denominator) AS open_rate,
  t.open_rate_target,
  SAFE_DIVIDE(b.human_unique_clicks, b.rate_denominator) AS ctr,
  t.ctr_target,
  SAFE_DIVIDE(b.human_unique_clicks, b.human_unique_opens) AS click_to_open,
  SAFE_DIVIDE(b.hard_bounces + b.soft_bounces, b.sends) AS bounce_rate,
  SAFE_DIVIDE(b.unsubscribes, b.rate_denominator) AS unsubscribe_rate,
  SAFE_DIVIDE(b.spam_reports, b.rate_denominator) AS spam_report_rate
FROM based AS b
CROSS JOIN `${dataset}.kpi_targets` AS t;
