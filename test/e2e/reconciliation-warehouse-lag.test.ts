import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { loadReconcileSql } from '../../functions/reconcile/load-reconcile-sql.ts';
import { createSqliteProfileStore, type SqliteProfileStore } from '../../functions/embedded/sqlite-profile-store.ts';
import { openDuckDbWarehouse } from '../../functions/embedded/warehouse/duckdb-warehouse.ts';
import type { NudgeEvent } from '../../pipelines/events/nudge-event.ts';
import { makeEvent } from '../../pipelines/profiles/event-fixtures.ts';
import { createFoldEvents, createPersonIdFactory } from '../../pipelines/profiles/fold-events.ts';
import { recordingIdentityLinks } from '../../pipelines/profiles/record-identity-links.ts';
import { runReconciliation } from '../../pipelines/reconcile/run-reconciliation.ts';
import { createManualClock } from '../../pipelines/shared/clock.ts';
import type { Warehouse } from '../../pipelines/warehouse/warehouse.ts';

// The profile applied an order that the warehouse does not hold yet (its writer is behind or
// dead-lettered the row; on GCP the BigQuery subscription). The profile's stamps prove the history
// incomplete: a fix "backwards" would drop the order and make the bought cart active again (an
// abandoned-cart email to a buyer). The diffs are recorded as not_fixable, the profile left alone.
let dir: string;
let store: SqliteProfileStore;
let warehouse: Warehouse;
const clock = createManualClock('2026-03-01T10:30:00.000Z');
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nudge-review-lag-'));
  store = createSqliteProfileStore({ database: join(dir, 'profiles.db') });
  warehouse = await openDuckDbWarehouse({ dataDir: dir });
});
afterEach(async () => {
  await store.close();
  await warehouse.close();
  rmSync(dir, { recursive: true, force: true });
});

test('an order the profile applied but the warehouse lacks is not removed by a fix', async () => {
  const folding = createFoldEvents({ store, clock, newPersonId: createPersonIdFactory(clock) });
  const linked = recordingIdentityLinks(folding, { clock, facts: { insertRows: (table, rows) => warehouse.insertRows(table, rows) } });
  const who = { anonymous_id: 'anon-gina', email: 'gina@example.com' };
  const at = (minute: number) => `2026-03-01T10:0${minute}:00.000Z`;
  const ev = (kind: NudgeEvent['kind'], minute: number, properties: Record<string, unknown>) =>
    makeEvent(kind, { occurred_at: at(minute), received_at: at(minute), properties, traits: {}, ...who });
  const added = ev('product_added', 1, { product_id: 'sku-g', price: 10 });
  const order = ev('order_completed', 2, { order_id: 'o-g1', total: 10 });
  await warehouse.insertEvents([added]);
  await linked([added]);
  await linked([order]); // folded and in the ledger; its warehouse row not written (yet)
  const personId = (await store.findPersonId('anon:anon-gina' as never))!;
  clock.set('2026-03-02T03:00:00.000Z');
  await runReconciliation({ store, warehouse, clock, sql: loadReconcileSql(), newRunId: () => 'run-lag' }, { dryRun: false });
  const after = (await store.getProfile(personId))!;
  assert.equal(after.orders.count, 1, 'the applied order is kept');
  assert.deepEqual(after.cart?.items ?? [], [], 'the bought cart stays emptied');
  const diffs = await warehouse.query("SELECT field, outcome, reason FROM reconciliation_diffs WHERE run_id = 'run-lag' ORDER BY field");
  assert.ok(diffs.length > 0);
  for (const diff of diffs) {
    assert.equal(diff.outcome, 'not_fixable');
    assert.match(String(diff.reason), /^history incomplete/);
  }
});
