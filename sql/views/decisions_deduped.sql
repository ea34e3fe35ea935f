-- decisions_deduped: `decisions` with one row per decision_id — read this, not the table, wherever
-- counts matter.
--
-- Decision rows reach BigQuery through a Pub/Sub BigQuery subscription, which delivers at least
-- once, and a journey step that runs again for the same send (after a crash, a lost lease, a
-- retryable ESP failure) writes the same decision again. Both copies carry the same decision_id:
-- it is derived from (send_id, outcome, reason, defer_until), not drawn fresh
-- (pipelines/warehouse/fact-rows.ts). The earliest copy is kept: when the decision was first made.
-- Embedded, DuckDB enforces the table's primary key, so the view changes nothing there.
-- `${dataset}` is rendered by terraform's templatefile() and dropped by the DuckDB translator (sql/README.md).
CREATE OR REPLACE VIEW `${dataset}.decisions_deduped`
OPTIONS (description = "decisions with one row per decision_id (the earliest copy): Pub/Sub delivers rows at least once and a re-run step writes its decision again under the same key.")
AS
SELECT *
FROM `${dataset}.decisions`
WHERE TRUE
QUALIFY ROW_NUMBER() OVER (PARTITION BY decision_id ORDER BY decided_at, variant_id) = 1;
