import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BigQuery, BigQueryInt, BigQueryTimestamp } from '@google-cloud/bigquery';
import { toBigQueryParams, toPlainRow, toPlainValue } from './bigquery-values.ts';

/**
 * Rows as the library itself hands them over: a jobs.getQueryResults answer (schema + f/v cells,
 * everything as text, TIMESTAMP as int64 microseconds) parsed by its own mergeSchemaWithRows_ with
 * the options the adapter passes. No network: the parsing is a static, pure function.
 */
function parseLikeTheLibrary(fields: { name: string; type: string; mode?: string; fields?: unknown[] }[], cells: unknown[]): Record<string, unknown> {
  const [row] = BigQuery.mergeSchemaWithRows_({ fields } as never, [{ f: cells.map((v) => ({ v })) }] as never, {
    wrapIntegers: true,
    parseJSON: true,
    listParams: { 'formatOptions.useInt64Timestamp': true },
  } as never);
  return row as Record<string, unknown>;
}

describe('toPlainValue: library values → the port\'s plain values', () => {
  const cases: [string, unknown, unknown][] = [
    ['INT64 within 2^53 as number', BigQuery.int('42'), 42],
    ['negative INT64', BigQuery.int('-7'), -7],
    ['INT64 at 2^53 - 1 still a number', BigQuery.int('9007199254740991'), 9007199254740991],
    ['INT64 beyond 2^53 as its exact decimal text', BigQuery.int('9007199254740993'), '9007199254740993'],
    ['INT64 max', BigQuery.int('9223372036854775807'), '9223372036854775807'],
    ['INT64 min', BigQuery.int('-9223372036854775808'), '-9223372036854775808'],
    ['TIMESTAMP from a Date: ISO UTC with milliseconds', BigQuery.timestamp(new Date('2026-11-27T10:00:00Z')), '2026-11-27T10:00:00.000Z'],
    ['TIMESTAMP with microseconds cut to milliseconds', BigQuery.timestamp('2026-11-27T10:00:00.123456Z'), '2026-11-27T10:00:00.123Z'],
    ['TIMESTAMP just before midnight is not rounded into the next day', BigQuery.timestamp('2026-12-31T23:59:59.999999Z'), '2026-12-31T23:59:59.999Z'],
    ['DATE', BigQuery.date('2026-11-27'), '2026-11-27'],
    ['DATETIME: wall clock, no zone', BigQuery.datetime('2026-11-27T10:00:00'), '2026-11-27T10:00:00.000'],
    ['DATETIME with a fraction', BigQuery.datetime('2026-11-27 10:00:00.5'), '2026-11-27T10:00:00.500'],
    ['TIME', BigQuery.time('10:00:00'), '10:00:00'],
    ['GEOGRAPHY as its text', BigQuery.geography('POINT(1 2)'), 'POINT(1 2)'],
    ['BYTES as base64', Buffer.from('hi\u0000'), 'aGkA'],
    ['FLOAT64', 1.5, 1.5],
    ['BOOL', false, false],
    ['STRING', 'x', 'x'],
    ['NULL', null, null],
    ['undefined is NULL', undefined, null],
    ['ARRAY of wrapped INT64', [BigQuery.int('1'), BigQuery.int('9007199254740993')], [1, '9007199254740993']],
    ['STRUCT with nested values', { at: BigQuery.timestamp('2026-11-27T10:00:00Z'), n: BigQuery.int('3'), tags: ['a'] }, { at: '2026-11-27T10:00:00.000Z', n: 3, tags: ['a'] }],
  ];
  for (const [name, input, expected] of cases) {
    test(name, () => assert.deepStrictEqual(toPlainValue(input), expected));
  }

  test('a whole row as the library parses it (every type of the contract)', () => {
    const row = parseLikeTheLibrary(
      [
        { name: 'n', type: 'INTEGER' },
        { name: 'big', type: 'INTEGER' },
        { name: 'f', type: 'FLOAT' },
        { name: 'b', type: 'BOOLEAN' },
        { name: 's', type: 'STRING' },
        { name: 'ts', type: 'TIMESTAMP' },
        { name: 'd', type: 'DATE' },
        { name: 'j', type: 'JSON' },
        { name: 'js', type: 'JSON' },
        { name: 'nothing', type: 'STRING' },
        { name: 'num', type: 'NUMERIC' },
        { name: 'bytes', type: 'BYTES' },
        { name: 'ids', type: 'INTEGER', mode: 'REPEATED' },
        { name: 'rec', type: 'RECORD', fields: [{ name: 'at', type: 'TIMESTAMP' }, { name: 'k', type: 'STRING' }] },
      ],
      [
        '42',
        '12345678901234567890'.slice(0, 19),
        '2.5',
        'true',
        'text',
        '1795773600000000', // 2026-11-27T10:00:00Z in microseconds
        '2026-11-27',
        '{"a":[1,{"b":null}]}',
        '"plain"',
        null,
        '12.340000000',
        'aGkA',
        [{ v: '1' }, { v: '9007199254740993' }],
        { f: [{ v: '1795773600123456' }, { v: 'x' }] },
      ],
    );
    assert.ok(row.n instanceof BigQueryInt, 'wrapIntegers keeps INT64 as BigQueryInt');
    assert.ok(row.ts instanceof BigQueryTimestamp);
    assert.deepStrictEqual(toPlainRow(row), {
      n: 42,
      big: '1234567890123456789',
      f: 2.5,
      b: true,
      s: 'text',
      ts: '2026-11-27T10:00:00.000Z',
      d: '2026-11-27',
      j: { a: [1, { b: null }] },
      js: 'plain',
      nothing: null,
      num: 12.34,
      bytes: 'aGkA',
      ids: [1, '9007199254740993'],
      rec: { at: '2026-11-27T10:00:00.123Z', k: 'x' },
    });
  });

  test('NUMERIC: a number while exact, else its exact decimal text (as the DuckDB adapter)', () => {
    const fields = ['small', 'big', 'long', 'whole'].map((name) => ({ name, type: 'NUMERIC' }));
    const row = parseLikeTheLibrary(fields, ['1.5', '12345678901234567890.123456789', '123456789.123456789', '9007199254740993']);
    assert.deepStrictEqual(toPlainRow(row), { small: 1.5, big: '12345678901234567890.123456789', long: '123456789.123456789', whole: '9007199254740993' });
  });

  test('the rows survive JSON.stringify unchanged (no class instances left)', () => {
    const plain = toPlainRow({ n: BigQuery.int('9007199254740993'), ts: BigQuery.timestamp('2026-11-27T10:00:00Z') });
    assert.deepStrictEqual(JSON.parse(JSON.stringify(plain)), plain);
  });
});

