import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Query } from '@google-cloud/bigquery';
import { fakeBigQuery } from '../../test/support/fake-bigquery.ts';
import { createBigQueryWarehouse } from './bigquery-warehouse.ts';
import { loadReconcileSql } from '../reconcile/load-reconcile-sql.ts';
import { createInMemoryProfileStore } from '../../pipelines/profiles/in-memory-profile-store.ts';
import { makeEvent } from '../../pipelines/profiles/event-fixtures.ts';
import { refoldHistory } from '../../pipelines/reconcile/refold-history.ts';
import { runReconciliation } from '../../pipelines/reconcile/run-reconciliation.ts';
import { createManualClock } from '../../pipelines/shared/clock.ts';

// The reconciliation on the GCP adapters' path: the BigQuery warehouse (a client stand-in that
// records jobs and inserts and answers no rows) and a profile store. What reaches BigQuery: the
// sql/reconcile statements rendered for the deployed dataset with typed parameters, and the rows
// of the reconciliation tables as insertAll takes them, keyed for dedupe.
describe('reconcile over the BigQuery warehouse', () => {
  test('prune, stage, read: rendered for the dataset, typed parameters; diffs, snapshots and the run row inserted with their keys', async () => {
    const { client, jobs, inserts } = fakeBigQuery();
    const warehouse = createBigQueryWarehouse({ bigquery: client, projectId: 'shop-prod', dataset: 'nudge_eu' });
    const store = createInMemoryProfileStore();
    const at = '2026-03-01T10:00:00.000Z';
    const profile = { ...refoldHistory('p-1', [makeEvent('order_completed', { occurred_at: at, received_at: at, properties: { total: 5 } })], at), updated_at: at, created_at: at };
    await store.transact(async (tx) => {
      await tx.getProfiles(['p-1']);
      tx.putProfile(profile);
    });
    const run = await runReconciliation(
      { store, warehouse, clock: createManualClock('2026-03-02T03:00:00.000Z'), sql: loadReconcileSql(), newRunId: () => 'run-1' },
      { dryRun: false },
    );

    const texts = jobs.map((job: Query) => String(job.query));
    assert.match(texts[0]!, /^DELETE FROM `shop-prod\.nudge_eu\.reconciliation_history`/m);
    assert.match(texts[1]!, /INSERT INTO `shop-prod\.nudge_eu\.reconciliation_history`/);
    assert.match(texts[1]!, /FROM `shop-prod\.nudge_eu\.events_with_person`/);
    const statements = texts.map((text) => text.split('\n').filter((line) => !line.trimStart().startsWith('--')).join('\n'));
    assert.doesNotMatch(statements.join('\n'), /\$\{dataset\}/, 'every table named in the deployed dataset (comments aside)');
    assert.match(texts[2]!, /FROM `shop-prod\.nudge_eu\.reconciliation_runs`/, 'where the walk resumes');
    assert.deepEqual(jobs.map((job: Query) => Object.keys(job.params ?? {}).sort()), [['before'], ['as_of', 'run_id'], [], ['person_ids', 'run_id'], ['as_of', 'person_ids']]);

    // No history at all for p-1: its diffs are recorded, and not fixed (a warehouse gap is never "fixed" by wiping).
    assert.deepEqual([run.people_with_diffs, run.fixes_applied, run.not_fixable], [1, 0, 4]);
    assert.deepEqual(inserts.map((insert) => [insert.dataset, insert.table]), [
      ['nudge_eu', 'reconciliation_diffs'],
      ['nudge_eu', 'profile_snapshots'],
      ['nudge_eu', 'reconciliation_runs'],
    ]);
    const [diff] = inserts[0]!.rows as { insertId: string; json: Record<string, unknown> }[];
    assert.equal(diff!.insertId, 'run-1/p-1/orders.count');
    assert.equal(diff!.json.profile_value, '1', 'JSON columns go as JSON text');
    const [snapshot] = inserts[1]!.rows as { insertId: string; json: Record<string, unknown> }[];
    assert.deepEqual([snapshot!.insertId, snapshot!.json.snapshot_date, snapshot!.json.emails], ['p-1/2026-03-02', '2026-03-02', '[]']);
  });
});
