import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { dataDirOf } from '../config.ts';
import { readLiveHost } from '../host-file.ts';
import { createEmbeddedReconcile } from '../reconcile/embedded-reconcile.ts';
import { createSqliteProfileStore } from '../sqlite-profile-store.ts';
import { openDuckDbWarehouse } from '../warehouse/duckdb-warehouse.ts';
import { eventWarehouseSubscriptions } from '../warehouse-writer.ts';
import { readBacklogPublishedBefore } from './read-bus-status.ts';
import { createReconcileProgress } from './reconcile-progress.ts';
import { systemClock } from '../../../pipelines/shared/clock.ts';
import type { ReconciliationRunRow } from '../../../pipelines/reconcile/reconciliation-rows.ts';

/**
 * `nudge reconcile [--dry-run]`: compares every profile with the event history now, records the
 * diffs, and (without --dry-run) fixes them version-guarded. DuckDB allows one process per file,
 * so while the runtime runs the job runs inside it (POST /_nudge/reconcile, host.json); otherwise
 * the stores are opened here. Exit code 0 when the run finished, whatever it found.
 */
export async function runReconcileCommand(
  options: { dryRun: boolean; env: Readonly<Record<string, string | undefined>>; progress?: { isTTY?: boolean; columns?: number; write: (text: string) => unknown } },
  out: Writable,
): Promise<number> {
  const dataDir = dataDirOf(options.env);
  let run: ReconciliationRunRow;
  try {
    const host = readLiveHost(dataDir);
    const progress = options.progress ?? process.stderr;
    // The host answers once the run is over: say where it runs rather than show a still bar.
    if (host && progress.isTTY) progress.write(`reconcile: running inside the host at ${host.url}; the summary follows when it is done\n`);
    run = host ? await reconcileThroughHost(host, options.dryRun) : await reconcileHere(dataDir, options.dryRun, progress);
  } catch (error) {
    console.error(`nudge: reconcile failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  out.write(formatSummary(run));
  return 0;
}

async function reconcileThroughHost(host: { url: string; adminToken: string }, dryRun: boolean): Promise<ReconciliationRunRow> {
  const { status, text } = await postWithoutTimeout(`${host.url}/_nudge/reconcile`, host.adminToken, JSON.stringify({ dry_run: dryRun }));
  if (status === 404) {
    throw new Error(`the running host (${host.url}) listens on a non-loopback address, where reconcile is not served; stop it to run here, or run it with NUDGE_HOST=127.0.0.1`);
  }
  let body: { run?: ReconciliationRunRow; error?: string };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    throw new Error(`host answered ${status}: ${text.slice(0, 200)}`);
  }
  if (status !== 200 || !body.run) throw new Error(body.error ?? `host answered ${status}`);
  return body.run;
}

/**
 * node:http rather than fetch: the run answers when it has finished, which on a large shop takes
 * longer than fetch's 300-second wait for response headers.
 */
function postWithoutTimeout(url: string, adminToken: string, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const call = request(url, { method: 'POST', headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    call.on('error', reject);
    call.end(body);
  });
}

async function reconcileHere(dataDir: string, dryRun: boolean, progressStream: NonNullable<Parameters<typeof runReconcileCommand>[0]['progress']>): Promise<ReconciliationRunRow> {
  // Never create state to reconcile it: a wrong data dir would report "0 people checked".
  for (const file of ['profiles.db', 'warehouse.duckdb']) {
    if (!existsSync(join(dataDir, file))) throw new Error(`no ${file} in ${dataDir}: start nudge with this data dir first (npm start), or point NUDGE_DATA_DIR / --data-dir at the one it uses`);
  }
  const store = createSqliteProfileStore({ database: join(dataDir, 'profiles.db') });
  const warehouse = await openDuckDbWarehouse({ dataDir });
  const progress = createReconcileProgress(progressStream, dryRun ? 'reconcile (dry run)' : 'reconcile');
  try {
    // No host drains the bus now: events it still owes the warehouse stay owed until one starts.
    const busFile = join(dataDir, 'bus.db');
    const warehouseBacklog = (receivedBy: Date) => (existsSync(busFile) ? readBacklogPublishedBefore(busFile, eventWarehouseSubscriptions, receivedBy) : 0);
    const reconcile = createEmbeddedReconcile({ store, warehouse, clock: systemClock, log: () => undefined, warehouseBacklog });
    return await reconcile.run({ dryRun, onProgress: progress.update });
  } finally {
    progress.done();
    await warehouse.close();
    await store.close();
  }
}

export function formatSummary(run: ReconciliationRunRow): string {
  const fields = Object.entries(run.diffs_by_field).sort(([a], [b]) => (a < b ? -1 : 1));
  const lines = [
    `reconciliation ${run.run_id}${run.dry_run ? ' (dry run: nothing fixed)' : ''}`,
    `  history as of      ${run.as_of}`,
    `  people checked     ${run.people_checked}${run.people_not_judged > 0 ? ` (${run.people_not_judged} written since as_of wait for the next run)` : ''}`,
    `  people with diffs  ${run.people_with_diffs}`,
    ...fields.map(([field, count]) => `    ${field.padEnd(24)} ${count}`),
    ...(run.dry_run ? [] : [`  fixes applied      ${run.fixes_applied}`, `  fixes skipped      ${run.fixes_skipped} (the profile changed during the run)`, `  snapshots          ${run.snapshots_written}`]),
    `  not fixable        ${run.not_fixable}`,
    `  details: nudge query "SELECT person_id, field, outcome, reason FROM reconciliation_diffs WHERE run_id = '${run.run_id}'"`,
  ];
  return lines.join('\n') + '\n';
}
