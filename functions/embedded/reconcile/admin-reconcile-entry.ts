import { refuseAdminRequest } from '../admin-request-guard.ts';
import { jsonResponse, type HttpEntry } from '../../http.ts';
import { ReconcileBusyError, ReconcilePostponedError, type EmbeddedReconcile } from './embedded-reconcile.ts';

/**
 * POST /_nudge/reconcile {"dry_run": boolean}: lets `nudge reconcile` run the job inside the host,
 * which holds the DuckDB file. The same guards as /_nudge/query: clients on this machine only,
 * under a loopback Host, with the per-start admin token of host.json. Answers the run row.
 */
export function createAdminReconcileEntry(deps: { reconcile: EmbeddedReconcile; adminToken: string }): HttpEntry {
  return async (request) => {
    const refused = refuseAdminRequest(request, deps.adminToken, 'reconcile');
    if (refused) return refused;
    let dryRun: unknown;
    try {
      dryRun = (JSON.parse(request.rawBody.toString('utf8') || '{}') as { dry_run?: unknown }).dry_run ?? false;
    } catch {
      return jsonResponse(400, { error: 'body must be JSON {"dry_run": true|false}' });
    }
    if (typeof dryRun !== 'boolean') return jsonResponse(400, { error: 'dry_run must be true or false' });
    try {
      return jsonResponse(200, { run: await deps.reconcile.run({ dryRun }) });
    } catch (error) {
      if (error instanceof ReconcileBusyError) return jsonResponse(409, { error: error.message });
      if (error instanceof ReconcilePostponedError) return jsonResponse(503, { error: error.message });
      return jsonResponse(500, { error: error instanceof Error ? error.message : String(error) });
    }
  };
}
