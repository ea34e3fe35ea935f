import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createAdminQueryEntry } from './admin-query-entry.ts';
import type { HttpRequest } from '../http.ts';
import type { Warehouse } from '../../pipelines/warehouse/warehouse.ts';

const adminToken = 'token-123';

function setup() {
  const queries: string[] = [];
  const warehouse = { query: async (sql: string) => (queries.push(sql), [{ n: 1 }]) } as unknown as Warehouse;
  return { entry: createAdminQueryEntry({ warehouse, adminToken }), queries };
}

function post(sql: string, overrides: Partial<HttpRequest> = {}): HttpRequest {
  return {
    method: 'POST',
    path: '/_nudge/query',
    headers: { authorization: `Bearer ${adminToken}`, host: '127.0.0.1:8080' },
    query: new URLSearchParams(),
    rawBody: Buffer.from(JSON.stringify({ sql })),
    remoteAddress: '127.0.0.1',
    ...overrides,
  };
}

const errorOf = (body: string | Buffer | undefined) => (JSON.parse(String(body)) as { error: string }).error;

describe('admin query entry: read-only SELECT over the warehouse tables', () => {
  const allowed = [
    'SELECT kind, COUNT(*) AS n FROM nudge.events GROUP BY kind',
    'WITH e AS (SELECT * FROM `nudge.events`) SELECT COUNT(*) FROM e;',
    "-- the word DELETE in a comment\nSELECT 'DELETE FROM events' AS s",
    'SELECT p FROM nudge.events, UNNEST([1, 2]) AS p',
    'SELECT REPLACE(event_name, "a", "b") FROM nudge.events',
  ];
  for (const sql of allowed) {
    test(`runs ${JSON.stringify(sql)}`, async () => {
      const { entry, queries } = setup();
      const response = await entry(post(sql));
      assert.equal(response.status, 200, String(response.body));
      assert.deepEqual(queries, [sql]);
    });
  }

  const refused: [string, string, RegExp][] = [
    ['a file read through a table function', "SELECT * FROM read_text('/etc/passwd')", /read_text/],
    ['read_csv_auto', "SELECT * FROM events, read_csv_auto('x.csv')", /read_csv_auto/],
    ['a file named as a table (replacement scan)', "SELECT * FROM 'secrets.csv'", /file/],
    ['a backtick path naming a file', 'SELECT * FROM `/tmp/x.parquet`', /file/],
    ['another table function', 'SELECT * FROM glob("*")', /glob/],
    ['COPY … TO', "COPY (SELECT 1) TO '/tmp/x.csv'", /COPY/],
    ['DELETE', 'DELETE FROM nudge.events', /DELETE/],
    ['INSERT', "INSERT INTO nudge.events (event_id) VALUES ('x')", /INSERT/],
    ['UPDATE', "UPDATE nudge.events SET kind = 'x'", /UPDATE/],
    ['DROP', 'DROP TABLE nudge.events', /DROP/],
    ['CREATE', 'CREATE TABLE x AS SELECT 1', /CREATE/],
    ['ATTACH', "ATTACH '/tmp/other.db' AS o", /ATTACH/],
    ['INSTALL/LOAD', 'INSTALL httpfs', /INSTALL/],
    ['PRAGMA', 'PRAGMA database_list', /PRAGMA/],
    ['SET', 'SET enable_external_access = true', /SET/],
    ['a second statement after a SELECT', 'SELECT 1; DELETE FROM nudge.events', /one statement/],
    ['DML hidden in a CTE', 'WITH d AS (DELETE FROM nudge.events RETURNING *) SELECT * FROM d', /DELETE/],
    ['getenv', "SELECT getenv('HOME')", /getenv/],
  ];
  for (const [name, sql, construct] of refused) {
    test(`refuses ${name} with 400 naming the construct; nothing reaches the warehouse`, async () => {
      const { entry, queries } = setup();
      const response = await entry(post(sql));
      assert.equal(response.status, 400);
      assert.match(errorOf(response.body), construct);
      assert.deepEqual(queries, []);
    });
  }
});

describe('admin query entry: loopback only', () => {
  test('a Host header that is not loopback (DNS rebinding) is refused with 403', async () => {
    const { entry, queries } = setup();
    for (const host of ['evil.example', 'evil.example:8080', '192.168.1.5:8080']) {
      const response = await entry(post('SELECT 1', { headers: { authorization: `Bearer ${adminToken}`, host } }));
      assert.equal(response.status, 403, host);
      assert.match(errorOf(response.body), /Host/);
    }
    for (const host of ['localhost:8080', '127.0.0.1', '[::1]:9000']) {
      assert.equal((await entry(post('SELECT 1', { headers: { authorization: `Bearer ${adminToken}`, host } }))).status, 200, host);
    }
    assert.equal(queries.length, 3);
  });

  test('a client that is not on this machine is refused with 403, token or not', async () => {
    const { entry } = setup();
    const response = await entry(post('SELECT 1', { remoteAddress: '10.0.0.7' }));
    assert.equal(response.status, 403);
  });
});
