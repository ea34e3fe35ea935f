-- read_person_history: the staged history (stage_person_history.sql) of one page of profiles.
--
-- Parameters:
--   @run_id     STRING         the run that staged it;
--   @person_ids ARRAY<STRING>  the live profiles of the page.
-- One row per person that has events (a person missing here has no event in the history as of
-- the run's as_of). Columns as pipelines/reconcile/person-history.ts reads them.
-- `${dataset}` is rendered by terraform's templatefile() and dropped by the DuckDB translator (sql/README.md).
SELECT
  person_id,
  events_count,
  orders_count,
  orders_revenue,
  last_order_at,
  is_email_marketing_consented AS email_marketing,
  consent_at,
  emails,
  last_seen_at,
  cart_id,
  cart_items
FROM `${dataset}.reconciliation_history`
WHERE run_id = @run_id
  AND person_id IN UNNEST(@person_ids)
ORDER BY person_id
