import { findForbiddenConstruct } from '../../bigquery-sql/read-only-query-guard.ts';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { createCaptureStream } from '../../../test/support/capture-stream.ts';
import { fakeBigQuery } from '../../../test/support/fake-bigquery.ts';
import { createAdminQueryEntry } from '../admin-query-entry.ts';
import { writeHostFile } from '../host-file.ts';
import { createHttpHost } from '../http-host.ts';
import { openDuckDbWarehouse } from '../warehouse/duckdb-warehouse.ts';
import { runQueryCommand, type QueryCommandOptions } from './query-command.ts';
import { describeQueryError } from './quote-sql-error.ts';

const dirs: string[] = [];
after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'nudge-query-'));
  dirs.push(dir);
  return dir;
};

/** Runs the command with console.error captured: exit code, stdout, stderr. */
async function run(sql: string, options: Partial<QueryCommandOptions> & { env: QueryCommandOptions['env'] }) {
  const out = createCaptureStream();
  const original = console.error;
  let errors = '';
  console.error = (...args: unknown[]) => void (errors += args.join(' ') + '\n');
  try {
    const code = await runQueryCommand(sql, options, out);
    return { code, out: out.text(), errors };
  } finally {
    console.error = original;
  }
}

/** A data dir holding an embedded warehouse with one event (no host running). */
let dataDir: string;
before(async () => {
  dataDir = tempDir();
  const warehouse = await openDuckDbWarehouse({ dataDir });
  await warehouse.close();
});
const embedded = () => ({ env: { NUDGE_DATA_DIR: dataDir } });

// One query binding every type; BigQuery's answer for these values is the value itself, typed.
const everyTypeSql = `SELECT @s AS s, @i + 1 AS i, @big AS big, @f AS f, @n AS n, @b AS b, @d AS d, @dt AS dt, @t AS t,
  JSON_VALUE(@j, '$.a') AS j, ARRAY_LENGTH(@ids) AS ids, @ids[OFFSET(1)] AS second_id`;
const everyTypeParams = [
  's=hello, world',
  'i:INT64=41',
  'big:INT64=9007199254740993',
  'f:FLOAT64=0.25',
  'n:NUMERIC=12.50',
  'b:BOOL=TRUE',
  'd:DATE=2026-11-01',
  'dt:DATETIME=2026-11-01 09:30',
  't:TIMESTAMP=2026-11-01T10:00:00+01:00',
  'j:JSON={"a":"x"}',
  'ids:ARRAY<INT64>=[3,5,8]',
];
const everyTypeRow = {
  s: 'hello, world', i: 42, big: '9007199254740993', f: 0.25, n: 12.5, b: true, d: '2026-11-01', dt: '2026-11-01T09:30:00.000',
  t: '2026-11-01T09:00:00.000Z', j: 'x', ids: 3, second_id: 5,
};

