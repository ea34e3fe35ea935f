import type { BigQueryCase } from './bigquery-case.ts';

const unnest = 'https://cloud.google.com/bigquery/docs/reference/standard-sql/query-syntax#unnest_operator';
const carts = "(SELECT 'c1' AS cart_id, ['shoe', 'sock'] AS skus UNION ALL SELECT 'c2', CAST([] AS ARRAY<STRING>))";

/** UNNEST(x) AS alias names the element in every FROM form, never a one-field struct. */
export const bigQueryCases: BigQueryCase[] = [
  {
    name: 'FROM t, UNNEST(t.arr) AS a: a is the element',
    sql: `SELECT t.cart_id, sku, LENGTH(sku) AS chars FROM ${carts} AS t, UNNEST(t.skus) AS sku ORDER BY cart_id, sku`,
    expected: { rows: [{ cart_id: 'c1', sku: 'shoe', chars: 4 }, { cart_id: 'c1', sku: 'sock', chars: 4 }] },
    documented: `${unnest} ("UNNEST ... returns a value table ... the alias refers to the element"; correlated comma join drops rows with empty arrays)`,
  },
  {
    name: 'CROSS JOIN UNNEST(...) a, without AS',
    sql: `SELECT t.cart_id, sku FROM ${carts} AS t CROSS JOIN UNNEST(t.skus) sku ORDER BY sku`,
    expected: { rows: [{ cart_id: 'c1', sku: 'shoe' }, { cart_id: 'c1', sku: 'sock' }] },
    documented: unnest,
  },
  {
    name: 'LEFT JOIN UNNEST(...) AS a ON TRUE keeps the row of an empty array with NULL',
    sql: `SELECT t.cart_id, sku FROM ${carts} AS t LEFT JOIN UNNEST(t.skus) AS sku ON TRUE ORDER BY cart_id, sku`,
    expected: { rows: [{ cart_id: 'c1', sku: 'shoe' }, { cart_id: 'c1', sku: 'sock' }, { cart_id: 'c2', sku: null }] },
    documented: `${unnest} ("To preserve rows whose array is empty, use LEFT JOIN UNNEST")`,
  },
  {
    name: 'UNNEST of an array of STRUCTs without an alias makes its fields columns',
    sql: "SELECT name, k FROM UNNEST([STRUCT('a' AS name, 2 AS k), STRUCT('b' AS name, 1 AS k)]) ORDER BY k",
    expected: { rows: [{ name: 'b', k: 1 }, { name: 'a', k: 2 }] },
    documented: `${unnest} ("If the array contains STRUCTs, UNNEST returns a row for each struct, with a column for each field")`,
  },
];
