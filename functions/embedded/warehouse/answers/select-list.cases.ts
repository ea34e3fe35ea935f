import type { BigQueryCase } from './bigquery-case.ts';

const querySyntax = 'https://cloud.google.com/bigquery/docs/reference/standard-sql/query-syntax';
const operators = 'https://cloud.google.com/bigquery/docs/reference/standard-sql/operators';
const optionalAs = `${querySyntax}#select_list ("expression [[ AS ] alias]": AS is optional) and #implicit_aliases`;

/** SELECT list items: an alias with or without AS after any expression, and where the list ends. */
export const bigQueryCases: BigQueryCase[] = [
  {
    name: 'an alias without AS after CASE … END, TRUE and NULL names the column',
    sql: "SELECT CASE WHEN TRUE THEN 'yes' ELSE 'no' END answer, TRUE flag, NULL nothing",
    expected: { rows: [{ answer: 'yes', flag: true, nothing: null }] },
    documented: optionalAs,
  },
  {
    name: 'an alias without AS after FALSE, IS NULL, IS NOT TRUE and || CAST(NULL …)',
    sql: "SELECT FALSE f, 1 IS NULL n, NULL IS NOT TRUE nt, 'a' || CAST(NULL AS STRING) c",
    expected: { rows: [{ f: false, n: false, nt: true, c: null }] },
    documented: `${optionalAs}; ${operators}#is_operators`,
  },
  {
    name: 'an alias without AS after a column, a path, a string, a CAST, a window and a subquery',
    sql:
      "SELECT x y, t.x AS z, 'text' s, CAST('3' AS INT64) n, SUM(x) OVER (ORDER BY x) w, (SELECT 7) sub, [x] arr " +
      'FROM (SELECT 1 AS x) AS t',
    expected: { rows: [{ y: 1, z: 1, s: 'text', n: 3, w: 1, sub: 7, arr: [1] }] },
    documented: optionalAs,
  },
  {
    name: 'an alias without AS that is a non-reserved keyword (year, day, value, type)',
    sql: 'SELECT 1 x, 2 year, 3 day, 4 value, 5 type, DATE \'2026-01-02\' date',
    expected: { rows: [{ x: 1, year: 2, day: 3, value: 4, type: 5, date: '2026-01-02' }] },
    documented: `${optionalAs}; reserved keywords (lexical#reserved_keywords) are the only words that cannot be an alias`,
  },
  {
    name: 'an alias that starts with a keyword, DISTINCT, and * EXCEPT keep their names',
    sql: 'SELECT DISTINCT x from_, x AS end_ FROM UNNEST([1, 1]) AS x',
    expected: { rows: [{ from_: 1, end_: 1 }] },
    documented: optionalAs,
  },
  {
    name: '* EXCEPT after an aliased subquery keeps the other columns',
    sql: 'SELECT * EXCEPT (a) FROM (SELECT 1 a, 2 b, TRUE c)',
    expected: { rows: [{ b: 2, c: true }] },
    documented: `${querySyntax}#select_except`,
  },
  {
    name: '… + INTERVAL 1 HOUR is anonymous (the unit is no alias)',
    sql: "SELECT DATE_ADD(DATE '2026-01-01', INTERVAL 1 DAY) d, TIMESTAMP '2026-01-01 00:00:00+00' + INTERVAL 1 HOUR",
    expected: { rows: [{ d: '2026-01-02', f0_: '2026-01-01T01:00:00.000Z' }] },
    documented: `${querySyntax}#implicit_aliases (an expression that is not a path and has no alias is anonymous)`,
  },
  {
    name: 'IS [NOT] DISTINCT FROM in the SELECT list (its FROM does not end the list)',
    sql: 'SELECT 1 IS DISTINCT FROM 2 AS changed, NULL IS NOT DISTINCT FROM NULL AS same',
    expected: { rows: [{ changed: true, same: true }] },
    documented: `${operators}#is_distinct ("X IS DISTINCT FROM Y"; NULL IS NOT DISTINCT FROM NULL is TRUE)`,
  },
  {
    name: 'IS DISTINCT FROM without AS, next to EXTRACT(… FROM …), before the FROM of the query',
    sql:
      "SELECT x IS DISTINCT FROM 2 changed, x IS NOT DISTINCT FROM NULL odd, EXTRACT(YEAR FROM DATE '2026-03-04') y " +
      'FROM UNNEST([1, 2]) AS x WHERE x IS DISTINCT FROM 3 ORDER BY x',
    expected: { rows: [{ changed: true, odd: false, y: 2026 }, { changed: false, odd: false, y: 2026 }] },
    documented: `${operators}#is_distinct`,
  },
];