describe('nudge query --param on the embedded warehouse', () => {
  test('each type binds as BigQuery types it: exact INT64, DATE, DATETIME, TIMESTAMP moved to UTC, ARRAY', async () => {
    const result = await run(everyTypeSql, { ...embedded(), format: 'json', params: everyTypeParams });
    assert.equal(result.errors, '');
    assert.equal(result.code, 0);
    assert.deepEqual(JSON.parse(result.out), everyTypeRow);
  });

  test('a typed DATE is a DATE, not a string: DATE_ADD works on it', async () => {
    const result = await run('SELECT DATE_ADD(@d, INTERVAL 1 DAY) AS next_day', { ...embedded(), format: 'json', params: ['d:DATE=2026-02-28'] });
    assert.deepEqual(JSON.parse(result.out), { next_day: '2026-03-01' });
  });

  test('an untyped --param is a STRING: an arithmetic error on it hints at the typed spelling', async () => {
    const result = await run('SELECT @n + 1 AS m', { ...embedded(), params: ['n=3'] });
    assert.equal(result.code, 1);
    assert.match(result.errors, /hint: @n is a STRING; give --param n:INT64=3 for a number/);
    const typed = await run('SELECT @n + 1 AS m', { ...embedded(), format: 'json', params: ['n:INT64=3'] });
    assert.equal(typed.out, '{"m":4}\n');
  });

  test('an invalid value is refused naming the parameter and the type, and nothing runs', async () => {
    const cases: [string, RegExp][] = [
      ['n:INT64=12.5', /--param n: "12.5" is not a valid INT64/],
      ['n:INT64=9223372036854775808', /--param n: .* not a valid INT64 \(out of the INT64 range\)/],
      ['d:DATE=2026-02-30', /--param d: "2026-02-30" is not a valid DATE/],
      ['d:DATETIME=2026-11-01T10:00:00Z', /--param d: .* not a valid DATETIME/],
      ['d:TIMESTAMP=yesterday', /--param d: "yesterday" is not a valid TIMESTAMP/],
      ['d:BOOL=yes', /--param d: "yes" is not a valid BOOL/],
      ['d:FLOAT64=1e999', /--param d: "1e999" is not a valid FLOAT64/],
      ['d:NUMERIC=0.0000000001', /--param d: .* not a valid NUMERIC \(more than 9 digits after the point\)/],
      ['d:JSON={oops', /--param d: "\{oops" is not a valid JSON/],
      ['d:ARRAY<INT64>=1,2', /--param d: "1,2" is not a valid ARRAY<INT64> \(expected a JSON array/],
      ['d:ARRAY<INT64>=[1,"x"]', /--param d: "x" is not a valid ARRAY<INT64>/],
      ['d:ARRAY<STRING>=["a",null]', /--param d: "null" is not a valid ARRAY<STRING> \(NULL is not a value here\)/],
      ['d:DECIMAL=1', /--param d: unknown type DECIMAL/],
      ['1d=1', /"1d" is not a parameter name/],
      ['d', /must be name=value or name:TYPE=value/],
    ];
    for (const [spec, expected] of cases) {
      const result = await run('SELECT @d AS d', { ...embedded(), params: [spec] });
      assert.equal(result.code, 1, spec);
      assert.match(result.errors, expected, spec);
      assert.equal(result.out, '', spec);
    }
  });

  test('a parameter the SQL uses without --param, or a --param it does not use, is named', async () => {
    const missing = await run('SELECT @since AS a, @until AS b', { ...embedded(), params: ['since:DATE=2026-11-01'] });
    assert.equal(missing.code, 1);
    assert.match(missing.errors, /the SQL uses @until: give --param until=/);
    const unused = await run('SELECT @since AS a', { ...embedded(), params: ['since:DATE=2026-11-01', 'sinse:DATE=2026-11-02'] });
    assert.equal(unused.code, 1);
    assert.match(unused.errors, /--param sinse: the SQL has no @sinse \(it uses @since\)/);
    const twice = await run('SELECT @a AS a', { ...embedded(), params: ['a=1', 'a=2'] });
    assert.match(twice.errors, /--param a is given twice/);
  });

  test('@name inside a string or a comment is not a parameter', async () => {
    const result = await run("SELECT '@nope' AS x -- @neither\n", { ...embedded(), format: 'json' });
    assert.equal(result.code, 0, result.errors);
    assert.deepEqual(JSON.parse(result.out), { x: '@nope' });
  });
});

describe('nudge query through the running host binds the same types', () => {
  test('the host path answers exactly what the file path answers; a bad value sent to the host is refused there too', async () => {
    const hostDir = tempDir();
    const warehouse = await openDuckDbWarehouse({ dataDir: hostDir });
    const adminToken = 'test-token';
    const host = createHttpHost({ routes: [{ path: '/_nudge/query', entry: createAdminQueryEntry({ warehouse, adminToken }) }] });
    const { url } = await host.listen(0, '127.0.0.1');
    try {
      writeHostFile(hostDir, { pid: process.pid, url, adminToken });
      const result = await run(everyTypeSql, { env: { NUDGE_DATA_DIR: hostDir }, format: 'json', params: everyTypeParams });
      assert.equal(result.errors, '');
      assert.deepEqual(JSON.parse(result.out), everyTypeRow);

      // The host checks what it binds itself, whoever posts.
      const response = await fetch(`${url}/_nudge/query`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ sql: 'SELECT @n AS n', params: { n: '1.5' }, types: { n: 'INT64' } }),
      });
      assert.equal(response.status, 400);
      assert.match(((await response.json()) as { error: string }).error, /n: "1.5" is not a valid INT64/);
    } finally {
      await host.close();
      await warehouse.close();
    }
  });
});

