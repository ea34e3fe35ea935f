-- person_surviving: every person_id nudge has recorded → the person it lives on as today.
--
-- A merge (two devices turn out to be one shopper at login) absorbs one profile into another; the
-- profile stage records it as a person_identities row of kind `person`: identity_value = the
-- absorbed person, person_id = the person it was merged into. A survivor can itself be absorbed
-- later, so the current person is found by following those rows: A → B → C. Sends, decisions and
-- email events keep the person_id of their time; join them through this view to count one shopper
-- once and to meet the orders they placed under the surviving profile.
--
-- Choices:
-- - Every person_id is listed (from person_identities — both sides of a merge — decisions,
--   email_sends and email_events), mapping to itself when never merged (merge_hops 0).
-- - One merge target per absorbed person: its latest merge row (then the greatest person_id), in
--   case a profile was written as merged twice.
-- - Chains are followed for up to 8 merges. A longer chain, or a cycle (A → B → A, which a correct
--   profile stage never writes), gives surviving_person_id NULL rather than a guess: joins through
--   it then drop the rows, and `WHERE surviving_person_id IS NULL` lists them for inspection.
-- - A recursive CTE: BigQuery and DuckDB both run it, bounded by the hop count.
-- `${dataset}` is rendered by terraform's templatefile() and dropped by the DuckDB translator (sql/README.md).
CREATE OR REPLACE VIEW `${dataset}.person_surviving`
OPTIONS (description = "Every person_id (person_identities, decisions, email_sends, email_events) with the person it was merged into, following merges (identity_kind person) up to 8 hops; surviving_person_id is NULL for a longer chain or a cycle.")
AS
WITH RECURSIVE
merges AS (
  SELECT identity_value AS absorbed_person_id, person_id AS into_person_id
  FROM `${dataset}.person_identities_deduped`
  WHERE identity_kind = 'person'
  QUALIFY ROW_NUMBER() OVER (PARTITION BY identity_value ORDER BY linked_at DESC, person_id DESC) = 1
),
persons AS (
  SELECT person_id FROM `${dataset}.person_identities_deduped`
  UNION DISTINCT
  SELECT identity_value FROM `${dataset}.person_identities_deduped` WHERE identity_kind = 'person'
  UNION DISTINCT
  SELECT person_id FROM `${dataset}.decisions`
  UNION DISTINCT
  SELECT person_id FROM `${dataset}.email_sends`
  UNION DISTINCT
  SELECT person_id FROM `${dataset}.email_events`
),
walk AS (
  SELECT person_id, person_id AS reached_person_id, 0 AS hops
  FROM persons
  UNION ALL
  -- One step further along the merges; stopping at 9 hops bounds cycles and marks chains beyond 8.
  SELECT walk.person_id, merges.into_person_id, walk.hops + 1
  FROM walk
  JOIN merges ON merges.absorbed_person_id = walk.reached_person_id
  WHERE walk.hops < 9
)
SELECT
  person_id,
  IF(hops <= 8, reached_person_id, NULL) AS surviving_person_id,
  hops AS merge_hops
FROM walk
WHERE TRUE
QUALIFY ROW_NUMBER() OVER (PARTITION BY person_id ORDER BY hops DESC) = 1;
