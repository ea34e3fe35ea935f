-- orders_with_person: every Order Completed once, with its surviving person and its revenue —
-- the orders attribution (attributed_orders) and the holdout comparison (holdout_uplift) count.
--
-- Revenue is read the way the profile stage reads it (pipelines/profiles/profile-from-event.ts),
-- so a shopper's orders.revenue and the warehouse agree: properties.total if it is an amount,
-- else properties.revenue, else the sum over properties.products of price × quantity, else 0.
-- An amount is a JSON number, or a string of decimal digits ("12.50"), between 0 and 1e12,
-- rounded to the micro-unit. A line counts when it is an object with a product_id or sku; a price
-- that is not an amount counts 0, a quantity that is not a whole number ≥ 1 counts 1 (capped at
-- 1,000,000). Currencies are not converted, as in the profile: currency is shown beside the amount,
-- and a sum over orders in several currencies is only meaningful per currency.
-- ordered_at is the event's occurred_at (the shop's timestamp, clamped by the collector to at most
-- 7 days before and 5 minutes after receipt).
-- `${dataset}` is rendered by terraform's templatefile() and dropped by the DuckDB translator (sql/README.md).
CREATE OR REPLACE VIEW `${dataset}.orders_with_person`
OPTIONS (description = "Order Completed events, one row per event_id, with the surviving person_id (NULL when unlinked) and revenue read as the profile reads it: total, else revenue, else the sum of price x quantity over products, else 0.")
AS
WITH
orders AS (
  SELECT *
  FROM `${dataset}.events_with_person`
  WHERE kind = 'order_completed'
),
read_amounts AS (
  SELECT
    event_id,
    -- An amount: a JSON number or a decimal string, in [0, 1e12]; NULL otherwise.
    IF(
      (JSON_TYPE(JSON_QUERY(properties, '$.total')) = 'number'
        OR (JSON_TYPE(JSON_QUERY(properties, '$.total')) = 'string' AND REGEXP_CONTAINS(JSON_VALUE(properties, '$.total'), r'^\s*-?\d+(\.\d+)?\s*$')))
      AND SAFE_CAST(TRIM(JSON_VALUE(properties, '$.total')) AS FLOAT64) BETWEEN 0 AND 1e12,
      ROUND(SAFE_CAST(TRIM(JSON_VALUE(properties, '$.total')) AS FLOAT64), 6),
      NULL
    ) AS total_amount,
    IF(
      (JSON_TYPE(JSON_QUERY(properties, '$.revenue')) = 'number'
        OR (JSON_TYPE(JSON_QUERY(properties, '$.revenue')) = 'string' AND REGEXP_CONTAINS(JSON_VALUE(properties, '$.revenue'), r'^\s*-?\d+(\.\d+)?\s*$')))
      AND SAFE_CAST(TRIM(JSON_VALUE(properties, '$.revenue')) AS FLOAT64) BETWEEN 0 AND 1e12,
      ROUND(SAFE_CAST(TRIM(JSON_VALUE(properties, '$.revenue')) AS FLOAT64), 6),
      NULL
    ) AS revenue_amount,
    (
      SELECT SUM(
        IF(
          (JSON_TYPE(JSON_QUERY(line, '$.price')) = 'number'
            OR (JSON_TYPE(JSON_QUERY(line, '$.price')) = 'string' AND REGEXP_CONTAINS(JSON_VALUE(line, '$.price'), r'^\s*-?\d+(\.\d+)?\s*$')))
          AND SAFE_CAST(TRIM(JSON_VALUE(line, '$.price')) AS FLOAT64) BETWEEN 0 AND 1e12,
          ROUND(SAFE_CAST(TRIM(JSON_VALUE(line, '$.price')) AS FLOAT64), 6),
          0
        )
        * IF(
          (JSON_TYPE(JSON_QUERY(line, '$.quantity')) = 'number'
            OR (JSON_TYPE(JSON_QUERY(line, '$.quantity')) = 'string' AND REGEXP_CONTAINS(JSON_VALUE(line, '$.quantity'), r'^\s*-?\d+(\.\d+)?\s*$')))
          AND SAFE_CAST(TRIM(JSON_VALUE(line, '$.quantity')) AS FLOAT64) >= 1
          AND SAFE_CAST(TRIM(JSON_VALUE(line, '$.quantity')) AS FLOAT64) = TRUNC(SAFE_CAST(TRIM(JSON_VALUE(line, '$.quantity')) AS FLOAT64)),
          LEAST(SAFE_CAST(TRIM(JSON_VALUE(line, '$.quantity')) AS FLOAT64), 1000000),
          1
        )
      )
      FROM UNNEST(JSON_QUERY_ARRAY(properties, '$.products')) AS line
      WHERE JSON_TYPE(line) = 'object'
        AND (
          JSON_TYPE(JSON_QUERY(line, '$.product_id')) = 'number'
          OR (JSON_TYPE(JSON_QUERY(line, '$.product_id')) = 'string' AND TRIM(JSON_VALUE(line, '$.product_id')) != '')
          OR JSON_TYPE(JSON_QUERY(line, '$.sku')) = 'number'
          OR (JSON_TYPE(JSON_QUERY(line, '$.sku')) = 'string' AND TRIM(JSON_VALUE(line, '$.sku')) != '')
        )
    ) AS lines_amount
  FROM orders
)
SELECT
  o.event_id AS order_event_id,
  JSON_VALUE(o.properties, '$.order_id') AS order_id,
  o.person_id,
  o.occurred_at AS ordered_at,
  COALESCE(
    a.total_amount,
    a.revenue_amount,
    IF(a.lines_amount BETWEEN 0 AND 1e12, ROUND(a.lines_amount, 6), NULL),
    0
  ) AS revenue,
  IF(
    JSON_TYPE(JSON_QUERY(o.properties, '$.currency')) = 'string' AND REGEXP_CONTAINS(JSON_VALUE(o.properties, '$.currency'), r'^[A-Za-z]{3}$'),
    UPPER(JSON_VALUE(o.properties, '$.currency')),
    NULL
  ) AS currency
FROM orders AS o
JOIN read_amounts AS a USING (event_id);
