-- holdout_uplift: does the campaign cause orders? Treatment (decided to send) against control (held
-- out) per campaign and step, with the uplift, its 95 % confidence interval and the sample needed.
--
-- - Units: one per send_id, from decisions_deduped, at its first assignment (the earliest decision
--   taken after the holdout check). Control = outcome 'holdout' (the decisions stage's control
--   group: the person would have been emailed). Treatment = outcome 'send', or a deferral for quiet
--   hours, or a skip for the frequency cap — the checks decide.ts makes after the holdout draw.
--   Intention to treat: a treated send later skipped (the cart was ordered overnight) or failed at
--   the ESP is still treatment, as a holdout is still control, so both arms are chosen the same way.
-- - Both arms measured alike, not by attribution (no click exists in the control arm): a unit
--   converts when its surviving person (person_surviving) places an order (orders_with_person)
--   with decided_at < ordered_at <= decided_at + send_window_hours (attribution_settings). An
--   order may count for several units (two campaigns, two steps). Units whose window has not yet
--   closed count as they stand, in both arms alike.
-- - p = conversions / n per arm; uplift = p_treatment − p_control; relative_uplift = uplift /
--   p_control; 95 % CI of uplift = uplift ± 1.96 × sqrt(p1(1−p1)/n1 + p0(1−p0)/n0) (two
--   proportions, unpooled normal approximation), NULL until each arm has at least 5 converted and
--   5 unconverted units (below that the approximation claims certainty it does not have).
-- - incremental_revenue = (revenue per treated unit − revenue per control unit) × treatment n.
-- - people_needed_per_arm = ceil(1.96² (p1(1−p1) + p0(1−p0)) / uplift²): units per arm for the
--   interval to exclude zero if the observed rates held; NULL when uplift is 0 or unknown.
-- - NULL, never 0, wherever an arm is empty.
-- `${dataset}` is rendered by terraform's templatefile() and dropped by the DuckDB translator (sql/README.md).
CREATE OR REPLACE VIEW `${dataset}.holdout_uplift`
OPTIONS (description = "Per campaign x step: treatment (decided send) vs control (holdout) units, conversions within the send window after decided_at, both rates, absolute and relative uplift with a 95% CI (unpooled), incremental revenue, and units per arm needed for significance.")
AS
WITH
units AS (
  -- Assignment, not delivery: every decision taken after the holdout check says which arm the send
  -- is in. Treatment is also a send deferred for quiet hours or skipped for the frequency cap (both
  -- are decided after the holdout draw): counting only outcome 'send' would drop the treated people
  -- who ordered overnight before their deferred email while keeping their held-out twins.
  SELECT
    d.send_id,
    d.campaign_id,
    d.step,
    IF(d.outcome = 'holdout', 'holdout', 'send') AS outcome,
    d.decided_at,
    p.surviving_person_id AS person_id
  FROM `${dataset}.decisions_deduped` AS d
  LEFT JOIN `${dataset}.person_surviving` AS p ON p.person_id = d.person_id
  WHERE d.outcome IN ('send', 'holdout')
    OR (d.outcome = 'defer' AND d.reason = 'quiet_hours')
    OR (d.outcome = 'skip' AND d.reason = 'frequency_capped')
  QUALIFY ROW_NUMBER() OVER (PARTITION BY d.send_id ORDER BY d.decided_at, d.decision_id) = 1
),
unit_outcomes AS (
  SELECT
    u.send_id,
    u.campaign_id,
    u.step,
    u.outcome,
    COUNT(o.order_event_id) > 0 AS converted,
    IFNULL(SUM(o.revenue), 0) AS revenue
  FROM units AS u
  CROSS JOIN `${dataset}.attribution_settings` AS w
  LEFT JOIN `${dataset}.orders_with_person` AS o
    ON o.person_id = u.person_id
    AND u.decided_at < o.ordered_at
    AND o.ordered_at <= TIMESTAMP_ADD(u.decided_at, INTERVAL w.send_window_hours HOUR)
  GROUP BY u.send_id, u.campaign_id, u.step, u.outcome
),
arms AS (
  SELECT
    campaign_id,
    step,
    COUNTIF(outcome = 'send') AS treatment_n,
    COUNTIF(outcome = 'send' AND converted) AS treatment_conversions,
    SUM(IF(outcome = 'send', revenue, 0)) AS treatment_revenue,
    COUNTIF(outcome = 'holdout') AS control_n,
    COUNTIF(outcome = 'holdout' AND converted) AS control_conversions,
    SUM(IF(outcome = 'holdout', revenue, 0)) AS control_revenue
  FROM unit_outcomes
  GROUP BY campaign_id, step
),
rates AS (
  SELECT
    *,
    SAFE_DIVIDE(treatment_conversions, treatment_n) AS treatment_conversion_rate,
    SAFE_DIVIDE(control_conversions, control_n) AS control_conversion_rate
  FROM arms
),
uplifts AS (
  SELECT
    *,
    treatment_conversion_rate - control_conversion_rate AS uplift,
    SQRT(
      SAFE_DIVIDE(treatment_conversion_rate * (1 - treatment_conversion_rate), treatment_n)
      + SAFE_DIVIDE(control_conversion_rate * (1 - control_conversion_rate), control_n)
    ) AS uplift_standard_error,
    -- The normal approximation collapses at a rate of 0 or 1 (1 of 1 against 0 of 1 gives a zero-width
    -- "certain" interval): no interval until each arm has 5 converted and 5 unconverted units.
    LEAST(treatment_conversions, treatment_n - treatment_conversions, control_conversions, control_n - control_conversions) >= 5 AS enough_for_interval
  FROM rates
)
SELECT
  campaign_id,
  step,
  treatment_n,
  treatment_conversions,
  treatment_conversion_rate,
  treatment_revenue,
  control_n,
  control_conversions,
  control_conversion_rate,
  control_revenue,
  uplift,
  SAFE_DIVIDE(uplift, control_conversion_rate) AS relative_uplift,
  IF(enough_for_interval, uplift - 1.96 * uplift_standard_error, NULL) AS uplift_ci_low,
  IF(enough_for_interval, uplift + 1.96 * uplift_standard_error, NULL) AS uplift_ci_high,
  (SAFE_DIVIDE(treatment_revenue, treatment_n) - SAFE_DIVIDE(control_revenue, control_n)) * treatment_n AS incremental_revenue,
  IF(
    uplift = 0,
    NULL,
    CAST(CEIL(SAFE_DIVIDE(
      1.96 * 1.96 * (treatment_conversion_rate * (1 - treatment_conversion_rate) + control_conversion_rate * (1 - control_conversion_rate)),
      uplift * uplift
    )) AS INT64)
  ) AS people_needed_per_arm
FROM uplifts;
