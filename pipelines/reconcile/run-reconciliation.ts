import type { NudgeEvent } from '../events/nudge-event.ts';
import type { Profile } from '../profiles/profile.ts';
import { defaultProfileConfig, type ProfileConfig } from '../profiles/profile-config.ts';
import type { ProfileStore } from '../profiles/profile-store.ts';
import type { Clock } from '../shared/clock.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';
import { compareProfile, type ProfileDiff, type ReconciledField } from './compare-profile.ts';
import { historyGapOf } from './history-gap.ts';
import { emptyHistory, readPersonHistory, type PersonHistory } from './person-history.ts';
import { planFix } from './plan-fix.ts';
import { snapshotRowOf } from './profile-snapshot-row.ts';
import { readHistoryEvents, refoldHistory } from './refold-history.ts';
import type { DiffOutcome, ReconciliationDiffRow, ReconciliationRunRow } from './reconciliation-rows.ts';

export const reconcileDefaults = {
  /** Profiles per page of the profile store's list (1,000 is Firestore's read batch). */
  pageSize: 1000,
  /**
   * Profiles judged together: their staged history is read in one query. On BigQuery each query
   * costs a second or two whatever its size, so a query per small page would spend the function's
   * hour on round trips beyond ~200k profiles.
   */
  historyBatchSize: 5000,
  /**
   * People with diffs whose events are read in one query to build their fixes: each such query
   * scans the history once, so they are gathered across pages rather than read page by page.
   */
  fixBatchSize: 500,
  /**
   * How far as_of trails the start: events received in the last minutes may still be on their way
   * to the warehouse (BigQuery subscription, embedded writer) while already in the profile.
   */
  settleMs: 10 * 60_000,
  /**
   * A fix marks the history's events of this window applied (those not marked yet): a redelivery
   * comes within it (bus backoff, Pub/Sub's 7-day retention), and the applied-events ledger keeps
   * markers as long (30 days, both adapters). Older events would only add writes to the
   * transaction — thousands for a long-time customer — for redeliveries that cannot come.
   */
  redeliveryWindowMs: 30 * 86_400_000,
  /** How long staged history (reconciliation_history) is kept for looking into a run's diffs. */
  stagedHistoryKeepMs: 7 * 86_400_000,
} as const;

export type ReconcileDeps = {
  store: ProfileStore;
  warehouse: Pick<Warehouse, 'query' | 'insertRows'>;
  clock: Clock;
  newRunId: () => string;
  /** The text of sql/reconcile/prune_history.sql, stage_person_history.sql, read_person_history.sql, person_events.sql and resume_cursor.sql. */
  sql: { pruneHistory: string; stageHistory: string; readHistory: string; personEvents: string; resumeCursor: string };
  config?: ProfileConfig;
  /** Structured log, person ids only (no personal data). */
  log?: (entry: Record<string, unknown>) => void;
  /** Called after each batch of profiles judged together: for a progress display. */
  onProgress?: (progress: ReconcileProgress) => void;
};

export type ReconcileOptions = {
  dryRun: boolean;
  pageSize?: number;
  historyBatchSize?: number;
  fixBatchSize?: number;
  settleMs?: number;
  /**
   * How long the walk may go on: once it is spent, the batch in progress and the pending fixes
   * are finished, the run row is written with is_completed false and the cursor to resume from,
   * and the next run that fixes resumes there. Set it well inside the host's own limit (the GCP
   * function's timeout); none by default (embedded, a run takes the time it needs).
   */
  timeBudgetMs?: number;
};

export type ReconcileProgress = { pages: number; people_checked: number; people_with_diffs: number; fixes_applied: number; fixes_skipped: number };

type FieldOutcome = { outcome: DiffOutcome; reason: string | null };
type Found = { profile: Profile; history: PersonHistory; diffs: ProfileDiff[] };

