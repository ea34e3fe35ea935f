import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Decision } from '../../pipelines/decisions/decision.ts';
import { createBigQueryClient } from './bigquery-client.ts';
import { createBigQueryWarehouse } from './bigquery-warehouse.ts';
import { fakeBigQuery } from '../../test/support/fake-bigquery.ts';

const open = (fake: ReturnType<typeof fakeBigQuery>, settings = {}) =>
  createBigQueryWarehouse({ bigquery: fake.client, projectId: 'shop-prod', dataset: 'nudge_eu', location: 'EU', settings });

const decision = (id: string, overrides: Partial<Decision> = {}): Decision =>
  Decision.parse({
    decision_id: id, send_id: `send-${id}`, campaign_id: 'cart-abandonment', person_id: 'p-1', step: 0, outcome: 'send', reason: 'eligible',
    defer_until: null, decided_at: '2026-11-27T22:00:00.000Z', variant_id: null, trigger_key: '["cart-1",null]', ...overrides,
  });

describe('BigQuery warehouse: query', () => {
  test('one job per query: SQL rendered, the dataset as default, standard SQL, the location', async () => {
    const fake = fakeBigQuery();
    await open(fake).query('SELECT COUNT(*) AS n FROM `${dataset}.events` JOIN decisions USING (person_id)');
    assert.equal(fake.jobs.length, 1);
    const job = fake.jobs[0]!;
    assert.equal(job.query, 'SELECT COUNT(*) AS n FROM `shop-prod.nudge_eu.events` JOIN decisions USING (person_id)');
    assert.deepEqual(job.defaultDataset, { projectId: 'shop-prod', datasetId: 'nudge_eu' });
    assert.equal(job.useLegacySql, false);
    assert.equal(job.location, 'EU');
    assert.equal(job.params, undefined, 'no parameters: the job is not put in named-parameter mode');
    assert.equal(job.scriptOptions, undefined, 'one statement is not a script');
  });

  test('rows come back as the port\'s plain values, INT64 beyond 2^53 exact', async () => {
    const fake = fakeBigQuery({
      fields: [{ name: 'n', type: 'INTEGER' }, { name: 'big', type: 'INTEGER' }, { name: 'at', type: 'TIMESTAMP' }, { name: 'props', type: 'JSON' }, { name: 'day', type: 'DATE' }],
      cells: [['3', '9007199254740993', '1795773600000000', '{"price":1.5}', '2026-11-27']],
    });
    assert.deepStrictEqual(await open(fake).query('SELECT 1'), [
      { n: 3, big: '9007199254740993', at: '2026-11-27T10:00:00.000Z', props: { price: 1.5 }, day: '2026-11-27' },
    ]);
  });

  test('named @params: the ones the SQL uses, typed where the library cannot infer', async () => {
    const fake = fakeBigQuery();
    await open(fake).query('SELECT * FROM events WHERE kind = @kind AND user_id = @user AND occurred_at >= @since', {
      kind: 'product_added', user: null, since: new Date('2026-11-27T10:00:00Z'), unused: 'x',
    });
    const job = fake.jobs[0]!;
    assert.deepEqual(Object.keys(job.params as object), ['kind', 'user', 'since']);
    assert.equal((job.params as Record<string, unknown>).kind, 'product_added');
    assert.deepEqual(job.types, { user: 'STRING' });
  });

  test('a missing @param fails before any job is created, naming it', async () => {
    const fake = fakeBigQuery();
    await assert.rejects(open(fake).query('SELECT @a, @b', { a: 1 }), /@b/);
    assert.equal(fake.jobs.length, 0);
  });

  test('several statements run as a script whose LAST statement gives the rows', async () => {
    const fake = fakeBigQuery();
    await open(fake).query('CREATE TEMP TABLE t AS SELECT 1 AS n;\nSELECT n FROM t;');
    assert.deepEqual(fake.jobs[0]!.scriptOptions, { keyResultStatement: 'LAST' });
  });

  test('a closed warehouse refuses', async () => {
    const fake = fakeBigQuery();
    const warehouse = open(fake);
    await warehouse.close();
    await assert.rejects(warehouse.query('SELECT 1'), /closed/);
    await assert.rejects(warehouse.insertRows('decisions', [decision('d1')]), /closed/);
  });
});

