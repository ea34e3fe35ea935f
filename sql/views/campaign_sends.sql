-- campaign_sends: the emails that left, one row per send — what every KPI view counts as a send.
--
-- - A send is an email_sends_deduped row with status sent or in_doubt_resolved; failed sends never
--   left and are not here.
-- - variant_id: the send's own, else the variant its decision recorded (decisions_deduped, outcome
--   send). A send settled by the in-doubt resolver carries no variant (the resolver does not know
--   it), and would otherwise drop out of its variant's counts; its decision does know it.
-- - send_date: the UTC day of sent_at, the day engagement and orders are counted on.
-- - surviving_person_id: the recipient as of today (person_surviving), to meet orders placed under
--   a profile it was merged into; NULL when the merge chain cannot be resolved.
-- `${dataset}` is rendered by terraform's templatefile() and dropped by the DuckDB translator (sql/README.md).
CREATE OR REPLACE VIEW `${dataset}.campaign_sends`
OPTIONS (description = "Emails that left (status sent or in_doubt_resolved), one row per send_id, with the variant (from the decision when the send row lacks it), the UTC send day and the surviving recipient.")
AS
WITH
decided_variants AS (
  SELECT send_id, variant_id
  FROM `${dataset}.decisions_deduped`
  WHERE outcome = 'send' AND variant_id IS NOT NULL
  QUALIFY ROW_NUMBER() OVER (PARTITION BY send_id ORDER BY decided_at DESC, decision_id) = 1
)
SELECT
  s.send_id,
  s.campaign_id,
  s.step,
  COALESCE(s.variant_id, d.variant_id) AS variant_id,
  s.status,
  s.sent_at,
  DATE(s.sent_at) AS send_date,
  s.person_id,
  p.surviving_person_id
FROM `${dataset}.email_sends_deduped` AS s
LEFT JOIN decided_variants AS d ON d.send_id = s.send_id
LEFT JOIN `${dataset}.person_surviving` AS p ON p.person_id = s.person_id
WHERE s.status IN ('sent', 'in_doubt_resolved');
