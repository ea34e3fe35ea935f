-- kpi_targets: the reference targets shown beside each KPI, in one place (one row).
--
-- Industry reference points for abandoned-cart email, not promises: open rate above 30 %,
-- click-through rate above 10 %, conversion rate (per send) above 5 %. campaign_engagement_daily,
-- campaign_conversions and `nudge kpis` print them beside the measured figures. Edit and re-apply
-- the file to change them (see attribution_settings.sql for how).
-- `${dataset}` is rendered by terraform's templatefile() and dropped by the DuckDB translator (sql/README.md).
CREATE OR REPLACE VIEW `${dataset}.kpi_targets`
OPTIONS (description = "Reference targets (one row) shown beside the KPIs: open rate > 0.30, CTR > 0.10, conversion rate per send > 0.05.")
AS
SELECT
  0.30 AS open_rate_target,
  0.10 AS ctr_target,
  0.05 AS conversion_rate_target;