/**
 * The nightly reconciliation. Stages what the history says of every person once
 * (stage_person_history.sql, as of `as_of`), then walks every profile a page at a time: compares
 * each live one with its staged history, records every disagreement in reconciliation_diffs, fixes
 * what it can — version-guarded: only if the profile is still the version that was compared, else
 * the diff is skipped and counted — writes the day's profile_snapshots row of every profile (after
 * its fix), and ends with one reconciliation_runs row. Fixes are built in batches across pages
 * (fixBatchSize), each batch reading its people's events in one query.
 *
 * The walk stops early when options.timeBudgetMs is spent (the run row says where: is_completed
 * false, resume_after); a run that fixes starts where the latest such run stopped
 * (resume_cursor.sql) and walks to the end, so the profiles after the cursor are not left
 * unreconciled night after night. Dry runs always walk from the start.
 *
 * Profiles written after as_of are not judged this run: they may hold events the history of the
 * run leaves out (a false "profile has more than the history"). They are counted, and judged the
 * next night.
 */
export async function runReconciliation(deps: ReconcileDeps, options: ReconcileOptions): Promise<ReconciliationRunRow> {
  const config = deps.config ?? defaultProfileConfig;
  const pageSize = options.pageSize ?? reconcileDefaults.pageSize;
  const fixBatchSize = options.fixBatchSize ?? reconcileDefaults.fixBatchSize;
  const historyBatchSize = options.historyBatchSize ?? reconcileDefaults.historyBatchSize;
  const startedAt = deps.clock.now();
  const asOf = new Date(startedAt.getTime() - (options.settleMs ?? reconcileDefaults.settleMs));
  const asOfIso = asOf.toISOString();
  const runId = deps.newRunId();
  const totals = { people_checked: 0, people_not_judged: 0, people_with_diffs: 0, fixes_applied: 0, fixes_skipped: 0, not_fixable: 0, snapshots_written: 0 };
  const diffsByField: Record<string, number> = {};
  await deps.warehouse.query(deps.sql.pruneHistory, { before: new Date(asOf.getTime() - reconcileDefaults.stagedHistoryKeepMs) });
  await deps.warehouse.query(deps.sql.stageHistory, { run_id: runId, as_of: asOf });

  /** Diff rows (and, unless a dry run, the snapshot rows) of people whose outcome is known. */
  const record = async (outcomes: { person: Found; fields: Map<ReconciledField, FieldOutcome>; current: Profile }[]) => {
    const diffRows: ReconciliationDiffRow[] = [];
    const detectedAt = deps.clock.now().toISOString();
    for (const { person, fields } of outcomes) {
      for (const diff of person.diffs) {
        const { outcome, reason } = fields.get(diff.field)!;
        diffsByField[diff.field] = (diffsByField[diff.field] ?? 0) + 1;
        if (outcome === 'fixed') totals.fixes_applied++;
        if (outcome === 'skipped') totals.fixes_skipped++;
        if (outcome === 'not_fixable') totals.not_fixable++;
        diffRows.push(diffRowOf(runId, person.profile, diff, outcome, reason, detectedAt));
      }
    }
    if (diffRows.length > 0) await deps.warehouse.insertRows('reconciliation_diffs', diffRows);
    if (!options.dryRun) await snapshot(outcomes.map((outcome) => outcome.current));
  };
  const snapshot = async (profiles: readonly Profile[]) => {
    if (profiles.length === 0) return;
    const takenAt = deps.clock.now().toISOString();
    await deps.warehouse.insertRows('profile_snapshots', profiles.map((profile) => snapshotRowOf(profile, takenAt)));
    totals.snapshots_written += profiles.length;
  };
  let pending: Found[] = [];
  const fixPending = async () => {
    const batch = pending;
    pending = [];
    if (batch.length === 0) return;
    const eventsOf = await readEvents(deps, batch.map((person) => person.profile.person_id), asOf);
    const outcomes = [];
    for (const person of batch) {
      const result = await fixPerson(deps, config, person.profile, person.history, person.diffs, eventsOf.get(person.profile.person_id) ?? []);
      outcomes.push({ person, fields: result.outcomes, current: result.written ?? person.profile });
    }
    await record(outcomes);
  };

  let pages = 0;
  const progress = () =>
    deps.onProgress?.({ pages, people_checked: totals.people_checked, people_with_diffs: totals.people_with_diffs, fixes_applied: totals.fixes_applied, fixes_skipped: totals.fixes_skipped });
  /** Judges a batch of profiles (one staged-history query), snapshots and records or queues their fixes. */
  const judge = async (profiles: readonly Profile[]) => {
    const isJudged = (profile: Profile) => profile.merged_into === null && profile.updated_at <= asOfIso;
    const judged = profiles.filter(isJudged);
    totals.people_not_judged += profiles.filter((profile) => profile.merged_into === null && !isJudged(profile)).length;
    totals.people_checked += judged.length;

    const histories = await readHistories(deps, runId, judged.map((profile) => profile.person_id));
    const found: Found[] = judged
      .map((profile) => {
        const history = histories.get(profile.person_id) ?? emptyHistory(profile.person_id);
        return { profile, history, diffs: compareProfile(profile, history, config) };
      })
      .filter((person) => person.diffs.length > 0);
    totals.people_with_diffs += found.length;
    const withDiffs = new Set(found.map((person) => person.profile.person_id));
    if (options.dryRun) {
      await record(found.map((person) => ({ person, fields: new Map(person.diffs.map((diff) => [diff.field, { outcome: 'dry_run' as const, reason: null }])), current: person.profile })));
    } else {
      // Everyone else's snapshot now; those with diffs once their fix is known.
      await snapshot(profiles.filter((profile) => !withDiffs.has(profile.person_id)));
      pending.push(...found);
      if (pending.length >= fixBatchSize) await fixPending();
    }
    progress();
  };

  const resumedFrom = options.dryRun ? null : await readResumeCursor(deps);
  let after: string | null = resumedFrom;
  let batch: Profile[] = [];
  let resumeAfter: string | null = null;
  do {
    const page = await deps.store.listProfiles({ after, limit: pageSize });
    pages++;
    batch.push(...page.profiles);
    after = page.next;
    if (batch.length >= historyBatchSize || after === null) {
      await judge(batch);
      batch = [];
      if (after !== null && options.timeBudgetMs !== undefined && deps.clock.now().getTime() - startedAt.getTime() >= options.timeBudgetMs) {
        resumeAfter = after;
        break;
      }
    }
  } while (after !== null);
  await fixPending();
  progress();

  const run: ReconciliationRunRow = {
    run_id: runId,
    started_at: startedAt.toISOString(),
    finished_at: deps.clock.now().toISOString(),
    as_of: asOfIso,
    dry_run: options.dryRun,
    ...totals,
    diffs_by_field: diffsByField,
    is_completed: resumeAfter === null,
    resume_after: resumeAfter,
  };
  await deps.warehouse.insertRows('reconciliation_runs', [run]);
  deps.log?.({
    severity: resumeAfter === null ? 'INFO' : 'WARNING',
    message: resumeAfter === null ? 'reconciliation finished' : 'reconciliation stopped at its time budget; the next run resumes the walk',
    resumed_from: resumedFrom,
    ...run,
  });
  return run;
}

