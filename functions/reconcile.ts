import { jsonResponse, type HttpEntry } from './http.ts';
import { runReconciliation, type ReconcileDeps } from '../pipelines/reconcile/run-reconciliation.ts';

/**
 * The reconcile Cloud Function: Cloud Scheduler POSTs (OIDC) once a night and the job runs to its
 * end — compare every profile with the history, record diffs, fix version-guarded, write the
 * day's snapshots — answering 200 with the run row. `{"dry_run": true}` records without fixing
 * (a hand-made call with an identity allowed to invoke). A failure answers 500, which Cloud
 * Scheduler logs; nothing is half-done in a way the next night cannot redo: fixes are each their
 * own transaction, diff and snapshot rows are keyed.
 */
export function createReconcileEntry(deps: ReconcileDeps): HttpEntry {
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
      return jsonResponse(200, { run: await runReconciliation(deps, { dryRun }) });
    } catch (error) {
      deps.log?.({ severity: 'ERROR', message: 'reconciliation failed', error: String(error) });
      return jsonResponse(500, { error: 'reconciliation failed; see the function log' });
    }
  };
}
