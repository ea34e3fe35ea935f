import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, beforeEach, describe, test } from 'node:test';
import { BigQuery } from '@google-cloud/bigquery';
import { createBigQueryWarehouse } from './bigquery-warehouse.ts';

/**
 * The adapter through the real client library, against a loopback stand-in for BigQuery's REST
 * API (jobs.insert, jobs.getQueryResults, tabledata.insertAll): what goes over the wire is what
 * BigQuery documents, and what the library makes of BigQuery's answer comes out as plain values.
 * The fake in test/support cannot show that (it skips the library's request building). No
 * credentials: a stub auth client adds no header, so google-auth never looks for any.
 */
type Recorded = { method: string; path: string; body: Record<string, unknown> | undefined };
type Reply = { status?: number; body: unknown };

let server: Server;
let endpoint: string;
let recorded: Recorded[] = [];
let replyToResults: Reply = { body: {} };
let replyToInsert: Reply = { body: {} };

before(async () => {
  server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString()));
    request.on('end', () => {
      const path = new URL(request.url ?? '/', 'http://x').pathname;
      const body = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
      recorded.push({ method: request.method ?? '', path, body });
      let reply: Reply = { status: 404, body: { error: { code: 404, message: `not faked: ${path}` } } };
      if (request.method === 'POST' && path.endsWith('/jobs')) {
        const job = body as { jobReference: Record<string, unknown> };
        reply = { body: { ...job, jobReference: { ...job.jobReference, location: 'EU' }, status: { state: 'DONE' } } };
      } else if (request.method === 'GET' && path.includes('/queries/')) {
        reply = replyToResults;
      } else if (request.method === 'POST' && path.endsWith('/insertAll')) {
        reply = replyToInsert;
      }
      response.writeHead(reply.status ?? 200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  recorded = [];
  replyToResults = { body: { jobComplete: true, schema: { fields: [] }, rows: [], totalRows: '0' } };
  replyToInsert = { body: {} };
});

function openWarehouse() {
  const noCredentials = { getRequestHeaders: async () => new Headers() };
  const bigquery = new BigQuery({ projectId: 'shop-prod', apiEndpoint: endpoint, authClient: noCredentials as never, autoRetry: false });
  return createBigQueryWarehouse({ bigquery, projectId: 'shop-prod', dataset: 'nudge_eu' });
}

describe('BigQuery warehouse over the wire (loopback stand-in)', () => {
  test('a query job: rendered SQL, default dataset, named parameters as BigQuery types them, LAST for a script', async () => {
    await openWarehouse().query('SELECT @kind, @n, @none, @at, @ids FROM nudge.events;\nSELECT 1 AS n', {
      kind: 'product_added', n: 3, none: null, at: new Date('2026-11-27T10:00:00.000Z'), ids: ['a', 'b'],
    });
    const insert = recorded.find((r) => r.method === 'POST' && r.path === '/bigquery/v2/projects/shop-prod/jobs');
    assert.ok(insert, `a jobs.insert request (saw ${recorded.map((r) => `${r.method} ${r.path}`).join(', ')})`);
    const configuration = insert.body!.configuration as { query: Record<string, unknown>; labels: unknown };
    assert.equal(configuration.query.query, 'SELECT @kind, @n, @none, @at, @ids FROM `shop-prod`.`nudge_eu`.events;\nSELECT 1 AS n');
    assert.deepEqual(configuration.query.defaultDataset, { projectId: 'shop-prod', datasetId: 'nudge_eu' });
    assert.equal(configuration.query.useLegacySql, false);
    assert.deepEqual(configuration.query.scriptOptions, { keyResultStatement: 'LAST' });
    assert.equal(configuration.query.parameterMode, 'named');
    assert.deepEqual(configuration.labels, { app: 'nudge' });
    const parameters = Object.fromEntries((configuration.query.queryParameters as { name: string; parameterType: unknown; parameterValue: unknown }[]).map((p) => [p.name, [p.parameterType, p.parameterValue]]));
    assert.deepEqual(parameters, {
      kind: [{ type: 'STRING' }, { value: 'product_added' }],
      n: [{ type: 'INT64' }, { value: 3 }],
      none: [{ type: 'STRING' }, { value: null }],
      at: [{ type: 'TIMESTAMP' }, { value: '2026-11-27T10:00:00.000Z' }],
      ids: [{ type: 'ARRAY', arrayType: { type: 'STRING' } }, { arrayValues: [{ value: 'a' }, { value: 'b' }] }],
    });
  });

  test('BigQuery\'s answer (cells as text, TIMESTAMP in microseconds) comes out as the port\'s plain values', async () => {
    replyToResults = {
      body: {
        jobComplete: true,
        totalRows: '1',
        schema: {
          fields: [
            { name: 'n', type: 'INTEGER' }, { name: 'big', type: 'INTEGER' }, { name: 'f', type: 'FLOAT' }, { name: 'b', type: 'BOOLEAN' },
            { name: 'ts', type: 'TIMESTAMP' }, { name: 'd', type: 'DATE' }, { name: 'j', type: 'JSON' }, { name: 'nothing', type: 'STRING' },
            { name: 'bytes', type: 'BYTES' }, { name: 'num', type: 'NUMERIC' },
          ],
        },
        rows: [{ f: [{ v: '42' }, { v: '9007199254740993' }, { v: '1.5' }, { v: 'true' }, { v: '1795773600123456' }, { v: '2026-11-27' }, { v: '{"a":[1,null]}' }, { v: null }, { v: 'aGkA' }, { v: '0.1' }] }],
      },
    };
    assert.deepStrictEqual(await openWarehouse().query('SELECT 1'), [
      { n: 42, big: '9007199254740993', f: 1.5, b: true, ts: '2026-11-27T10:00:00.123Z', d: '2026-11-27', j: { a: [1, null] }, nothing: null, bytes: 'aGkA', num: 0.1 },
    ]);
    assert.equal(recorded.some((r) => r.method === 'GET' && r.path === `/bigquery/v2/projects/shop-prod/queries/${(recorded[0]!.body!.jobReference as { jobId: string }).jobId}`), true);
  });

  test('insertAll: insertId = the key, JSON columns as JSON text; a refusal names the reason, not the row', async () => {
    const warehouse = openWarehouse();
    await warehouse.insertDeadLetters([
      { dead_letter_id: 'dl-1', stage: 'collect', reason: 'invalid_event', errors: [{ path: 'email', message: 'bad' }], payload: '{"email":"jane@example.com"}', source_id: 'wk', received_at: '2026-11-27T10:00:00.000Z' },
    ] as never);
    const insert = recorded.find((r) => r.path === '/bigquery/v2/projects/shop-prod/datasets/nudge_eu/tables/dead_letters/insertAll');
    assert.ok(insert);
    assert.deepEqual(insert.body!.rows, [
      {
        insertId: 'dl-1',
        json: { dead_letter_id: 'dl-1', stage: 'collect', reason: 'invalid_event', errors: '[{"path":"email","message":"bad"}]', payload: '{"email":"jane@example.com"}', source_id: 'wk', received_at: '2026-11-27T10:00:00.000Z' },
      },
    ]);

    replyToInsert = { body: { insertErrors: [{ index: 0, errors: [{ reason: 'invalid', location: 'payload', message: 'Bad value' }] }] } };
    const error = await warehouse
      .insertDeadLetters([{ dead_letter_id: 'dl-2', stage: 'collect', reason: 'x', errors: [], payload: 'jane@example.com', source_id: 'wk', received_at: '2026-11-27T10:00:00.000Z' }] as never)
      .catch((e: unknown) => e as Error);
    assert.ok(error instanceof Error);
    assert.match(error.message, /dead_letters: 1 of 1 rows refused \(invalid Bad value\)/);
    assert.doesNotMatch(`${error.message} ${String(error.stack)}`, /jane@example\.com/);
  });
});