async function readResumeCursor(deps: ReconcileDeps): Promise<string | null> {
  const [row] = await deps.warehouse.query(deps.sql.resumeCursor);
  return typeof row?.resume_after === 'string' && row.resume_after !== '' ? row.resume_after : null;
}

async function readHistories(deps: ReconcileDeps, runId: string, personIds: string[]): Promise<Map<string, PersonHistory>> {
  if (personIds.length === 0) return new Map();
  const rows = await deps.warehouse.query(deps.sql.readHistory, { run_id: runId, person_ids: personIds });
  return new Map(rows.map(readPersonHistory).map((history) => [history.person_id, history]));
}

async function readEvents(deps: ReconcileDeps, personIds: string[], asOf: Date): Promise<Map<string, NudgeEvent[]>> {
  const rows = await deps.warehouse.query(deps.sql.personEvents, { person_ids: personIds, as_of: asOf });
  const byPerson = new Map<string, NudgeEvent[]>();
  const events = readHistoryEvents(rows);
  rows.forEach((row, index) => {
    const personId = String(row.person_id);
    byPerson.set(personId, [...(byPerson.get(personId) ?? []), events[index]!]);
  });
  return byPerson;
}

/**
 * Fixes one person's diffs from the refolded history (plan-fix.ts says how, field by field), in
 * one transaction that re-reads the profile and writes only if its version is still the one
 * compared. A field is fixed only when the fixed profile agrees with the history; otherwise it is
 * not_fixable (the fold and the SQL read that history differently — a defect to look into — or
 * the fix would allow more email). Nothing is fixed when the profile holds more than the history
 * (history-gap.ts): the history is then the one behind. The history's events not yet in the applied-events ledger are
 * marked applied with the fix, so a late redelivery of a lost order cannot count it twice.
 */
