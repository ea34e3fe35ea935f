-- Events per day and kind over the last 7 days, with how many distinct shoppers sent them.
-- A first look at the history: is the snippet sending what we expect, and how much of it?
-- Run it: npx nudge query sql/queries/daily_events_by_kind.sql
-- Counts dedupe by event_id because BigQuery subscriptions deliver at least once.
WITH events AS (
  SELECT *
  FROM `nudge.events`
  WHERE occurred_at >= TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 7 DAY)
  QUALIFY ROW_NUMBER() OVER (PARTITION BY event_id ORDER BY received_at) = 1
)
SELECT
  DATE(occurred_at) AS day,
  kind,
  COUNT(*) AS events,
  COUNT(DISTINCT COALESCE(user_id, anonymous_id)) AS shoppers
FROM events
GROUP BY day, kind
ORDER BY day DESC, events DESC