describe('toBigQueryParams: the port\'s parameters → the library\'s', () => {
  test('scalars pass as themselves; the library infers STRING, INT64, FLOAT64, BOOL', () => {
    assert.deepStrictEqual(toBigQueryParams({ s: 'x', i: 3, f: 1.5, b: true }), { params: { s: 'x', i: 3, f: 1.5, b: true }, types: {} });
  });

  test('a Date becomes a TIMESTAMP parameter; a bigint an exact INT64', () => {
    const { params } = toBigQueryParams({ at: new Date('2026-11-27T10:00:00Z'), big: 9007199254740993n });
    assert.ok(params.at instanceof BigQueryTimestamp);
    assert.equal((params.at as BigQueryTimestamp).value, '2026-11-27T10:00:00.000Z');
    assert.ok(params.big instanceof BigQueryInt);
    assert.equal((params.big as BigQueryInt).value, '9007199254740993');
  });

  test('null and an empty array get the types the library cannot infer', () => {
    assert.deepStrictEqual(toBigQueryParams({ none: null, ids: [] }), { params: { none: null, ids: [] }, types: { none: 'STRING', ids: ['STRING'] } });
  });

  test('arrays keep their elements; objects become JSON text, as the embedded adapter sends them', () => {
    assert.deepStrictEqual(toBigQueryParams({ ids: ['a', 'b'], filter: { kind: 'x' } }), {
      params: { ids: ['a', 'b'], filter: '{"kind":"x"}' },
      types: {},
    });
  });

  test('refuses what BigQuery cannot take, naming the parameter', () => {
    assert.throws(() => toBigQueryParams({ ids: ['a', null] }), /@ids/);
    assert.throws(() => toBigQueryParams({ f: () => 1 }), /@f/);
  });
});