async function fixPerson(
  deps: ReconcileDeps,
  config: ProfileConfig,
  read: Profile,
  history: PersonHistory,
  diffs: readonly ProfileDiff[],
  events: readonly NudgeEvent[],
): Promise<{ outcomes: Map<ReconciledField, FieldOutcome>; written: Profile | null }> {
  const outcomes = new Map<ReconciledField, FieldOutcome>();
  if (events.length === 0) {
    // No history at all is more likely a warehouse gap than a person with nothing: never wipe.
    for (const diff of diffs) outcomes.set(diff.field, { outcome: 'not_fixable', reason: 'the history holds no event of this person' });
    return { outcomes, written: null };
  }
  // A profile holding more than the history means the history is behind, not the profile wrong.
  const gap = historyGapOf(read, history, events);
  if (gap !== null) {
    for (const diff of diffs) outcomes.set(diff.field, { outcome: 'not_fixable', reason: gap });
    deps.log?.({ severity: 'WARNING', message: 'reconciliation: history incomplete, person not fixed', person_id: read.person_id, reason: gap });
    return { outcomes, written: null };
  }
  const now = deps.clock.now().toISOString();
  const rebuilt = refoldHistory(read.person_id, events, now, config);
  const trial = planFix(read, rebuilt, diffs.map((diff) => diff.field), config);
  const stillDiffer = new Set(compareProfile(trial.profile, history, config).map((diff) => diff.field));
  for (const diff of diffs) {
    const withheld = trial.withheld.get(diff.field);
    if (withheld) outcomes.set(diff.field, { outcome: 'not_fixable', reason: withheld });
    else if (stillDiffer.has(diff.field)) outcomes.set(diff.field, { outcome: 'not_fixable', reason: 'refolding the history does not give the history\'s value: the fold and stage_person_history.sql read it differently' });
    else outcomes.set(diff.field, { outcome: 'fixed', reason: null });
  }
  const fixable = diffs.map((diff) => diff.field).filter((field) => outcomes.get(field)!.outcome === 'fixed');
  if (fixable.length === 0) return { outcomes, written: null };
  // Only the fields that come out right are written: a fix never moves a field it cannot settle.
  const fixed: Profile = { ...planFix(read, rebuilt, fixable, config).profile, version: read.version + 1, updated_at: now };
  const redeliverableSince = new Date(Date.parse(now) - reconcileDefaults.redeliveryWindowMs).toISOString();
  const eventIds = events.filter((event) => event.received_at >= redeliverableSince).map((event) => event.event_id);
  const written = await deps.store.transact(async (tx) => {
    const stored = (await tx.getProfiles([read.person_id])).get(read.person_id);
    if (!stored || stored.version !== read.version) return stored?.version ?? null;
    const applied = eventIds.length > 0 ? await tx.findAppliedEvents(eventIds) : new Set<string>();
    tx.putProfile(fixed);
    const missing = eventIds.filter((id) => !applied.has(id));
    if (missing.length > 0) tx.markApplied(missing, read.person_id, new Date(now));
    return true;
  });
  if (written === true) return { outcomes, written: fixed };
  for (const field of fixable) outcomes.set(field, { outcome: 'skipped', reason: `the profile changed after it was read (version ${read.version} → ${written ?? 'gone'})` });
  return { outcomes, written: null };
}

function diffRowOf(runId: string, profile: Profile, diff: ProfileDiff, outcome: DiffOutcome, reason: string | null, detectedAt: string): ReconciliationDiffRow {
  return {
    diff_id: `${runId}/${profile.person_id}/${diff.field}`,
    run_id: runId,
    person_id: profile.person_id,
    field: diff.field,
    profile_value: (diff.profile_value ?? null) as ReconciliationDiffRow['profile_value'],
    history_value: (diff.history_value ?? null) as ReconciliationDiffRow['history_value'],
    profile_version: profile.version,
    outcome,
    reason,
    detected_at: detectedAt,
  };
}
