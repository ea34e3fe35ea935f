-- person_identities_deduped: `person_identities` with one row per identity_link_id.
--
-- identity_link_id = hash(kind, value, person_id) (pipelines/profiles/person-identity-row.ts): the
-- profile stage writes the same link again when it folds again (a redelivered event, a replay), and
-- the Pub/Sub BigQuery subscription may deliver a row twice. The earliest linked_at is kept — when
-- the link was first made, and the copy DuckDB keeps embedded, where the key is enforced — so both
-- runtimes answer "which person does this identity belong to now" (person_surviving,
-- events_with_person) from the same rows.
-- `${dataset}` is rendered by terraform's templatefile() and dropped by the DuckDB translator (sql/README.md).
CREATE OR REPLACE VIEW `${dataset}.person_identities_deduped`
OPTIONS (description = "person_identities with one row per identity_link_id (the earliest linked_at): the profile stage writes a link again when it folds again, and Pub/Sub delivers rows at least once.")
AS
SELECT *
FROM `${dataset}.person_identities`
WHERE TRUE
QUALIFY ROW_NUMBER() OVER (PARTITION BY identity_link_id ORDER BY linked_at) = 1;
