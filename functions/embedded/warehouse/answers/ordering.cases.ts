import type { BigQueryCase } from './bigquery-case.ts';

const orderBy = 'https://cloud.google.com/bigquery/docs/reference/standard-sql/query-syntax#order_by_clause';
const aggregates = 'https://cloud.google.com/bigquery/docs/reference/standard-sql/aggregate_functions';

const rows = "UNNEST([STRUCT('a' AS name, 2 AS k), STRUCT('b' AS name, NULL AS k), STRUCT('c' AS name, 1 AS k)])";

/** NULLs sort first ascending and last descending in BigQuery, wherever ORDER BY appears. */
export const bigQueryCases: BigQueryCase[] = [
  {
    name: 'ORDER BY ascending puts NULLs first',
    sql: `SELECT name, k FROM ${rows} ORDER BY k`,
    expected: { rows: [{ name: 'b', k: null }, { name: 'c', k: 1 }, { name: 'a', k: 2 }] },
    documented: `${orderBy} (NULLS FIRST is the default for ascending order, NULLS LAST for descending)`,
  },
  {
    name: 'ORDER BY descending puts NULLs last',
    sql: `SELECT name FROM ${rows} ORDER BY k DESC`,
    expected: { rows: [{ name: 'a' }, { name: 'c' }, { name: 'b' }] },
    documented: orderBy,
  },
  {
    name: 'an explicit NULLS LAST / NULLS FIRST is kept',
    sql: `SELECT name FROM ${rows} ORDER BY k ASC NULLS LAST`,
    expected: { rows: [{ name: 'c' }, { name: 'a' }, { name: 'b' }] },
    documented: orderBy,
  },
  {
    name: 'a window ORDER BY sorts NULLs first too',
    sql: `SELECT name, ROW_NUMBER() OVER (ORDER BY k) AS position, ROW_NUMBER() OVER (ORDER BY k DESC) AS reverse FROM ${rows} ORDER BY name`,
    expected: { rows: [{ name: 'a', position: 3, reverse: 1 }, { name: 'b', position: 1, reverse: 3 }, { name: 'c', position: 2, reverse: 2 }] },
    documented: 'https://cloud.google.com/bigquery/docs/reference/standard-sql/window-function-calls (window ORDER BY follows the ORDER BY clause rules)',
  },
  {
    name: 'ARRAY_AGG and STRING_AGG with ORDER BY put NULL keys first ascending, last descending',
    sql:
      `SELECT ARRAY_AGG(name ORDER BY k) AS ascending, ARRAY_AGG(name ORDER BY k DESC) AS descending, ` +
      `STRING_AGG(name, ',' ORDER BY k) AS joined FROM ${rows}`,
    expected: { rows: [{ ascending: ['b', 'c', 'a'], descending: ['a', 'c', 'b'], joined: 'b,c,a' }] },
    documented: `${aggregates}#array_agg (ORDER BY inside an aggregate follows the ORDER BY clause's NULL order)`,
  },
  {
    name: 'STRING_AGG orders inside the aggregate and separates with "," by default',
    sql:
      "SELECT STRING_AGG(fruit, ' & ' ORDER BY LENGTH(fruit)) AS by_length, STRING_AGG(DISTINCT fruit, ' & ' ORDER BY fruit DESC) AS distinct_desc " +
      "FROM UNNEST(['apple', NULL, 'pear', 'banana', 'pear']) AS fruit",
    expected: { rows: [{ by_length: 'pear & pear & apple & banana', distinct_desc: 'pear & banana & apple' }] },
    documented: `${aggregates}#string_agg (examples: "pear & pear & apple & banana", "pear & banana & apple")`,
  },
];
