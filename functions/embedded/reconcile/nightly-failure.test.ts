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
import { createEmbeddedReconcile, ReconcilePostponedError } from './embedded-reconcile.ts';

// A nightly run that fails writes no reconciliation_runs row, so every later check (each minute in
// production) would find the night "due" again and start another full run — each one staging the
// whole history into reconciliation_history (pruned only after a week). It is retried hourly.
test('a failed nightly run is retried at most once an hour, its failure logged with the reason', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nudge-nightly-failure-'));
  const store = createSqliteProfileStore({ database: join(dir, 'profiles.db') });
  const real = await openDuckDbWarehouse({ dataDir: dir });
  let stagings = 0;
  const warehouse: Warehouse = {
    ...real,
    query: async (sql, params, options) => {
      if (!/INSERT INTO[\s\S]*reconciliation_history/i.test(sql)) return real.query(sql, params, options);
      stagings++;
      await real.query(sql, params, options);
      throw new Error('a failure after staging (a bad row for gina@example.com, a full disk, a transient error)');
    },
  };
  // The host started before 03:00 (a new install waits for its first 03:00: see below).
  const clock = createManualClock('2026-03-02T02:59:30.000Z');
  const logs: Record<string, unknown>[] = [];
  const reconcile = createEmbeddedReconcile({ store, warehouse, clock, log: (entry) => void logs.push(entry) });
  const ticker = reconcile.startNightly({ hour: 3, minute: 0 }, { checkEveryMs: 5 })!;
  clock.set('2026-03-02T03:00:30.000Z');
  try {
    await sleep(1500);
    assert.equal(stagings, 1, `the history was staged ${stagings} times in one night`);
    clock.set('2026-03-02T03:59:00.000Z');
    await sleep(100);
    assert.equal(stagings, 1, 'not within the hour');
    clock.set('2026-03-02T04:00:31.000Z');
    for (let i = 0; i < 200 && stagings < 2; i++) await sleep(10);
    assert.equal(stagings, 2, 'again after an hour');
  } finally {
    await ticker.stop();
    await store.close();
    await real.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const failures = logs.filter((entry) => entry.message === 'nightly reconciliation failed');
  assert.equal(failures.length, 2);
  assert.equal(failures[0]!.severity, 'ERROR');
  assert.equal(failures[0]!.retry_after, '2026-03-02T04:00:30.000Z');
  assert.match(String(failures[0]!.reason), /^Error: a failure after staging/);
  assert.doesNotMatch(JSON.stringify(failures), /gina@example\.com/, 'no address in the log');
});

test('a run that fixes waits while the warehouse writer holds events received before as_of; a dry run does not', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nudge-nightly-backlog-'));
  const store = createSqliteProfileStore({ database: join(dir, 'profiles.db') });
  const warehouse = await openDuckDbWarehouse({ dataDir: dir });
  const clock = createManualClock('2026-03-02T03:00:30.000Z');
  let backlog = 3;
  const asked: string[] = [];
  const logs: Record<string, unknown>[] = [];
  const reconcile = createEmbeddedReconcile({
    store, warehouse, clock, log: (entry) => void logs.push(entry),
    warehouseBacklog: (receivedBy) => {
      asked.push(receivedBy.toISOString());
      return backlog;
    },
  });
  const runs = async () => (await warehouse.query('SELECT dry_run FROM reconciliation_runs ORDER BY started_at')).map((row) => row.dry_run);
  try {
    await assert.rejects(reconcile.run({ dryRun: false }), (error: unknown) => error instanceof ReconcilePostponedError && /3 undelivered event\(s\) received before as_of 2026-03-02T02:50:30\.000Z/.test(error.message));
    assert.deepEqual(asked, ['2026-03-02T02:50:30.000Z'], 'asked as of the run\'s as_of');
    await reconcile.run({ dryRun: true });
    assert.deepEqual(await runs(), [true]);

    clock.set('2026-03-02T02:59:30.000Z');
    const ticker = reconcile.startNightly({ hour: 3, minute: 0 }, { checkEveryMs: 5 })!;
    clock.set('2026-03-02T03:00:30.000Z');
    try {
      await sleep(200);
      assert.deepEqual(await runs(), [true], 'postponed');
      assert.equal(logs.filter((entry) => entry.message === 'nightly reconciliation postponed').length, 1, 'once, then it waits');
      backlog = 0;
      clock.set('2026-03-02T03:05:31.000Z');
      for (let i = 0; i < 200 && (await runs()).length < 2; i++) await sleep(10);
      assert.deepEqual(await runs(), [true, false], 'run once the writer caught up');
    } finally {
      await ticker.stop();
    }
  } finally {
    await store.close();
    await warehouse.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a new install started after the nightly time waits for the next one, not minutes after npm start', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nudge-nightly-fresh-'));
  const store = createSqliteProfileStore({ database: join(dir, 'profiles.db') });
  const warehouse = await openDuckDbWarehouse({ dataDir: dir });
  const clock = createManualClock('2026-03-02T10:00:00.000Z');
  const reconcile = createEmbeddedReconcile({ store, warehouse, clock, log: () => {} });
  const runs = async () => (await warehouse.query('SELECT started_at FROM reconciliation_runs ORDER BY started_at')).map((row) => row.started_at);
  const ticker = reconcile.startNightly({ hour: 3, minute: 0 }, { checkEveryMs: 5 })!;
  try {
    await sleep(200);
    assert.deepEqual(await runs(), [], 'no run on the day of the install');
    clock.set('2026-03-03T03:00:10.000Z');
    for (let i = 0; i < 200 && (await runs()).length < 1; i++) await sleep(10);
    assert.deepEqual(await runs(), ['2026-03-03T03:00:10.000Z'], 'the first night');
  } finally {
    await ticker.stop();
    await store.close();
    await warehouse.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
