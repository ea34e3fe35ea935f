-- attribution_settings: the attribution windows, in one place — one row of constants that
-- attributed_orders and holdout_uplift read.
--
-- An Order Completed is credited to an email when the same surviving person orders
--   - within click_window_hours after a human click on it (default 5 days = 120 h), or
--   - within send_window_hours after it was sent (default 24 h),
-- the latest qualifying touch winning (attributed_orders). holdout_uplift measures both arms over
-- send_window_hours after the decision. A window is half-open at the start and closed at the end:
-- touched_at < ordered_at <= touched_at + window. An order at the very instant of the touch is not
-- caused by it; an order at exactly 24 h 00 min 00 s is still inside a 24 h window.
--
-- To change a window, edit the numbers below and apply the file again (embedded: restart nudge,
-- which re-creates every view at start; BigQuery: terraform apply, or run the rendered file with
-- `bq query --use_legacy_sql=false`). Whole hours only. Per-campaign windows may come later as a
-- table joined here by campaign_id.
-- `${dataset}` is rendered by terraform's templatefile() and dropped by the DuckDB translator (sql/README.md).
CREATE OR REPLACE VIEW `${dataset}.attribution_settings`
OPTIONS (description = "Attribution windows (one row): click_window_hours after a human click (default 120 = 5 days), send_window_hours after a send or a holdout decision (default 24). Window end inclusive, start exclusive.")
AS
SELECT
  120 AS click_window_hours,
  24 AS send_window_hours;
