-- stage_person_history: per person, what the profile should say according to the event history,
-- computed ONCE per reconciliation run for every person and staged in reconciliation_history; the
-- job (pipelines/reconcile/) then reads it a page of profiles at a time (read_person_history.sql).
-- One pass over `events` a night, however many pages the walk has: a per-page query would scan
-- the whole history once per page (on BigQuery, billed each time).
--
-- Parameters:
--   @run_id STRING     the run the rows belong to;
--   @as_of  TIMESTAMP  only events received at or before it count: events that arrived after the
--                      walk began are the profile's business, not a fault.
-- One row per surviving person with at least one event (events no identity links to a person are left out).
--
-- Every value is read the way the profile stage reads it (pipelines/profiles/profile-from-event.ts):
-- - an event's time is its stamp: occurred_at, but never after received_at (LEAST of the two);
--   ties between two events at the same instant are broken by event_id, as the merge does;
-- - events that never touch a profile (kind other, catalog_updated) are left out;
-- - orders_count, orders_revenue (total, else revenue, else Σ price × quantity, as
--   orders_with_person reads it), last_order_at: every Order Completed of the person;
-- - is_email_marketing_consented: the latest boolean said by an identify
--   (traits.email_marketing_consent) or a Consent Updated (properties.email_marketing); NULL when none said it;
-- - emails: every address the person's events carried, most recently seen first;
-- - last_seen_at: the latest stamp of any of the person's events;
-- - cart_id, cart_items: the most recently active cart (greatest latest stamp, then greatest
--   cart_id) and its contents since the last order: the latest snapshot (Cart Viewed, or Checkout
--   Started with products) after the order, then Product Added (+quantity, 1 when absent) and
--   Product Removed (−quantity; without one the line is cleared) after it. Lines with a positive
--   total are listed by product_id.
--   Known difference from the profile's replay: the profile clamps a line at zero after every
--   change, this sum clamps once at the end (remove 3 of 1, then add 1: the profile says 1, this 0);
--   and carts the profile expired (cartTtlDays behind a newer cart) still count here. The job
--   records such a disagreement as not_fixable: refolding the history gives the profile's answer.
-- Dedupe: events_with_person keeps one row per event_id, so redelivered events count once.
-- `${dataset}` is rendered by terraform's templatefile() and dropped by the DuckDB translator (sql/README.md).
INSERT INTO `${dataset}.reconciliation_history` (
  run_id,
  person_id,
  as_of,
  events_count,
  orders_count,
  orders_revenue,
  last_order_at,
  is_email_marketing_consented,
  consent_at,
  emails,
  last_seen_at,
  cart_id,
  cart_items
)
WITH
history AS (
  SELECT
    person_id,
    event_id,
    kind,
    email,
    properties,
    traits,
    LEAST(occurred_at, received_at) AS stamped_at
  FROM `${dataset}.events_with_person`
  WHERE person_id IS NOT NULL
    AND received_at <= @as_of
    AND kind NOT IN ('other', 'catalog_updated')
),
seen AS (
  SELECT person_id, COUNT(*) AS events_count, MAX(stamped_at) AS last_seen_at
  FROM history
  GROUP BY person_id
),
orders AS (
  SELECT h.person_id, h.event_id, h.stamped_at, o.revenue
  FROM history AS h
  JOIN `${dataset}.orders_with_person` AS o ON o.order_event_id = h.event_id
),
order_totals AS (
  SELECT person_id, COUNT(*) AS orders_count, ROUND(SUM(revenue), 6) AS orders_revenue, MAX(stamped_at) AS last_order_at
  FROM orders
  GROUP BY person_id
),
last_orders AS (
  SELECT person_id, event_id AS order_event_id, stamped_at AS ordered_at
  FROM orders
  WHERE TRUE
  QUALIFY ROW_NUMBER() OVER (PARTITION BY person_id ORDER BY stamped_at DESC, event_id DESC) = 1
),
consent_said AS (
  SELECT
    person_id,
    event_id,
    stamped_at,
    IF(kind = 'identify', JSON_QUERY(traits, '$.email_marketing_consent'), JSON_QUERY(properties, '$.email_marketing')) AS said
  FROM history
  WHERE kind IN ('identify', 'consent_updated')
),
latest_consent AS (
  SELECT person_id, JSON_VALUE(said, '$') = 'true' AS email_marketing, stamped_at AS consent_at
  FROM consent_said
  WHERE JSON_TYPE(said) = 'boolean'
  QUALIFY ROW_NUMBER() OVER (PARTITION BY person_id ORDER BY stamped_at DESC, event_id DESC) = 1
),
email_last_seen AS (
  SELECT person_id, email, stamped_at, event_id
  FROM history
  WHERE email IS NOT NULL
  QUALIFY ROW_NUMBER() OVER (PARTITION BY person_id, email ORDER BY stamped_at DESC, event_id DESC) = 1
),
emails AS (
  SELECT person_id, ARRAY_AGG(email ORDER BY stamped_at DESC, event_id DESC, email) AS emails
  FROM email_last_seen
  GROUP BY person_id
),
cart_events AS (
  -- Events that touch a cart, and which one: properties.cart_id (a number or non-blank text),
  -- else the person's default cart. Checkout Started without cart_id touches the default cart
  -- only through its products; Cart Viewed without a products array touches nothing.
  SELECT
    person_id,
    event_id,
    kind,
    properties,
    stamped_at,
    COALESCE(
      CASE JSON_TYPE(JSON_QUERY(properties, '$.cart_id'))
        WHEN 'number' THEN JSON_VALUE(properties, '$.cart_id')
        WHEN 'string' THEN NULLIF(TRIM(JSON_VALUE(properties, '$.cart_id')), '')
      END,
      'default'
    ) AS cart_id,
    JSON_TYPE(JSON_QUERY(properties, '$.products')) = 'array' AS is_snapshot
  FROM history
  WHERE kind IN ('product_added', 'product_removed')
    OR (kind IN ('cart_viewed', 'checkout_started') AND JSON_TYPE(JSON_QUERY(properties, '$.products')) = 'array')
    OR (kind = 'checkout_started' AND JSON_TYPE(JSON_QUERY(properties, '$.cart_id')) IN ('number', 'string'))
),
active_cart AS (
  SELECT person_id, cart_id
  FROM cart_events
  GROUP BY person_id, cart_id
  QUALIFY ROW_NUMBER() OVER (PARTITION BY person_id ORDER BY MAX(stamped_at) DESC, cart_id DESC) = 1
),
since_order AS (
  -- The active cart's events after the person's last order (stamp, then event id).
  SELECT c.*
  FROM cart_events AS c
  JOIN active_cart AS a USING (person_id, cart_id)
  LEFT JOIN last_orders AS o USING (person_id)
  WHERE o.person_id IS NULL
    OR c.stamped_at > o.ordered_at
    OR (c.stamped_at = o.ordered_at AND c.event_id > o.order_event_id)
),
last_snapshot AS (
  SELECT person_id, event_id AS snapshot_event_id, stamped_at AS snapshot_at, properties
  FROM since_order
  WHERE is_snapshot
  QUALIFY ROW_NUMBER() OVER (PARTITION BY person_id ORDER BY stamped_at DESC, event_id DESC) = 1
),
product_lines AS (
  -- One row per product an event names: Product Added/Removed name one (properties), a snapshot
  -- lists them (properties.products). product_id, else sku; quantity a whole number ≥ 1 (capped
  -- at 1,000,000), else NULL.
  SELECT person_id, event_id, kind, stamped_at, properties AS line
  FROM since_order
  WHERE kind IN ('product_added', 'product_removed')
    AND JSON_TYPE(properties) = 'object'
  UNION ALL
  SELECT s.person_id, s.snapshot_event_id, 'snapshot', s.snapshot_at, line
  FROM last_snapshot AS s, UNNEST(JSON_QUERY_ARRAY(s.properties, '$.products')) AS line
),
read_lines AS (
  SELECT
    person_id,
    event_id,
    kind,
    stamped_at,
    COALESCE(
      CASE JSON_TYPE(JSON_QUERY(line, '$.product_id'))
        WHEN 'number' THEN JSON_VALUE(line, '$.product_id')
        WHEN 'string' THEN NULLIF(TRIM(JSON_VALUE(line, '$.product_id')), '')
      END,
      CASE JSON_TYPE(JSON_QUERY(line, '$.sku'))
        WHEN 'number' THEN JSON_VALUE(line, '$.sku')
        WHEN 'string' THEN NULLIF(TRIM(JSON_VALUE(line, '$.sku')), '')
      END
    ) AS product_id,
    IF(
      (JSON_TYPE(JSON_QUERY(line, '$.quantity')) = 'number'
        OR (JSON_TYPE(JSON_QUERY(line, '$.quantity')) = 'string' AND REGEXP_CONTAINS(JSON_VALUE(line, '$.quantity'), r'^\s*-?\d+(\.\d+)?\s*$')))
      AND SAFE_CAST(TRIM(JSON_VALUE(line, '$.quantity')) AS FLOAT64) >= 1
      AND SAFE_CAST(TRIM(JSON_VALUE(line, '$.quantity')) AS FLOAT64) = TRUNC(SAFE_CAST(TRIM(JSON_VALUE(line, '$.quantity')) AS FLOAT64)),
      CAST(LEAST(SAFE_CAST(TRIM(JSON_VALUE(line, '$.quantity')) AS FLOAT64), 1000000) AS INT64),
      NULL
    ) AS quantity
  FROM product_lines
  WHERE JSON_TYPE(line) = 'object'
),
line_clears AS (
  SELECT l.person_id, l.product_id, MAX(l.stamped_at) AS cleared_at
  FROM read_lines AS l
  WHERE l.kind = 'product_removed' AND l.quantity IS NULL AND l.product_id IS NOT NULL
  GROUP BY l.person_id, l.product_id
),
line_totals AS (
  SELECT
    l.person_id,
    l.product_id,
    SUM(
      CASE
        WHEN l.kind = 'snapshot' THEN IF(c.cleared_at IS NULL OR c.cleared_at < l.stamped_at, COALESCE(l.quantity, 1), 0)
        -- A change counts when it follows both the snapshot and the line's last clear.
        WHEN (s.snapshot_at IS NULL OR l.stamped_at > s.snapshot_at OR (l.stamped_at = s.snapshot_at AND l.event_id > s.snapshot_event_id))
          AND (c.cleared_at IS NULL OR l.stamped_at > c.cleared_at)
          THEN CASE l.kind WHEN 'product_added' THEN COALESCE(l.quantity, 1) WHEN 'product_removed' THEN -COALESCE(l.quantity, 0) ELSE 0 END
        ELSE 0
      END
    ) AS quantity
  FROM read_lines AS l
  LEFT JOIN last_snapshot AS s USING (person_id)
  LEFT JOIN line_clears AS c ON c.person_id = l.person_id AND c.product_id = l.product_id
  WHERE l.product_id IS NOT NULL
  GROUP BY l.person_id, l.product_id
),
cart_lines AS (
  SELECT person_id, ARRAY_AGG(STRUCT(product_id, quantity) ORDER BY product_id) AS cart_items
  FROM line_totals
  WHERE quantity > 0
  GROUP BY person_id
),
carts AS (
  SELECT a.person_id, a.cart_id, l.cart_items
  FROM active_cart AS a
  LEFT JOIN cart_lines AS l USING (person_id)
)
SELECT
  @run_id,
  seen.person_id,
  @as_of,
  seen.events_count,
  COALESCE(order_totals.orders_count, 0),
  COALESCE(order_totals.orders_revenue, 0),
  order_totals.last_order_at,
  latest_consent.email_marketing,
  latest_consent.consent_at,
  TO_JSON(COALESCE(emails.emails, [])),
  seen.last_seen_at,
  carts.cart_id,
  TO_JSON(COALESCE(carts.cart_items, []))
FROM seen
LEFT JOIN order_totals USING (person_id)
LEFT JOIN latest_consent USING (person_id)
LEFT JOIN emails USING (person_id)
LEFT JOIN carts USING (person_id)
