import type { BigQueryCase } from './bigquery-case.ts';

const implicitAliases = 'https://cloud.google.com/bigquery/docs/reference/standard-sql/query-syntax#implicit_aliases';
/**
 * BigQuery's docs say which items are anonymous (implicit_aliases); the f<n>_ names of anonymous
 * result columns, counted over anonymous columns only, are what its API returns: e.g.
 * https://github.com/lightdash/lightdash/issues/15108, where the 2nd column `COUNT(event_id)` after
 * `... AS formatted_date` comes back as f0_.
 */
const anonymousNames = `${implicitAliases} (an expression that is not a path and has no alias is anonymous); its result name f<n>_ counts anonymous columns only (github.com/lightdash/lightdash/issues/15108: the 2nd column COUNT(event_id) is f0_)`;

/** Result column names as BigQuery gives them: what `nudge query` prints as the header. */
export const bigQueryCases: BigQueryCase[] = [
  {
    name: 'an unaliased aggregate is f0_ (not count_star())',
    sql: 'SELECT COUNT(*) FROM UNNEST([1, 2, 3]) AS x',
    expected: { rows: [{ f0_: 3 }] },
    documented: anonymousNames,
  },
  {
    name: 'anonymous columns are numbered among themselves; named ones keep their names',
    sql: 'SELECT x, COUNT(*), SUM(x) AS total, MAX(x) FROM UNNEST([1, 1, 2]) AS x GROUP BY x ORDER BY x',
    expected: { rows: [{ x: 1, f0_: 2, total: 2, f1_: 1 }, { x: 2, f0_: 1, total: 2, f1_: 2 }] },
    documented: anonymousNames,
  },
  {
    name: 'a path keeps its last name: t.col → col, a struct field path → the last field',
    sql: 'WITH t AS (SELECT 1 AS col, STRUCT(STRUCT(2 AS b) AS a) AS s) SELECT t.col, t.s.a.b, s.a FROM t',
    expected: { rows: [{ col: 1, b: 2, a: { b: 2 } }] },
    documented: `${implicitAliases} ("For path expressions, the implicit alias is the last identifier in the path")`,
  },
  {
    name: 'an alias without AS counts as an alias',
    sql: 'SELECT COUNT(*) n, MAX(x) biggest FROM UNNEST([4, 5]) AS x',
    expected: { rows: [{ n: 2, biggest: 5 }] },
    documented: 'https://cloud.google.com/bigquery/docs/reference/standard-sql/query-syntax#explicit_alias_syntax (the AS keyword is optional)',
  },
  {
    name: 'SELECT * keeps names, and an anonymous column of a subquery surfaces as f0_',
    sql: 'SELECT * FROM (SELECT 1 AS a, 2 + 3)',
    expected: { rows: [{ a: 1, f0_: 5 }] },
    documented: anonymousNames,
  },
  {
    name: 'through a CTE',
    sql: "WITH c AS (SELECT 'x' AS k, COUNT(*) FROM UNNEST([1, 2]) AS y GROUP BY k) SELECT * FROM c",
    expected: { rows: [{ k: 'x', f0_: 2 }] },
    documented: anonymousNames,
  },
  {
    name: 'UNION ALL takes its names from the first SELECT',
    sql: 'SELECT 1 AS a, 2 UNION ALL SELECT 3, 4 AS b ORDER BY a',
    expected: { rows: [{ a: 1, f0_: 2 }, { a: 3, f0_: 4 }] },
    documented: 'https://cloud.google.com/bigquery/docs/reference/standard-sql/query-syntax#set_operators (result column names come from the first query)',
  },
  {
    name: 'a scalar subquery, a CASE and a literal are anonymous',
    sql: "SELECT (SELECT MAX(x) FROM UNNEST([1, 5]) AS x), CASE WHEN TRUE THEN 'y' END, 'lit'",
    expected: { rows: [{ f0_: 5, f1_: 'y', f2_: 'lit' }] },
    documented: anonymousNames,
  },
  {
    name: 'ARRAY(SELECT AS STRUCT ...): one struct per row, fields named by alias or path',
    sql:
      "WITH items AS (SELECT 'o1' AS order_id, 'sku-1' AS sku, 2 AS qty UNION ALL SELECT 'o1', 'sku-2', 1 UNION ALL SELECT 'o2', 'sku-3', 5) " +
      'SELECT o.order_id, ARRAY(SELECT AS STRUCT i.sku, i.qty * 10 AS cents FROM items AS i WHERE i.order_id = o.order_id ORDER BY i.sku) AS lines ' +
      "FROM (SELECT 'o1' AS order_id UNION ALL SELECT 'o2') AS o ORDER BY o.order_id",
    expected: {
      rows: [
        { order_id: 'o1', lines: [{ sku: 'sku-1', cents: 20 }, { sku: 'sku-2', cents: 10 }] },
        { order_id: 'o2', lines: [{ sku: 'sku-3', cents: 50 }] },
      ],
    },
    documented: 'https://cloud.google.com/bigquery/docs/reference/standard-sql/query-syntax#select_as_struct and https://cloud.google.com/bigquery/docs/arrays#creating_arrays_from_subqueries (ARRAY(SELECT AS STRUCT ...) builds an ARRAY<STRUCT>)',
  },
  {
    name: 'over a table with GROUP BY ordinals (the placeholder aliases change nothing else)',
    sql: 'SELECT kind, DATE(occurred_at), COUNT(*) FROM nudge.events GROUP BY 1, 2',
    expected: { rows: [] },
    documented: anonymousNames,
  },
  {
    name: 'two result columns of one name (in any case) are refused, as BigQuery refuses them',
    sql: 'SELECT 1 AS a, 2 AS A',
    expected: { error: /Duplicate column names in the result are not supported\. Found duplicate\(s\): A/ },
    documented: 'https://cloud.google.com/bigquery/docs/reference/standard-sql/query-syntax#select_list (column names compare without case; the result of a query cannot hold duplicate column names: "Duplicate column names in the result are not supported")',
  },
];
