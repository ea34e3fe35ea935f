import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createSqliteProfileStore, type SqliteProfileStore } from '../sqlite-profile-store.ts';
import { openDuckDbWarehouse } from '../warehouse/duckdb-warehouse.ts';
import { createManualClock } from '../../../pipelines/shared/clock.ts';
import type { Warehouse } from '../../../pipelines/warehouse/warehouse.ts';
import { createEmbeddedReconcile, ReconcileBusyError } from './embedded-reconcile.ts';

// The embedded runtime's reconciliation: one run at a time, and the nightly check that runs it
// once a night, by the runs recorded in the warehouse (a manual clock; the check every few ms).
let dir: string;
let store: SqliteProfileStore;
let warehouse: Warehouse;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nudge-embedded-reconcile-'));
  store = createSqliteProfileStore({ database: join(dir, 'profiles.db') });
  warehouse = await openDuckDbWarehouse({ dataDir: dir });
});
afterEach(async () => {
  await store.close();
  await warehouse.close();
  rmSync(dir, { recursive: true, force: true });
});

const runs = async () => (await warehouse.query('SELECT started_at, dry_run FROM reconciliation_runs ORDER BY started_at')) as { started_at: string; dry_run: boolean }[];

async function waitFor(condition: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await condition()) return;
    await sleep(10);
  }
  assert.fail('condition not reached');
}

describe('embedded reconciliation', () => {
  test('a second run asked for while one is going is refused, not queued', async () => {
    const reconcile = createEmbeddedReconcile({ store, warehouse, clock: createManualClock('2026-03-02T03:00:00.000Z'), log: () => {} });
    const first = reconcile.run({ dryRun: true });
    await assert.rejects(reconcile.run({ dryRun: false }), ReconcileBusyError);
    await first;
    await reconcile.run({ dryRun: false });
    assert.equal((await runs()).length, 2);
  });

  test('nightly: runs once when its time has passed, not again that night, again the next night; dry runs do not count', async () => {
    const clock = createManualClock('2026-03-02T02:59:00.000Z');
    const logs: Record<string, unknown>[] = [];
    const reconcile = createEmbeddedReconcile({ store, warehouse, clock, log: (entry) => void logs.push(entry) });
    await reconcile.run({ dryRun: true });
    const ticker = reconcile.startNightly({ hour: 3, minute: 0 }, { checkEveryMs: 5 })!;
    try {
      await sleep(50);
      assert.deepEqual((await runs()).map((run) => run.dry_run), [true], 'not before 03:00');
      clock.set('2026-03-02T03:00:30.000Z');
      await waitFor(async () => (await runs()).length === 2);
      clock.set('2026-03-02T09:00:00.000Z');
      await sleep(50);
      assert.equal((await runs()).length, 2, 'once a night');
      clock.set('2026-03-03T03:01:00.000Z');
      await waitFor(async () => (await runs()).length === 3);
    } finally {
      await ticker.stop();
    }
    assert.deepEqual((await runs()).map((run) => [run.started_at, run.dry_run]), [
      ['2026-03-02T02:59:00.000Z', true],
      ['2026-03-02T03:00:30.000Z', false],
      ['2026-03-03T03:01:00.000Z', false],
    ]);
    assert.deepEqual(logs.filter((entry) => entry.severity === 'ERROR'), []);
  });

  test('off: no nightly run at all', () => {
    const reconcile = createEmbeddedReconcile({ store, warehouse, clock: createManualClock(), log: () => {} });
    assert.equal(reconcile.startNightly(null), null);
  });
});
