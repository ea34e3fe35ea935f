-- person_events: the events of some persons, as NudgeEvent rows, that the reconciliation job
-- refolds through the profile fold (pipelines/profiles/apply-event.ts) to fix a profile the
-- history disagrees with. Same scope as stage_person_history.sql, so a fix rebuilds exactly what was judged.
--
-- Parameters:
--   @person_ids ARRAY<STRING>  surviving persons (events_with_person maps every event of a merged
--                              person and of its other devices to the survivor);
--   @as_of      TIMESTAMP      only events received at or before it.
-- One row per event_id (events_with_person dedupes redeliveries), in stamp order.
-- `${dataset}` is rendered by terraform's templatefile() and dropped by the DuckDB translator (sql/README.md).
SELECT
  person_id,
  event_id,
  type,
  kind,
  event_name,
  anonymous_id,
  user_id,
  email,
  previous_id,
  properties,
  traits,
  context,
  occurred_at,
  received_at,
  source,
  source_id,
  hops,
  schema_version
FROM `${dataset}.events_with_person`
WHERE person_id IN UNNEST(@person_ids)
  AND received_at <= @as_of
  AND kind NOT IN ('other', 'catalog_updated')
ORDER BY person_id, LEAST(occurred_at, received_at), event_id
