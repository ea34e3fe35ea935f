import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readFileSync } from 'node:fs';
import { createReconcileEntry, reconcileEntryDefaults } from './reconcile.ts';
import { createInMemoryProfileStore } from '../pipelines/profiles/in-memory-profile-store.ts';
import { emptyProfile } from '../pipelines/profiles/profile.ts';
import { createManualClock } from '../pipelines/shared/clock.ts';
import type { WarehouseRow } from '../pipelines/warehouse/warehouse.ts';

// The GCP entry over an in-memory store and a recording warehouse: the wiring, not the job
// (test/e2e/nightly-reconciliation.test.ts runs the job on real adapters).
async function setup(failQuery = false) {
  const store = createInMemoryProfileStore();
  // One profile written long before the run, so the walk asks the warehouse for its history.
  await store.transact(async (tx) => {
    await tx.getProfiles(['p-1']);
    tx.putProfile(emptyProfile('p-1', '2026-03-01T00:00:00.000Z'));
  });
  const inserted: { table: string; rows: readonly WarehouseRow[] }[] = [];
  const logs: Record<string, unknown>[] = [];
  const entry = createReconcileEntry({
    store,
    warehouse: {
      query: async (sql) => {
        if (failQuery && sql === 'SELECT 1') throw new Error('bigquery down');
        return [];
      },
      insertRows: async (table, rows) => void inserted.push({ table, rows }),
    },
    clock: createManualClock('2026-03-02T03:00:00.000Z'),
    newRunId: () => 'run-1',
    sql: { pruneHistory: 'DELETE', stageHistory: 'INSERT', readHistory: 'SELECT 1', personEvents: 'SELECT 1', resumeCursor: 'SELECT resume_after' },
    log: (entry) => void logs.push(entry),
  });
  const call = (method: string, body = '') => entry({ method, path: '/', headers: {}, query: new URLSearchParams(), rawBody: Buffer.from(body) });
  return { call, inserted, logs };
}

describe('reconcile function', () => {
  test('a POST from the scheduler (empty body) runs the job and answers its run row', async () => {
    const { call, inserted } = await setup();
    const response = await call('POST');
    assert.equal(response.status, 200);
    const { run } = JSON.parse(String(response.body)) as { run: { run_id: string; dry_run: boolean; as_of: string } };
    assert.deepEqual([run.run_id, run.dry_run, run.as_of], ['run-1', false, '2026-03-02T02:50:00.000Z']);
    // The one profile has no history and nothing to disagree on; its snapshot and the run row are written.
    assert.deepEqual(inserted.map((call) => call.table), ['profile_snapshots', 'reconciliation_runs']);
  });

  test('{"dry_run": true} is passed on', async () => {
    const { call } = await setup();
    const response = await call('POST', '{"dry_run": true}');
    assert.equal((JSON.parse(String(response.body)) as { run: { dry_run: boolean } }).run.dry_run, true);
  });

  for (const [name, method, body, status] of [
    ['GET', 'GET', '', 405],
    ['a body that is not JSON', 'POST', 'dry', 400],
    ['dry_run not a boolean', 'POST', '{"dry_run": "yes"}', 400],
  ] as const) {
    test(`${name} → ${status}`, async () => assert.equal((await (await setup()).call(method, body)).status, status));
  }

  test('a failure answers 500 without the error text, which goes to the log', async () => {
    const { call, logs } = await setup(true);
    const response = await call('POST');
    assert.equal(response.status, 500);
    assert.doesNotMatch(String(response.body), /bigquery down/);
    assert.match(String(logs.find((entry) => entry.severity === 'ERROR')?.error), /bigquery down/);
  });

  test('the time budget leaves the function a quarter of its timeout to finish the batch, the fixes and the run row', () => {
    const settings = /\n {4}reconcile = \{[^}]*timeout_seconds\s*=\s*(\d+)/.exec(readFileSync('terraform/functions.tf', 'utf8'));
    assert.ok(settings, 'function_settings.reconcile.timeout_seconds in terraform/functions.tf');
    assert.ok(reconcileEntryDefaults.timeBudgetMs <= Number(settings[1]) * 1000 * 0.75, `${reconcileEntryDefaults.timeBudgetMs} ms of ${settings[1]} s`);
  });
});