describe('BigQuery warehouse: inserts', () => {
  test('streaming insert into project.dataset.table, insertId = the primary key, repeats in a call kept once', async () => {
    const fake = fakeBigQuery();
    await open(fake).insertRows('decisions', [decision('d1'), decision('d2'), decision('d1', { reason: 'holdout' })]);
    assert.equal(fake.inserts.length, 1);
    const insert = fake.inserts[0]!;
    assert.deepEqual([insert.projectId, insert.dataset, insert.table], ['shop-prod', 'nudge_eu', 'decisions']);
    assert.deepEqual((insert.options as { raw: boolean }).raw, true);
    const rows = insert.rows as { insertId: string; json: Record<string, unknown> }[];
    assert.deepEqual(rows.map((row) => row.insertId), ['d1', 'd2']);
    assert.equal(rows[0]!.json.reason, 'eligible', 'the first copy is kept');
    assert.equal(rows[0]!.json.decided_at, '2026-11-27T22:00:00.000Z');
    assert.equal('defer_until' in rows[0]!.json, false, 'NULL columns are left out');
  });

  test('JSON columns go as JSON text; Dates as ISO text; events keyed by event_id', async () => {
    const fake = fakeBigQuery();
    await open(fake).insertDeadLetters([
      { dead_letter_id: 'dl1', stage: 'collect', reason: 'invalid_event', errors: [{ index: 0, path: 'x', message: 'bad' }], payload: '{}', source_id: 'wk', received_at: new Date('2026-11-27T10:00:00Z') as never },
    ] as never);
    const [row] = fake.inserts[0]!.rows as { insertId: string; json: Record<string, unknown> }[];
    assert.equal(row!.insertId, 'dl1');
    assert.equal(row!.json.errors, '[{"index":0,"path":"x","message":"bad"}]');
    assert.equal(row!.json.received_at, '2026-11-27T10:00:00.000Z');
    assert.equal(fake.inserts[0]!.table, 'dead_letters');
  });

  test('large batches go in slices of maxInsertRows', async () => {
    const fake = fakeBigQuery();
    await open(fake, { maxInsertRows: 2 }).insertRows('decisions', ['a', 'b', 'c', 'd', 'e'].map((id) => decision(id)));
    assert.deepEqual(fake.inserts.map((insert) => insert.rows.length), [2, 2, 1]);
  });

  test('refuses an unknown table or column without calling BigQuery', async () => {
    const fake = fakeBigQuery();
    await assert.rejects(open(fake).insertRows('nope', [{ a: 1 }]), /no table nope/);
    await assert.rejects(open(fake).insertRows('decisions', [{ ...decision('d1'), email: 'jane@example.com' }]), /no column\(s\) email/);
    assert.equal(fake.inserts.length, 0);
  });

  test('an insert error names the reasons but never the rows (personal data)', async () => {
    const partialFailure = Object.assign(new Error('A failure occurred during this request.'), {
      errors: [{ errors: [{ reason: 'invalid', location: 'step', message: 'no such field' }], row: { insertId: 'd1', json: { person_id: 'jane@example.com' } } }],
    });
    const fake = fakeBigQuery(undefined, { insertError: partialFailure });
    const error = await open(fake).insertRows('decisions', [decision('d1', { person_id: 'jane@example.com' })]).catch((e: unknown) => e as Error);
    assert.ok(error instanceof Error);
    assert.match(error.message, /decisions: 1 of 1 rows refused \(invalid step no such field\)/);
    assert.doesNotMatch(error.message + String(error.stack) + JSON.stringify(error), /jane@example\.com/);
    assert.equal(error.cause, undefined);
  });
});

describe('createBigQueryClient', () => {
  test('explicit project (never looked up), location, and the key file from the environment', () => {
    const client = createBigQueryClient({ projectId: 'shop-prod', location: 'EU', env: { GOOGLE_APPLICATION_CREDENTIALS: '/keys/sa.json' } });
    assert.equal(client.projectId, 'shop-prod');
    assert.equal(client.location, 'EU');
    assert.equal((client as unknown as { authClient: { keyFilename?: string } }).authClient.keyFilename, '/keys/sa.json');
  });

  test('without a key file, Application Default Credentials', () => {
    const client = createBigQueryClient({ projectId: 'shop-prod', env: {} });
    assert.equal((client as unknown as { authClient: { keyFilename?: string } }).authClient.keyFilename, undefined);
  });
});
