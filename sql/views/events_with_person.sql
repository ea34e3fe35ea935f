-- events_with_person: every event once (one row per event_id), with the surviving person it
-- belongs to.
--
-- An event names a shopper by user_id (logged in), anonymous_id (device) and/or email; the profile
-- stage records which person each of those identities was linked to (person_identities). The
-- person of an event is found through the strongest identity it carries that has been linked:
-- user_id, else anonymous_id, else email (person_matched_by says which). An identity linked
-- several times (moved to the survivor of a merge, say) counts by its latest link (then the
-- greatest person_id), and the person found is mapped through person_surviving, so the events of
-- two devices merged at a login all land on the one surviving person — including events from
-- before the login. person_id is NULL for an event none of whose identities was ever linked, or
-- whose person's merge chain cannot be resolved (see person_surviving).
-- On BigQuery `events` may hold a redelivered event twice; the first copy received is kept.
-- `${dataset}` is rendered by terraform's templatefile() and dropped by the DuckDB translator (sql/README.md).
CREATE OR REPLACE VIEW `${dataset}.events_with_person`
OPTIONS (description = "events, one row per event_id, with person_id = the surviving person of its user_id if linked, else its anonymous_id, else its email (person_matched_by says which); NULL when none is linked.")
AS
WITH
events_once AS (
  SELECT *
  FROM `${dataset}.events`
  WHERE TRUE
  QUALIFY ROW_NUMBER() OVER (PARTITION BY event_id ORDER BY received_at) = 1
),
current_links AS (
  SELECT identity_kind, identity_value, person_id
  FROM `${dataset}.person_identities_deduped`
  WHERE identity_kind IN ('user_id', 'anonymous_id', 'email')
  QUALIFY ROW_NUMBER() OVER (PARTITION BY identity_kind, identity_value ORDER BY linked_at DESC, person_id DESC) = 1
)
SELECT
  e.*,
  surviving.surviving_person_id AS person_id,
  CASE
    WHEN by_user.person_id IS NOT NULL THEN 'user_id'
    WHEN by_device.person_id IS NOT NULL THEN 'anonymous_id'
    WHEN by_email.person_id IS NOT NULL THEN 'email'
  END AS person_matched_by
FROM events_once AS e
LEFT JOIN current_links AS by_user ON by_user.identity_kind = 'user_id' AND by_user.identity_value = e.user_id
LEFT JOIN current_links AS by_device ON by_device.identity_kind = 'anonymous_id' AND by_device.identity_value = e.anonymous_id
LEFT JOIN current_links AS by_email ON by_email.identity_kind = 'email' AND by_email.identity_value = e.email
LEFT JOIN `${dataset}.person_surviving` AS surviving
  ON surviving.person_id = COALESCE(by_user.person_id, by_device.person_id, by_email.person_id);
