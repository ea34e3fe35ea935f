-- dead_letters: input nudge could not accept, kept where someone can see and replay it.
--
-- Row = DeadLetter (pipelines/events/dead-letters.ts), column for column; `npx nudge dead-letters`
-- lists them. Same single-source rules as events.sql: terraform reads dead_letters.schema.json
-- (kept equal to this file by a test), DuckDB runs this file through the translator.
CREATE TABLE IF NOT EXISTS `${dataset}.dead_letters` (
  dead_letter_id STRING NOT NULL OPTIONS (description = "Id of this record; inserting the same id twice keeps one row."),
  stage STRING NOT NULL OPTIONS (description = "Stage that refused the input: collect, publish, profile, ..."),
  reason STRING NOT NULL OPTIONS (description = "Short machine-readable reason, e.g. invalid_event, oversized, undeliverable."),
  errors JSON NOT NULL OPTIONS (description = "Field-level problems: array of {index?, path, message}, [] when none."),
  payload STRING NOT NULL OPTIONS (description = "The offending input exactly as received (JSON text when it parsed, else the raw text)."),
  source_id STRING OPTIONS (description = "Write key id (never the secret) or app name that sent the input, when known."),
  received_at TIMESTAMP NOT NULL OPTIONS (description = "When nudge received the input. Partitioning column."),
  PRIMARY KEY (dead_letter_id) NOT ENFORCED
)
PARTITION BY DATE(received_at)
CLUSTER BY stage, source_id
OPTIONS (description = "Input nudge refused, with field-level errors and the raw payload, for inspection and replay.");
