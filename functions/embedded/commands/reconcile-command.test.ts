import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { createCaptureStream } from '../../../test/support/capture-stream.ts';
import { parseEmbeddedConfig } from '../config.ts';
import { startEmbeddedRuntime } from '../runtime.ts';
import { createSqliteBus } from '../sqlite-bus.ts';
import { openSqliteDatabase } from '../sqlite-database.ts';
import { eventWarehouseSubscriptions } from '../warehouse-writer.ts';
import { createSqliteProfileStore } from '../sqlite-profile-store.ts';
import { openDuckDbWarehouse } from '../warehouse/duckdb-warehouse.ts';
import { makeEvent } from '../../../pipelines/profiles/event-fixtures.ts';
import { createFoldEvents, createPersonIdFactory } from '../../../pipelines/profiles/fold-events.ts';
import { recordingIdentityLinks } from '../../../pipelines/profiles/record-identity-links.ts';
import { createManualClock } from '../../../pipelines/shared/clock.ts';
import { allTopicNames } from '../../../pipelines/events/topics.ts';
import { runReconcileCommand } from './reconcile-command.ts';

// `nudge reconcile` on a real data dir: SQLite profiles and the DuckDB warehouse opened by the
// command when no host runs, and through the running host (POST /_nudge/reconcile) when one does.
let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'nudge-reconcile-cmd-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

/** One shopper with one order, whose counter a defect set to 0; events from a day ago. (A counter
 * above the history is reported, not fixed: the history may be the one behind, history-gap.ts.) */
async function seedWrongCounter(): Promise<void> {
  const clock = createManualClock(new Date(Date.now() - 86_400_000));
  const store = createSqliteProfileStore({ database: join(dataDir, 'profiles.db') });
  const warehouse = await openDuckDbWarehouse({ dataDir });
  try {
    const fold = recordingIdentityLinks(createFoldEvents({ store, clock, newPersonId: createPersonIdFactory(clock) }), { clock, facts: warehouse });
    const at = clock.now().toISOString();
    const order = makeEvent('order_completed', { anonymous_id: null, user_id: 'u-1', occurred_at: at, received_at: at, properties: { total: 10 } });
    await warehouse.insertEvents([order]);
    const result = await fold([order]);
    const personId = result.person_ids[0]!;
    const profile = (await store.getProfile(personId))!;
    await store.transact(async (tx) => {
      await tx.getProfiles([personId]);
      tx.putProfile({ ...profile, version: profile.version + 1, orders: { ...profile.orders, count: 0 } });
    });
  } finally {
    await warehouse.close();
    await store.close();
  }
}

const run = async (dryRun: boolean, progress?: { isTTY: boolean; write: (text: string) => boolean }) => {
  const out = createCaptureStream();
  const code = await runReconcileCommand({ dryRun, env: { NUDGE_DATA_DIR: dataDir }, progress: progress ?? { isTTY: false, write: () => true } }, out);
  return { code, text: out.text() };
};

describe('nudge reconcile', () => {
  test('without a host: --dry-run lists the diff, a run fixes it, the summary says so', async () => {
    await seedWrongCounter();
    const dry = await run(true);
    assert.equal(dry.code, 0);
    assert.match(dry.text, /\(dry run: nothing fixed\)/);
    assert.match(dry.text, /people checked\s+1\n/);
    assert.match(dry.text, /orders\.count\s+1\n/);
    const progress: string[] = [];
    const fixed = await run(false, { isTTY: true, write: (text) => progress.push(text) > 0 });
    assert.match(fixed.text, /fixes applied\s+1\n/);
    assert.ok(progress.some((line) => /1 people checked · 1 with diffs · 1 fixed/.test(line)), 'a progress line on a terminal');
    // The fix itself is a write after as_of: that profile waits for the next night's run.
    const again = await run(false);
    assert.match(again.text, /people checked\s+0 \(1 written since as_of wait for the next run\)\n/);
  });

  test('while the host runs, the job runs inside it (it holds the DuckDB file)', async () => {
    await seedWrongCounter();
    const runtime = await startEmbeddedRuntime(parseEmbeddedConfig({ NUDGE_DATA_DIR: dataDir, PORT: '0', NUDGE_WRITE_KEYS: 'k', NUDGE_RECONCILE_AT: 'off' }), { log: () => {} });
    try {
      const fixed = await run(false);
      assert.equal(fixed.code, 0, fixed.text);
      assert.match(fixed.text, /fixes applied\s+1\n/);
      assert.deepEqual(await runtime.warehouse.query('SELECT dry_run, fixes_applied FROM reconciliation_runs'), [{ dry_run: false, fixes_applied: 1 }]);
    } finally {
      await runtime.stop();
    }
  });

  test('a data dir without state is an error, not "0 people checked"', async () => {
    const errors: string[] = [];
    const original = console.error;
    console.error = (message: string) => void errors.push(message);
    try {
      assert.equal((await run(true)).code, 1);
    } finally {
      console.error = original;
    }
    assert.match(errors.join('\n'), /no profiles\.db in .*start nudge with this data dir first/);
  });

  test('without a host: a run that fixes is refused while bus.db still owes the warehouse events received before as_of; a dry run is not', async () => {
    await seedWrongCounter();
    const db = openSqliteDatabase(join(dataDir, 'bus.db'));
    try {
      // The host stopped before its writer wrote this event: published an hour ago, never delivered.
      const bus = createSqliteBus({
        db,
        clock: createManualClock(new Date(Date.now() - 3_600_000)),
        subscriptions: allTopicNames.map((topic, index) => ({ name: eventWarehouseSubscriptions[index]!, topic, onBatch: async (messages) => messages.map(() => 'ack' as const) })),
      });
      await bus.publish('events-priority', [{ data: Buffer.from('{}'), attributes: {} }]);
    } finally {
      db.close();
    }
    const errors: string[] = [];
    const original = console.error;
    console.error = (message: string) => void errors.push(message);
    try {
      assert.equal((await run(false)).code, 1);
      assert.equal((await run(true)).code, 0);
    } finally {
      console.error = original;
    }
    assert.match(errors.join('\n'), /1 undelivered event\(s\) received before as_of .*the history would be incomplete/);
  });
});
