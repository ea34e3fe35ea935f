import { monotonicFactory } from 'ulid';
import { loadReconcileSql } from '../../reconcile/load-reconcile-sql.ts';
import { startTicker, type Ticker } from '../ticker.ts';
import type { ProfileStore } from '../../../pipelines/profiles/profile-store.ts';
import { runReconciliation, type ReconcileProgress } from '../../../pipelines/reconcile/run-reconciliation.ts';
import type { ReconciliationRunRow } from '../../../pipelines/reconcile/reconciliation-rows.ts';
import type { Clock } from '../../../pipelines/shared/clock.ts';
import type { Warehouse } from '../../../pipelines/warehouse/warehouse.ts';
import { isReconcileDue, type ReconcileAt } from './reconcile-schedule.ts';

/** A second run asked for while one is going: refused, not queued (they would judge the same profiles). */
export class ReconcileBusyError extends Error {}

export type EmbeddedReconcile = {
  run: (options: { dryRun: boolean; onProgress?: (progress: ReconcileProgress) => void }) => Promise<ReconciliationRunRow>;
  /** Checks each minute (or `checkEveryMs`) whether tonight's run is due (reconcile-schedule.ts); null when off. */
  startNightly: (at: ReconcileAt, options?: { checkEveryMs?: number }) => Ticker | null;
};

/** How often the nightly check looks at the clock: a run starts within a minute of its time. */
const checkEveryMs = 60_000;

/**
 * Reconciliation in the embedded runtime: the host's nightly run, `POST /_nudge/reconcile` and
 * `nudge reconcile` with no host running all come here, one run at a time.
 */
export function createEmbeddedReconcile(deps: { store: ProfileStore; warehouse: Warehouse; clock: Clock; log: (entry: Record<string, unknown>) => void }): EmbeddedReconcile {
  const sql = loadReconcileSql();
  const newId = monotonicFactory();
  let running: Promise<ReconciliationRunRow> | null = null;

  const run: EmbeddedReconcile['run'] = (options) => {
    if (running) return Promise.reject(new ReconcileBusyError('a reconciliation is already running; try again when it has finished'));
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
      return startTicker(
        async () => {
          if (running || !isReconcileDue(deps.clock.now(), at, await lastStartedAt())) return;
          await run({ dryRun: false });
        },
        options.checkEveryMs ?? checkEveryMs,
        (error) => deps.log({ severity: 'ERROR', message: 'nightly reconciliation failed; the next check retries', error: String(error) }),
      );
    },
  };
}