describe('nudge query --target gcp passes the same parameters to BigQuery with their types', () => {
  test('values in canonical text, types stated (arrays as [T]), so BigQuery parses them itself', async () => {
    const fake = fakeBigQuery({ fields: [{ name: 'n', type: 'INTEGER' }], cells: [['1']] });
    const result = await run('SELECT COUNT(*) AS n FROM events WHERE occurred_at >= @t AND kind IN UNNEST(@kinds) AND @big > 0 AND @d < CURRENT_DATE() AND @dt IS NOT NULL AND @n > 0', {
      env: { NUDGE_GCP_PROJECT: 'shop' },
      target: 'gcp',
      createBigQuery: () => fake.client,
      format: 'json',
      params: ['t:TIMESTAMP=2026-11-01 10:00:00-05:00', 'kinds:ARRAY<STRING>=["order_completed","product_added"]', 'big:INT64=9007199254740993', 'd:DATE=2026-1-5', 'dt:DATETIME=2026-11-01T08:00:00.5', 'n:NUMERIC=-0.50'],
    });
    assert.equal(result.errors, '');
    assert.equal(result.out, '{"n":1}\n');
    assert.deepEqual(fake.jobs[0]!.params, {
      t: '2026-11-01T15:00:00.000000Z',
      kinds: ['order_completed', 'product_added'],
      big: '9007199254740993',
      d: '2026-01-05',
      dt: '2026-11-01 08:00:00.500000',
      n: '-0.5',
    });
    assert.deepEqual(fake.jobs[0]!.types, { t: 'TIMESTAMP', kinds: ['STRING'], big: 'INT64', d: 'DATE', dt: 'DATETIME', n: 'NUMERIC' });
  });

  test('a DELETE never reaches BigQuery, and says why in the analyst\'s terms', async () => {
    const fake = fakeBigQuery();
    const result = await run('DELETE FROM events WHERE TRUE', { env: { NUDGE_GCP_PROJECT: 'shop' }, target: 'gcp', createBigQuery: () => fake.client });
    assert.equal(result.code, 1);
    assert.match(result.errors, /^nudge: nudge query is read-only: DELETE is not allowed/);
    assert.equal(fake.jobs.length, 0);
  });

  test("a BigQuery error quotes the analyst's line with a caret at [line:column]", async () => {
    const fake = fakeBigQuery();
    fake.client.createQueryJob = async () => {
      throw new Error('Unrecognized name: kindd; Did you mean kind? at [2:8]');
    };
    const result = await run('SELECT\n  kind, kindd\nFROM events', { env: { NUDGE_GCP_PROJECT: 'shop' }, target: 'gcp', createBigQuery: () => fake.client });
    assert.equal(result.code, 1);
    assert.equal(result.errors, 'nudge: query failed: Unrecognized name: kindd; Did you mean kind? at [2:8]\n  2 |   kind, kindd\n             ^\n');
  });
});

describe('nudge query: formats', () => {
  const sql = `SELECT 'a,b' AS comma, 'say "hi"' AS quote, CAST(NULL AS STRING) AS nothing, 'l1\\nl2' AS newline, [1, 2] AS arr, 7 AS plain`;

  test('csv: header first, CRLF records, RFC 4180 quoting, NULL empty, arrays as JSON text', async () => {
    const result = await run(sql, { ...embedded(), format: 'csv' });
    assert.equal(result.errors, '');
    assert.equal(result.out, 'comma,quote,nothing,newline,arr,plain\r\n"a,b","say ""hi""",,"l1\nl2","[1,2]",7\r\n');
  });

  test('json and its alias --json print one object per line; table is the default', async () => {
    const json = await run('SELECT 1 AS x UNION ALL SELECT 2 ORDER BY x', { ...embedded(), format: 'json' });
    const alias = await run('SELECT 1 AS x UNION ALL SELECT 2 ORDER BY x', { ...embedded(), json: true });
    assert.equal(json.out, '{"x":1}\n{"x":2}\n');
    assert.equal(alias.out, json.out);
    const table = await run('SELECT 1 AS x', embedded());
    assert.equal(table.out, 'x\n-\n1\n(1 row)\n');
  });

  test('--json with another --format is a contradiction, refused', async () => {
    const result = await run('SELECT 1 AS x', { ...embedded(), json: true, format: 'csv' });
    assert.equal(result.code, 1);
    assert.match(result.errors, /--json is --format json; it cannot go with --format csv/);
  });
});

describe('nudge query: where the SQL comes from', () => {
  test('a .sql path that does not exist is an error, never run as SQL, and nothing is created', async () => {
    const parent = tempDir();
    const result = await run('sql/queries/no_such_report.sql', { env: { NUDGE_DATA_DIR: join(parent, 'data') } });
    assert.equal(result.code, 1);
    assert.match(result.errors, /^nudge: no such file: sql\/queries\/no_such_report\.sql/);
    assert.deepEqual(readdirSync(parent), []);
  });

  test('a .sql file is read and run', async () => {
    const file = join(tempDir(), 'report.SQL');
    writeFileSync(file, 'SELECT 3 AS n');
    const result = await run(file, { ...embedded(), format: 'json' });
    assert.equal(result.out, '{"n":3}\n');
  });

  test('- reads the SQL from stdin', async () => {
    const result = await run('-', { ...embedded(), format: 'json', stdin: Readable.from(['SELECT @n * 2 AS twice', '\n']), params: ['n:INT64=21'] });
    assert.equal(result.errors, '');
    assert.equal(result.out, '{"twice":42}\n');
  });

  test('empty stdin is refused, not run', async () => {
    const result = await run('-', { ...embedded(), stdin: Readable.from([]) });
    assert.equal(result.code, 1);
    assert.match(result.errors, /no SQL to run/);
  });
});

