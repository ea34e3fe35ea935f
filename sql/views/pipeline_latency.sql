-- pipeline_latency: how long each pipeline hop takes, per hop and UTC hour — count, p50, p95, p99
-- and max in milliseconds. The hops and what they measure: pipeline_latency_samples.
--
-- - hour_start: the hour the hop finished in (when the latency became known), UTC.
-- - Percentiles are exact, by nearest rank: pN is the smallest latency such that at least N % of
--   the hour's samples are at or below it — the value at rank ceil(N × samples / 100) in ascending
--   order, written (N × samples + 99) DIV 100 so no float rounding can move the rank. Always a
--   latency that occurred (no interpolation), and the same on BigQuery and DuckDB, unlike
--   APPROX_QUANTILES, which BigQuery computes approximately.
-- - An hour with no finished hop has no row (not zeros).
-- `${dataset}` is rendered by terraform's templatefile() and dropped by the DuckDB translator (sql/README.md).
CREATE OR REPLACE VIEW `${dataset}.pipeline_latency`
OPTIONS (description = "Pipeline latency per hop and UTC hour the hop finished in: samples, exact nearest-rank p50/p95/p99 and max in milliseconds.")
AS
WITH
ranked AS (
  SELECT
    hop,
    TIMESTAMP_TRUNC(finished_at, HOUR) AS hour_start,
    latency_ms,
    ROW_NUMBER() OVER (PARTITION BY hop, TIMESTAMP_TRUNC(finished_at, HOUR) ORDER BY latency_ms) AS latency_rank,
    COUNT(*) OVER (PARTITION BY hop, TIMESTAMP_TRUNC(finished_at, HOUR)) AS samples
  FROM `${dataset}.pipeline_latency_samples`
)
SELECT
  hop,
  hour_start,
  samples,
  MAX(IF(latency_rank = DIV(50 * samples + 99, 100), latency_ms, NULL)) AS p50_ms,
  MAX(IF(latency_rank = DIV(95 * samples + 99, 100), latency_ms, NULL)) AS p95_ms,
  MAX(IF(latency_rank = DIV(99 * samples + 99, 100), latency_ms, NULL)) AS p99_ms,
  MAX(latency_ms) AS max_ms
FROM ranked
GROUP BY hop, hour_start, samples;
