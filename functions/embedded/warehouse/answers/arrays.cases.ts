import type { BigQueryCase } from './bigquery-case.ts';

const arrayFunctions = 'https://cloud.google.com/bigquery/docs/reference/standard-sql/array_functions';
const jsonFunctions = 'https://cloud.google.com/bigquery/docs/reference/standard-sql/json_functions';
const subscripts = 'https://cloud.google.com/bigquery/docs/reference/standard-sql/operators#array_subscript_operator';
const querySyntax = 'https://cloud.google.com/bigquery/docs/reference/standard-sql/query-syntax';

/** Arrays analysts build and take apart: date spines, JSON arrays, UNNEST with positions. */
export const bigQueryCases: BigQueryCase[] = [
  {
    name: 'GENERATE_DATE_ARRAY steps a day by default, both ends included',
    sql: "SELECT GENERATE_DATE_ARRAY('2016-10-05', '2016-10-08') AS example",
    expected: { rows: [{ example: ['2016-10-05', '2016-10-06', '2016-10-07', '2016-10-08'] }] },
    documented: `${arrayFunctions}#generate_date_array (example: [2016-10-05, 2016-10-06, 2016-10-07, 2016-10-08])`,
  },
  {
    name: 'GENERATE_DATE_ARRAY with an INTERVAL step, a negative step, and start after end',
    sql:
      "SELECT GENERATE_DATE_ARRAY('2016-10-05', '2016-10-09', INTERVAL 2 DAY) AS two_days, " +
      "GENERATE_DATE_ARRAY('2016-10-05', '2016-10-01', INTERVAL -3 DAY) AS backwards, " +
      "GENERATE_DATE_ARRAY('2016-10-05', '2016-10-05', INTERVAL 8 DAY) AS one_day, " +
      "ARRAY_LENGTH(GENERATE_DATE_ARRAY('2016-10-05', '2016-10-01', INTERVAL 1 DAY)) AS empty_length",
    expected: { rows: [{ two_days: ['2016-10-05', '2016-10-07', '2016-10-09'], backwards: ['2016-10-05', '2016-10-02'], one_day: ['2016-10-05'], empty_length: 0 }] },
    documented: `${arrayFunctions}#generate_date_array (examples: INTERVAL 2 DAY, INTERVAL -3 DAY, start equal to end, start after end → [])`,
  },
  {
    name: 'GENERATE_DATE_ARRAY by months from the first of the month',
    sql: "SELECT GENERATE_DATE_ARRAY('2016-01-01', '2016-12-31', INTERVAL 2 MONTH) AS example",
    expected: { rows: [{ example: ['2016-01-01', '2016-03-01', '2016-05-01', '2016-07-01', '2016-09-01', '2016-11-01'] }] },
    documented: `${arrayFunctions}#generate_date_array (example: INTERVAL 2 MONTH over 2016)`,
  },
  {
    name: 'a date spine: one row per day, days without events kept',
    sql:
      'SELECT day, COUNT(e.event_id) AS events ' +
      "FROM UNNEST(GENERATE_DATE_ARRAY('2026-11-01', '2026-11-03')) AS day " +
      'LEFT JOIN nudge.events AS e ON DATE(e.occurred_at) = day GROUP BY day ORDER BY day',
    expected: { rows: [{ day: '2026-11-01', events: 0 }, { day: '2026-11-02', events: 0 }, { day: '2026-11-03', events: 0 }] },
    documented: `${arrayFunctions}#generate_date_array and ${querySyntax}#unnest_operator (an empty events table: every day of the spine with 0)`,
  },
  {
    name: 'GENERATE_DATE_ARRAY refuses a zero step',
    sql: "SELECT GENERATE_DATE_ARRAY('2016-10-05', '2016-10-09', INTERVAL 0 DAY) AS example",
    expected: { error: /step cannot be 0/ },
    documented: `${arrayFunctions}#generate_date_array ("The INTERVAL ... must not be 0"; BigQuery raises an error)`,
  },
  {
    name: 'GENERATE_TIMESTAMP_ARRAY by day and by second, inclusive',
    sql:
      "SELECT GENERATE_TIMESTAMP_ARRAY('2016-10-05 00:00:00', '2016-10-07 00:00:00', INTERVAL 1 DAY) AS days, " +
      "GENERATE_TIMESTAMP_ARRAY('2016-10-05 00:00:00', '2016-10-05 00:00:02', INTERVAL 1 SECOND) AS seconds, " +
      "ARRAY_LENGTH(GENERATE_TIMESTAMP_ARRAY('2016-10-06 00:00:00', '2016-10-05 00:00:00', INTERVAL 1 HOUR)) AS empty_length",
    expected: {
      rows: [
        {
          days: ['2016-10-05T00:00:00.000Z', '2016-10-06T00:00:00.000Z', '2016-10-07T00:00:00.000Z'],
          seconds: ['2016-10-05T00:00:00.000Z', '2016-10-05T00:00:01.000Z', '2016-10-05T00:00:02.000Z'],
          empty_length: 0,
        },
      ],
    },
    documented: `${arrayFunctions}#generate_timestamp_array (examples: INTERVAL 1 DAY, INTERVAL 1 SECOND, start after end → [])`,
  },
  {
    name: 'GENERATE_TIMESTAMP_ARRAY with a negative step',
    sql: "SELECT GENERATE_TIMESTAMP_ARRAY('2016-10-06 00:00:00', '2016-10-01 00:00:00', INTERVAL -2 DAY) AS example",
    expected: { rows: [{ example: ['2016-10-06T00:00:00.000Z', '2016-10-04T00:00:00.000Z', '2016-10-02T00:00:00.000Z'] }] },
    documented: `${arrayFunctions}#generate_timestamp_array (example: INTERVAL -2 DAY)`,
  },
  {
    name: 'JSON_QUERY_ARRAY / JSON_EXTRACT_ARRAY: the elements, one row each through UNNEST',
    sql:
      "SELECT JSON_VALUE(fruit) AS fruit FROM UNNEST(JSON_QUERY_ARRAY(JSON '{\"fruits\": [\"apples\", \"oranges\", \"grapes\"]}', '$.fruits')) AS fruit WITH OFFSET AS i " +
      'ORDER BY i',
    expected: { rows: [{ fruit: 'apples' }, { fruit: 'oranges' }, { fruit: 'grapes' }] },
    documented: `${jsonFunctions}#json_query_array (example: the fruits array's elements)`,
  },
  {
    name: 'JSON_EXTRACT_ARRAY counts elements; not an array is NULL',
    sql:
      "SELECT ARRAY_LENGTH(JSON_EXTRACT_ARRAY('[1, 2, 3]')) AS n, " +
      "JSON_EXTRACT_ARRAY('{\"a\": \"foo\"}', '$.a') IS NULL AS string_is_null, " +
      "JSON_EXTRACT_ARRAY('{\"a\": {\"b\": 1}}', '$.a') IS NULL AS object_is_null",
    expected: { rows: [{ n: 3, string_is_null: true, object_is_null: true }] },
    documented: `${jsonFunctions}#json_extract_array (examples: '[1, 2, 3]' → 3 elements; a path that is not an array → NULL)`,
  },
  {
    name: 'JSON_QUERY_ARRAY of a STRING: the elements as JSON text',
    sql: "SELECT JSON_QUERY_ARRAY('[1, \"a\", {\"b\": 2}]') AS string_array",
    expected: { rows: [{ string_array: ['1', '"a"', '{"b":2}'] }] },
    documented: `${jsonFunctions}#json_query_array ("json_string_expr: ... returns ARRAY<JSON-formatted STRING>"; example string_array ["1", "2", "3"])`,
  },
  {
    name: 'UNNEST ... WITH OFFSET numbers elements from 0; default name offset',
    sql:
      "SELECT element, offset FROM UNNEST(['foo', 'bar', 'baz']) AS element WITH OFFSET ORDER BY offset",
    expected: { rows: [{ element: 'foo', offset: 0 }, { element: 'bar', offset: 1 }, { element: 'baz', offset: 2 }] },
    documented: `${querySyntax}#unnest_operator (WITH OFFSET: "a zero-based offset column", named offset by default)`,
  },
  {
    name: 'UNNEST of a correlated array WITH OFFSET AS alias',
    sql:
      "WITH carts AS (SELECT 'c1' AS cart_id, ['sku-1', 'sku-2'] AS skus UNION ALL SELECT 'c2', ['sku-3']) " +
      'SELECT cart_id, sku, position FROM carts, UNNEST(skus) AS sku WITH OFFSET AS position ORDER BY cart_id, position',
    expected: { rows: [{ cart_id: 'c1', sku: 'sku-1', position: 0 }, { cart_id: 'c1', sku: 'sku-2', position: 1 }, { cart_id: 'c2', sku: 'sku-3', position: 0 }] },
    documented: `${querySyntax}#unnest_operator (correlated join of an array column, WITH OFFSET 0-based)`,
  },
  {
    name: 'a bare array subscript is a 0-based OFFSET (DuckDB reads it 1-based: 10, not 20)',
    sql: 'SELECT arr[1] AS second FROM (SELECT [10, 20, 30] AS arr)',
    expected: { rows: [{ second: 20 }] },
    documented: `${subscripts} ("[index]: ... Same as OFFSET(index)", zero-based)`,
  },
  {
    name: 'SAFE_OFFSET of a negative index is NULL (DuckDB counts from the end: 30)',
    sql: 'SELECT [10, 20, 30][SAFE_OFFSET(-2)] AS a, [10, 20, 30][SAFE_ORDINAL(-1)] AS b',
    expected: { rows: [{ a: null, b: null }] },
    documented: `${subscripts} (SAFE_OFFSET / SAFE_ORDINAL: NULL when the index is out of range)`,
  },
  {
    name: 'OFFSET out of range is an error, not NULL',
    sql: 'SELECT [10, 20, 30][OFFSET(5)] AS a',
    expected: { error: /out of (bounds|range)|index/i },
    documented: `${subscripts} (OFFSET(index): "If the index is out of range, an error is produced")`,
  },
  {
    name: 'ORDINAL and a negative OFFSET out of range are errors',
    sql: 'SELECT [10, 20, 30][ORDINAL(4)] AS a',
    expected: { error: /Array index 4 is out of bounds/ },
    documented: `${subscripts} (ORDINAL(index): "If the index is out of range, an error is produced")`,
  },
  {
    name: 'a negative OFFSET is an error (DuckDB would count from the end)',
    sql: 'SELECT [10, 20, 30][OFFSET(-1)] AS a',
    expected: { error: /Array index -1 is out of bounds/ },
    documented: `${subscripts} (OFFSET(index): "If the index is out of range, an error is produced")`,
  },
  {
    name: 'subscripts of a call, of ARRAY_AGG, chained, SAFE beyond the end, ORDINAL in range, a NULL array',
    sql:
      "SELECT SPLIT('a,b,c', ',')[OFFSET(2)] AS last_part, ARRAY_AGG(x ORDER BY x DESC)[ORDINAL(1)] AS top, " +
      '[STRUCT([3, 4] AS v)][0].v[1] AS nested, [1, 2][SAFE_OFFSET(2)] AS beyond, [1, 2][SAFE_ORDINAL(2)] AS second, ' +
      'CAST(NULL AS ARRAY<INT64>)[OFFSET(5)] AS of_null FROM UNNEST([4, 9, 6]) AS x',
    expected: { rows: [{ last_part: 'c', top: 9, nested: 4, beyond: null, second: 2, of_null: null }] },
    documented: `${subscripts} (OFFSET zero-based, ORDINAL one-based, SAFE_ variants NULL out of range; a NULL array gives NULL)`,
  },
];
