-- person_identities: which identities (anonymous ids, user ids, addresses) belong to which person,
-- and which persons were merged into which — one row per (kind, value, person) link.
--
-- Row = PersonIdentityRow (pipelines/profiles/person-identity-row.ts), column for column. Written by
-- the profile stage after each fold: a row for every identity it linked, and for a merge a row of
-- kind `person` (value = the absorbed person) plus the absorbed person's identities moved to the
-- survivor. An identity can have several rows over time; the current one is read through
-- sql/views/person_surviving.sql and sql/views/events_with_person.sql, not from this table.
-- GCP: created by terraform from person_identities.schema.json, written through the
--      warehouse-person_identities topic's BigQuery subscription (at-least-once; the views dedupe).
-- Embedded: this very file runs in DuckDB, where the primary key is enforced.
-- `${dataset}` is rendered by terraform's templatefile() and dropped by the DuckDB translator (sql/README.md).
CREATE TABLE IF NOT EXISTS `${dataset}.person_identities` (
  identity_link_id STRING NOT NULL OPTIONS (description = "hash(kind, value, person_id); the same link written twice is one row."),
  identity_kind STRING NOT NULL OPTIONS (description = "user_id, anonymous_id, email, or person (a merge: identity_value is the absorbed person)."),
  identity_value STRING NOT NULL OPTIONS (description = "The Segment userId or anonymousId, the lower-cased address, or the absorbed person_id."),
  person_id STRING NOT NULL OPTIONS (description = "The person the identity was linked to (for kind person: the person it was merged into)."),
  linked_at TIMESTAMP NOT NULL OPTIONS (description = "When the profile stage linked it. Partitioning column."),
  PRIMARY KEY (identity_link_id) NOT ENFORCED
)
PARTITION BY DATE(linked_at)
CLUSTER BY identity_value, person_id
OPTIONS (description = "Identity links and merges written by the profile stage: who is who. Read person_surviving and events_with_person for the current person of a send or an event.");
