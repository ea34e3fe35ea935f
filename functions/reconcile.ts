import { jsonResponse, type HttpEntry } from './http.ts';
import { runReconciliation, type ReconcileDeps } from '../pipelines/reconcile/run-reconciliation.ts';

export const reconcileEntryDefaults = {
  /**
   * How long the walk may go on (run-reconciliation.ts): terraform gives the function 3,600 s
   * (function_settings.reconcile.timeout_seconds), and a walk cut off by the timeout writes no run
   * row and leaves the tail unreconciled. Once this is spent the walk finishes its batch and the
   * pending fixes (minutes at most), writes the run row with the cursor, and the next night resumes.
   */
  timeBudgetMs: 45 * 60_000,
} as const;

/**
 * The reconcile Cloud Function: Cloud Scheduler POSTs (OIDC) once a night and the job runs to its
 * end or its time budget — compare every profile with the history, record diffs, fix version-guarded, write the
 * day's snapshots — answering 200 with the run row. `{"dry_run": true}` records without fixing
 * (a hand-made call with an identity allowed to invoke). A failure answers 500, which Cloud
 * Scheduler logs; nothing is half-done in a way the next night cannot redo: fixes are each their
 * own transaction, diff and snapshot rows are keyed.
 */
export function createReconcileEntry(deps: ReconcileDeps, options: { timeBudgetMs?: number } = {}): HttpEntry {
  const timeBudgetMs = options.timeBudgetMs ?? reconcileEntryDefaults.timeBudgetMs;
  return async (request) => {
    if (request.method !== 'POST') return jsonResponse(405, { error: 'use POST' });
    let dryRun: unknown = false;
    const text = request.rawBody.toString('utf8').trim();
    if (text !== '') {
      try {
        dryRun = (JSON.parse(text) as { dry_run?: unknown }).dry_run ?? false;
      } catch {
        return jsonResponse(400, { error: 'body must be empty or JSON {"dry_run": true|false}' });
      }
    }
    if (typeof dryRun !== 'boolean') return jsonResponse(400, { error: 'dry_run must be true or false' });
    try {
      return jsonResponse(200, { run: await runReconciliation(deps, { dryRun, timeBudgetMs }) });
    } catch (error) {
      deps.log?.({ severity: 'ERROR', message: 'reconciliation failed', error: String(error) });
      return jsonResponse(500, { error: 'reconciliation failed; see the function log' });
    }
  };
}
