-- email_sends_deduped: `email_sends` with one row per send_id — read this, not the table, wherever
-- counts matter (emails sent per campaign, sends joined to orders).
--
-- Send rows reach BigQuery through a Pub/Sub BigQuery subscription, which delivers at least once,
-- and one send can be written by two paths: its worker (status sent or failed) and the in-doubt
-- resolver (status in_doubt_resolved), when a crash or a slow ESP answer left the claim open.
-- Which row wins: the worker's `sent` (it knows the variant and the provider's own message id),
-- then the resolver's `in_doubt_resolved`, then `failed`; among copies of one status the earliest.
-- Embedded, DuckDB enforces the table's primary key (the first row written stays), so the view
-- only matters on BigQuery.
-- `${dataset}` is rendered by terraform's templatefile() and dropped by the DuckDB translator (sql/README.md).
CREATE OR REPLACE VIEW `${dataset}.email_sends_deduped`
OPTIONS (description = "email_sends with one row per send_id: sent before in_doubt_resolved before failed, then the earliest copy. Pub/Sub delivers rows at least once and the in-doubt resolver may write a send its worker wrote too.")
AS
SELECT *
FROM `${dataset}.email_sends`
WHERE TRUE
QUALIFY ROW_NUMBER() OVER (
  PARTITION BY send_id
  ORDER BY CASE status WHEN 'sent' THEN 0 WHEN 'in_doubt_resolved' THEN 1 ELSE 2 END, sent_at, provider_message_id
) = 1;
