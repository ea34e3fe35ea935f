-- variant_comparison: subject/content variants of a campaign step against each other, on the
-- conversions attribution credits them (attributed_orders, last touch), over all days.
--
-- - Each variant is compared with the step's baseline: its alphabetically first variant_id (name
--   the control variant so it sorts first, e.g. "a" or "0-control"). Baseline-vs-variant rather
--   than every pair keeps one row per variant and one question per row; with many variants, expect
--   about 1 in 20 to look significant by chance.
-- - Sends: campaign_sends with a variant_id (its own or its decision's); campaigns without
--   variants are left out.
-- - conversion_rate = converted_sends / sends (campaign_conversions). uplift = rate − baseline
--   rate, with a 95 % CI (two proportions, unpooled normal SE, 1.96); significant = the interval
--   excludes 0, or NULL ("too few to say") while either arm has fewer than 5 converted or 5
--   unconverted sends, where the normal approximation is not to be trusted. The baseline's own
--   row has is_baseline TRUE and NULL comparison columns.
-- `${dataset}` is rendered by terraform's templatefile() and dropped by the DuckDB translator (sql/README.md).
CREATE OR REPLACE VIEW `${dataset}.variant_comparison`
OPTIONS (description = "Per campaign x step x variant, over all days: sends, converted sends, conversion rate and revenue, against the step's alphabetically first variant (baseline): uplift, 95% CI (unpooled) and significant (CI excludes 0; NULL below 5 converted or 5 unconverted sends in an arm).")
AS
WITH
variants AS (
  SELECT
    campaign_id,
    step,
    variant_id,
    SUM(sends) AS sends,
    SUM(converted_sends) AS converted_sends,
    SUM(conversions) AS conversions,
    SUM(revenue) AS revenue
  FROM `${dataset}.campaign_conversions`
  WHERE variant_id IS NOT NULL
  GROUP BY campaign_id, step, variant_id
),
rated AS (
  SELECT *, SAFE_DIVIDE(converted_sends, sends) AS conversion_rate
  FROM variants
),
baselines AS (
  SELECT *
  FROM rated
  WHERE TRUE
  QUALIFY ROW_NUMBER() OVER (PARTITION BY campaign_id, step ORDER BY variant_id) = 1
),
compared AS (
  SELECT
    v.*,
    b.variant_id AS baseline_variant_id,
    v.variant_id = b.variant_id AS is_baseline,
    b.sends AS baseline_sends,
    b.converted_sends AS baseline_converted_sends,
    b.conversion_rate AS baseline_conversion_rate,
    IF(v.variant_id = b.variant_id, NULL, v.conversion_rate - b.conversion_rate) AS uplift,
    IF(
      v.variant_id = b.variant_id,
      NULL,
      SQRT(SAFE_DIVIDE(v.conversion_rate * (1 - v.conversion_rate), v.sends) + SAFE_DIVIDE(b.conversion_rate * (1 - b.conversion_rate), b.sends))
    ) AS uplift_standard_error
  FROM rated AS v
  JOIN baselines AS b USING (campaign_id, step)
)
SELECT
  campaign_id,
  step,
  variant_id,
  is_baseline,
  sends,
  converted_sends,
  conversions,
  revenue,
  conversion_rate,
  baseline_variant_id,
  baseline_sends,
  baseline_converted_sends,
  baseline_conversion_rate,
  uplift,
  uplift - 1.96 * uplift_standard_error AS uplift_ci_low,
  uplift + 1.96 * uplift_standard_error AS uplift_ci_high,
  CASE
    WHEN is_baseline THEN NULL
    -- The normal approximation needs about 5 successes and 5 failures in each arm; below that a
    -- zero-width interval (0 of 3 against 2 of 2) would read as certain. NULL: too few to say.
    WHEN LEAST(converted_sends, sends - converted_sends, baseline_converted_sends, baseline_sends - baseline_converted_sends) < 5 THEN NULL
    ELSE uplift - 1.96 * uplift_standard_error > 0 OR uplift + 1.96 * uplift_standard_error < 0
  END AS significant
FROM compared;