describe('nudge query: read-only and errors in the analyst\'s terms', () => {
  const refusals: [string, RegExp][] = [
    ['DELETE FROM nudge.events WHERE TRUE', /nudge query is read-only: DELETE is not allowed/],
    ["INSERT INTO nudge.events (event_id) VALUES ('x')", /nudge query is read-only: INSERT is not allowed/],
    ['UPDATE nudge.events SET kind = "x" WHERE TRUE', /nudge query is read-only: UPDATE is not allowed/],
    ['MERGE nudge.events t USING nudge.events s ON FALSE WHEN NOT MATCHED THEN INSERT ROW', /nudge query is read-only: MERGE is not allowed/],
    ['CREATE TABLE nudge.x AS SELECT 1 AS a', /nudge query is read-only: CREATE is not allowed/],
    ['DROP TABLE nudge.events', /nudge query is read-only: DROP is not allowed/],
    ['TRUNCATE TABLE nudge.events', /nudge query is read-only: TRUNCATE is not allowed/],
    ['SELECT 1; DROP TABLE nudge.events', /nudge query is read-only: only one statement may run/i],
    ["SELECT * FROM nudge.events, '/tmp/x.csv'", /nudge query is read-only: FROM '\/tmp\/x.csv' is not allowed/],
    ['SELECT * FROM nudge.events AS e JOIN nudge.events AS f ON TRUE, `data/x.parquet`', /FROM `data\/x.parquet` is not allowed/],
    ["SELECT * FROM (SELECT 1 AS a), ('/etc/passwd')", /FROM '\/etc\/passwd' is not allowed/],
    ["SELECT * FROM nudge.events WHERE event_id IN (SELECT a FROM nudge.events, '/tmp/y.csv')", /FROM '\/tmp\/y.csv' is not allowed/],
    ["SELECT * FROM nudge.events, generate_series(1, 3)", /Table function generate_series\(\) is not allowed/],
  ];
  for (const [sql, expected] of refusals) {
    test(`refused: ${sql}`, async () => {
      const result = await run(sql, embedded());
      assert.equal(result.code, 1);
      assert.match(result.errors, expected);
    });
  }

  test('allowed: a FROM list of tables and UNNEST, EXTRACT ... FROM a call, a string in the select list', async () => {
    for (const sql of [
      "SELECT EXTRACT(YEAR FROM DATE(received_at)) AS y, 'a,b' AS s FROM nudge.events AS e, UNNEST([1, 2]) AS n WHERE e.kind IN ('x', 'y')",
      'SELECT * FROM (SELECT 1 AS a) AS t, (SELECT 2 AS b) AS u',
    ]) {
      assert.equal(findForbiddenConstruct(sql), null, sql);
    }
  });

  test('the rows are untouched after the refusals', async () => {
    const result = await run('SELECT COUNT(*) AS n FROM nudge.events', { ...embedded(), format: 'json' });
    assert.equal(result.out, '{"n":0}\n');
    assert.ok(existsSync(join(dataDir, 'warehouse.duckdb')));
  });

  test("a DuckDB error does not quote the translation (no DuckDB LINE quote of SQL the analyst never wrote)", async () => {
    const result = await run('SELECT\n  nope\nFROM nudge.events', embedded());
    assert.equal(result.code, 1);
    assert.match(result.errors, /nope/);
    assert.doesNotMatch(result.errors, /LINE \d+:/);
  });
});

describe('describeQueryError', () => {
  test('quotes the named line with a caret under the column; keeps the message first', () => {
    assert.equal(
      describeQueryError('WEEK(<weekday>) is not supported at line 2, column 17', 'SELECT\n  DATE_TRUNC(d, WEEK(MONDAY))\nFROM t', 'report.sql'),
      // the caret sits under the W of WEEK: 2 spaces of indent, the gutter, then 16 characters
      `WEEK(<weekday>) is not supported at line 2, column 17\n  report.sql:2 |   DATE_TRUNC(d, WEEK(MONDAY))\n  ${' '.repeat('report.sql:2 | '.length + 16)}^`,
    );
  });

  test('a line without a column is quoted without a caret; a line the SQL does not have is not quoted', () => {
    assert.equal(describeQueryError('bad thing on line 1', 'SELECT x'), 'bad thing on line 1\n  1 | SELECT x');
    assert.equal(describeQueryError('bad thing on line 7, column 1', 'SELECT x'), 'bad thing on line 7, column 1');
  });

  test("drops DuckDB's quote of the translated statement", () => {
    const duck = 'Binder Error: Referenced column "nope" not found in FROM clause!\n\nLINE 2:   nope\n          ^';
    assert.equal(describeQueryError(duck, 'SELECT\n  nope'), 'Binder Error: Referenced column "nope" not found in FROM clause!');
  });
});
