import { monotonicFactory } from 'ulid';
import { loadReconcileSql } from '../../reconcile/load-reconcile-sql.ts';
import { startTicker, type Ticker } from '../ticker.ts';
import type { ProfileStore } from '../../../pipelines/profiles/profile-store.ts';
import { reconcileDefaults, runReconciliation, type ReconcileProgress } from '../../../pipelines/reconcile/run-reconciliation.ts';
import type { ReconciliationRunRow } from '../../../pipelines/reconcile/reconciliation-rows.ts';
import type { Clock } from '../../../pipelines/shared/clock.ts';
import type { Warehouse } from '../../../pipelines/warehouse/warehouse.ts';
import { isReconcileDue, type ReconcileAt } from './reconcile-schedule.ts';

/** A second run asked for while one is going: refused, not queued (they would judge the same profiles). */
export class ReconcileBusyError extends Error {}

/** A run that would judge profiles against a history the warehouse writer has not finished writing. */
export class ReconcilePostponedError extends Error {}

export type EmbeddedReconcile = {
  run: (options: { dryRun: boolean; onProgress?: (progress: ReconcileProgress) => void }) => Promise<ReconciliationRunRow>;
  /** Checks each minute (or `checkEveryMs`) whether tonight's run is due (reconcile-schedule.ts); null when off. */
  startNightly: (at: ReconcileAt, options?: { checkEveryMs?: number }) => Ticker | null;
};

export const embeddedReconcileDefaults = {
  /** How often the nightly check looks at the clock: a run starts within a minute of its time. */
  checkEveryMs: 60_000,
  /**
   * After a failed nightly run, the next attempt waits this long. A failed run writes no
   * reconciliation_runs row, so without it every check would find the night due again and stage
   * the whole history anew each minute (growing the DuckDB file until the week's prune).
   */
  retryAfterFailureMs: 60 * 60_000,
  /** After a run postponed for the warehouse writer's backlog: it usually drains in seconds. */
  retryAfterPostponeMs: 5 * 60_000,
} as const;

/**
 * Reconciliation in the embedded runtime: the host's nightly run, `POST /_nudge/reconcile` and
 * `nudge reconcile` with no host running all come here, one run at a time.
 *
 * `warehouseBacklog` (the host passes the SQLite bus's warehouse subscriptions) counts events
 * received by a time that the warehouse writer has not written yet. A run that fixes (not a dry
 * run) waits while any was received before its as_of: the history would lack events the profiles
 * hold. (Each person is also checked for it, history-gap.ts; this spares the whole night.)
 */
export function createEmbeddedReconcile(deps: {
  store: ProfileStore;
  warehouse: Warehouse;
  clock: Clock;
  log: (entry: Record<string, unknown>) => void;
  warehouseBacklog?: (receivedBy: Date) => number;
}): EmbeddedReconcile {
  const sql = loadReconcileSql();
  const newId = monotonicFactory();
  let running: Promise<ReconciliationRunRow> | null = null;

  const run: EmbeddedReconcile['run'] = (options) => {
    if (running) return Promise.reject(new ReconcileBusyError('a reconciliation is already running; try again when it has finished'));
    if (!options.dryRun && deps.warehouseBacklog) {
      const asOf = new Date(deps.clock.now().getTime() - reconcileDefaults.settleMs);
      const behind = deps.warehouseBacklog(asOf);
      if (behind > 0) {
        return Promise.reject(new ReconcilePostponedError(
          `the warehouse writer has ${behind} undelivered event(s) received before as_of ${asOf.toISOString()}: the history would be incomplete; try again when it has caught up (nudge status)`,
        ));
      }
    }
    const started = runReconciliation(
      { store: deps.store, warehouse: deps.warehouse, clock: deps.clock, sql, log: deps.log, newRunId: () => newId(deps.clock.now().getTime()), ...(options.onProgress ? { onProgress: options.onProgress } : {}) },
      { dryRun: options.dryRun },
    );
    running = started;
    return started.finally(() => {
      running = null;
    });
  };

  const lastStartedAt = async (): Promise<string | null> => {
    const [row] = await deps.warehouse.query('SELECT MAX(started_at) AS last_started_at FROM reconciliation_runs WHERE NOT dry_run');
    return typeof row?.last_started_at === 'string' ? row.last_started_at : null;
  };

  return {
    run,
    startNightly: (at, options = {}) => {
      if (at === null) return null;
      // In memory: a restarted host tries once more, which is what a restart is for.
      let notBefore = Number.NEGATIVE_INFINITY;
      // A warehouse that never had a run (a new install) waits for the first scheduled time after
      // the host started, rather than reconciling (and writing snapshots) minutes after `npm start`.
      const watchingSince = deps.clock.now().toISOString();
      return startTicker(
        async () => {
          const now = deps.clock.now();
          if (running || now.getTime() < notBefore || !isReconcileDue(now, at, (await lastStartedAt()) ?? watchingSince)) return;
          try {
            await run({ dryRun: false });
          } catch (error) {
            const postponed = error instanceof ReconcilePostponedError;
            const retryInMs = postponed ? embeddedReconcileDefaults.retryAfterPostponeMs : embeddedReconcileDefaults.retryAfterFailureMs;
            notBefore = now.getTime() + retryInMs;
            deps.log({
              severity: postponed ? 'WARNING' : 'ERROR',
              message: postponed ? 'nightly reconciliation postponed' : 'nightly reconciliation failed',
              reason: reasonOf(error),
              attempted_at: now.toISOString(),
              retry_after: new Date(notBefore).toISOString(),
            });
          }
        },
        options.checkEveryMs ?? embeddedReconcileDefaults.checkEveryMs,
        (error) => deps.log({ severity: 'ERROR', message: 'nightly reconciliation check failed; the next check retries', reason: reasonOf(error) }),
      );
    },
  };
}

/** An error's class and message, cut short, with anything shaped like an email address masked. */
export function reasonOf(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.replace(/[^\s@"'<>]+@[^\s@"'<>]+/g, '<address>').slice(0, 300);
}
