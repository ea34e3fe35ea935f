import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createSqliteProfileStore } from '../sqlite-profile-store.ts';
import { openDuckDbWarehouse } from '../warehouse/duckdb-warehouse.ts';
import { createManualClock } from '../../../pipelines/shared/clock.ts';
import type { Warehouse } from '../../../pipelines/warehouse/warehouse.ts';
import { createEmbeddedReconcile } from './embedded-reconcile.ts';

// Review of issue 8: a nightly run that fails writes no reconciliation_runs row, so every later
// check (each minute in production) finds the night "due" again and starts another full run —
// each one staging the whole history into reconciliation_history (pruned only after a week).
test('review: a failed nightly run is not restarted at every check the same night', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nudge-review-nightly-'));
  const store = createSqliteProfileStore({ database: join(dir, 'profiles.db') });
  const real = await openDuckDbWarehouse({ dataDir: dir });
  let stagings = 0;
  const warehouse: Warehouse = {
    ...real,
    query: async (sql, params, options) => {
      if (!/INSERT INTO[\s\S]*reconciliation_history/i.test(sql)) return real.query(sql, params, options);
      stagings++;
      await real.query(sql, params, options);
      throw new Error('a failure after staging (a bad row, a full disk, a transient error)');
    },
  };
  const reconcile = createEmbeddedReconcile({ store, warehouse, clock: createManualClock('2026-03-02T03:00:30.000Z'), log: () => {} });
  const ticker = reconcile.startNightly({ hour: 3, minute: 0 }, { checkEveryMs: 5 })!;
  try {
    await sleep(1500);
  } finally {
    await ticker.stop();
    await store.close();
    await real.close();
    rmSync(dir, { recursive: true, force: true });
  }
  assert.ok(stagings <= 2, `the history was staged ${stagings} times in one night`);
});
