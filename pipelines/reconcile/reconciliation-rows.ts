import { z } from 'zod';
import { reconciledFields } from './compare-profile.ts';

/** Rows of sql/tables/reconciliation_diffs.sql and reconciliation_runs.sql, column for column. */
const Instant = z.iso.datetime({ offset: false });

export const DiffOutcome = z.enum(['fixed', 'skipped', 'not_fixable', 'dry_run']);
export type DiffOutcome = z.infer<typeof DiffOutcome>;

export const ReconciliationDiffRow = z.object({
  diff_id: z.string(),
  run_id: z.string(),
  person_id: z.string(),
  field: z.enum(reconciledFields),
  profile_value: z.json(),
  history_value: z.json(),
  profile_version: z.number().int(),
  outcome: DiffOutcome,
  reason: z.string().nullable(),
  detected_at: Instant,
});
export type ReconciliationDiffRow = z.infer<typeof ReconciliationDiffRow>;

export const ReconciliationRunRow = z.object({
  run_id: z.string(),
  started_at: Instant,
  finished_at: Instant,
  as_of: Instant,
  dry_run: z.boolean(),
  people_checked: z.number().int(),
  people_not_judged: z.number().int(),
  people_with_diffs: z.number().int(),
  diffs_by_field: z.record(z.string(), z.number().int()),
  fixes_applied: z.number().int(),
  fixes_skipped: z.number().int(),
  not_fixable: z.number().int(),
  snapshots_written: z.number().int(),
  /** False when the walk stopped at its time budget; null only in rows written before the column. */
  is_completed: z.boolean().nullable(),
  /** The profile-list cursor the next run that fixes resumes from; null when the walk reached the end. */
  resume_after: z.string().nullable(),
});
export type ReconciliationRunRow = z.infer<typeof ReconciliationRunRow>;
