import type { BigQueryCase } from './bigquery-case.ts';

const aggregates = 'https://cloud.google.com/bigquery/docs/reference/standard-sql/aggregate_functions';
const approximate = 'https://cloud.google.com/bigquery/docs/reference/standard-sql/approximate_aggregate_functions';
const navigation = 'https://cloud.google.com/bigquery/docs/reference/standard-sql/navigation_functions';

const store =
  "WITH store AS (SELECT 20 AS sold, 'apples' AS fruit UNION ALL SELECT 30, 'pears' UNION ALL SELECT 25, 'bananas' UNION ALL SELECT 10, 'oranges') ";

/** Aggregate clauses analysts use for top-n lists, quantiles and "the value at the maximum". */
export const bigQueryCases: BigQueryCase[] = [
  {
    name: 'ARRAY_AGG with ORDER BY and LIMIT: the top n',
    sql: 'SELECT ARRAY_AGG(x ORDER BY x DESC LIMIT 3) AS top3 FROM UNNEST([2, 1, -2, 3, -2, 1, 2]) AS x',
    expected: { rows: [{ top3: [3, 2, 2] }] },
    documented: `${aggregates}#array_agg (ORDER BY sorts the elements; LIMIT keeps the first n)`,
  },
  {
    name: 'ARRAY_AGG(DISTINCT ...)',
    sql: 'SELECT ARRAY_AGG(DISTINCT x ORDER BY x) AS distinct_values FROM UNNEST([2, 1, -2, 3, -2, 1, 2]) AS x',
    expected: { rows: [{ distinct_values: [-2, 1, 2, 3] }] },
    documented: `${aggregates}#array_agg (example: DISTINCT of [2, 1, -2, 3, -2, 1, 2] is 2, 1, -2, 3; sorted here)`,
  },
  {
    name: 'ARRAY_AGG(... IGNORE NULLS) leaves the NULLs out',
    sql: 'SELECT ARRAY_AGG(x IGNORE NULLS ORDER BY x) AS array_agg FROM UNNEST([NULL, 1, -2, 3, -2, 1, NULL]) AS x',
    expected: { rows: [{ array_agg: [-2, -2, 1, 1, 3] }] },
    documented: `${aggregates}#array_agg (example: IGNORE NULLS over [NULL, 1, -2, 3, -2, 1, NULL] keeps 1, -2, 3, -2, 1)`,
  },
  {
    name: 'ARRAY_AGG meeting a NULL without IGNORE NULLS is an error',
    sql: 'SELECT ARRAY_AGG(x) AS array_agg FROM UNNEST([1, NULL, 2]) AS x',
    expected: { error: /Array cannot have a null element; error in writing field array_agg/ },
    documented: `${aggregates}#array_agg ("An error is raised if an array in the final query result contains a NULL element")`,
  },
  {
    name: 'an array with NULL elements may be used inside the query, only not returned',
    sql: 'WITH agg AS (SELECT ARRAY_AGG(x) AS arr FROM UNNEST([1, NULL, 2]) AS x) SELECT ARRAY_LENGTH(arr) AS n, (SELECT COUNT(*) FROM UNNEST(arr) AS e WHERE e IS NULL) AS null_count FROM agg',
    expected: { rows: [{ n: 3, null_count: 1 }] },
    documented: 'https://cloud.google.com/bigquery/docs/arrays#array_nulls ("BigQuery raises an error if query result has ARRAYs which contain NULL elements, although such ARRAYs can be used inside the query")',
  },
  {
    name: 'any array with a NULL element in the result is an error, naming the field',
    sql: 'SELECT 1 AS a, [1, NULL] AS xs',
    expected: { error: /Array cannot have a null element; error in writing field xs/ },
    documented: 'https://cloud.google.com/bigquery/docs/arrays#array_nulls',
  },
  {
    name: 'a NULL array is returned as an empty array (ARRAY_AGG over no row, or over NULLs ignored)',
    sql:
      'SELECT (SELECT ARRAY_AGG(x) FROM UNNEST(CAST([] AS ARRAY<INT64>)) AS x) AS none, ' +
      '(SELECT ARRAY_AGG(x IGNORE NULLS) FROM UNNEST([CAST(NULL AS INT64)]) AS x) AS only_nulls',
    expected: { rows: [{ none: [], only_nulls: [] }] },
    documented: 'https://cloud.google.com/bigquery/docs/arrays ("BigQuery translates a NULL ARRAY into an empty ARRAY in the query result")',
  },
  {
    name: 'ARRAY_AGG as a window function',
    sql: 'SELECT x, ARRAY_AGG(x) OVER (ORDER BY x ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS so_far FROM UNNEST([3, 1, 2]) AS x ORDER BY x',
    expected: { rows: [{ x: 1, so_far: [1] }, { x: 2, so_far: [1, 2] }, { x: 3, so_far: [1, 2, 3] }] },
    documented: `${aggregates}#array_agg (OVER: the elements of the window frame, in its order)`,
  },
  {
    name: 'APPROX_QUANTILES returns number + 1 boundaries, minimum to maximum',
    sql: 'SELECT APPROX_QUANTILES(x, 2) AS approx_quantiles FROM UNNEST([1, 1, 1, 4, 5, 6, 7, 8, 9]) AS x',
    expected: { rows: [{ approx_quantiles: [1, 5, 9] }] },
    documented: `${approximate}#approx_quantiles (example: [1, 5, 9])`,
  },
  {
    name: 'APPROX_QUANTILES(x, 100)[OFFSET(90)] is the 90th percentile',
    sql: 'SELECT APPROX_QUANTILES(x, 100)[OFFSET(90)] AS percentile_90 FROM UNNEST([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) AS x',
    expected: { rows: [{ percentile_90: 9 }] },
    documented: `${approximate}#approx_quantiles (example: percentile_90 = 9)`,
  },
  {
    // The page shows the RESPECT NULLS arrays whole ([NULL, 4, 9]); a BigQuery result cannot hold
    // an array with a NULL element (docs/arrays), so their elements are read here one by one.
    name: 'APPROX_QUANTILES with DISTINCT and RESPECT NULLS',
    sql:
      'SELECT APPROX_QUANTILES(DISTINCT x, 2) AS distinct_values, ' +
      'APPROX_QUANTILES(x, 2 RESPECT NULLS)[OFFSET(0)] IS NULL AS with_nulls_0, APPROX_QUANTILES(x, 2 RESPECT NULLS)[OFFSET(1)] AS with_nulls_1, ' +
      'APPROX_QUANTILES(x, 2 RESPECT NULLS)[OFFSET(2)] AS with_nulls_2, APPROX_QUANTILES(DISTINCT x, 2 RESPECT NULLS)[OFFSET(1)] AS distinct_with_nulls_1 ' +
      'FROM UNNEST([NULL, NULL, 1, 1, 1, 4, 5, 6, 7, 8, 9]) AS x',
    expected: { rows: [{ distinct_values: [1, 6, 9], with_nulls_0: true, with_nulls_1: 4, with_nulls_2: 9, distinct_with_nulls_1: 6 }] },
    documented: `${approximate}#approx_quantiles (examples: DISTINCT [1, 6, 9]; RESPECT NULLS [NULL, 4, 9]; both [NULL, 6, 9])`,
  },
  {
    name: 'PERCENTILE_CONT interpolates; NULLs ignored',
    sql:
      'SELECT PERCENTILE_CONT(x, 0) OVER () AS min, PERCENTILE_CONT(x, 0.5) OVER () AS median, PERCENTILE_CONT(x, 1) OVER () AS max ' +
      'FROM UNNEST([0, 3, NULL, 1, 2]) AS x LIMIT 1',
    expected: { rows: [{ min: 0, median: 1.5, max: 3 }] },
    documented: 'https://cloud.google.com/bigquery/docs/reference/standard-sql/statistical_aggregate_functions#percentile_cont (example: min 0, median 1.5, max 3)',
  },
  {
    name: 'PERCENTILE_DISC takes a value of the input',
    sql:
      "SELECT DISTINCT PERCENTILE_DISC(x, 0) OVER () AS min, PERCENTILE_DISC(x, 0.5) OVER () AS median, PERCENTILE_DISC(x, 1) OVER () AS max " +
      "FROM UNNEST(['c', NULL, 'b', 'a']) AS x",
    expected: { rows: [{ min: 'a', median: 'b', max: 'c' }] },
    documented: 'https://cloud.google.com/bigquery/docs/reference/standard-sql/statistical_aggregate_functions#percentile_disc (example: a, b, c)',
  },
  {
    name: 'PERCENTILE_CONT per partition: a median order value per campaign',
    sql:
      "WITH orders AS (SELECT 'a' AS campaign_id, 10.0 AS revenue UNION ALL SELECT 'a', 20.0 UNION ALL SELECT 'a', 40.0 UNION ALL SELECT 'b', 5.0 UNION ALL SELECT 'b', 7.0) " +
      'SELECT DISTINCT campaign_id, PERCENTILE_CONT(revenue, 0.5) OVER (PARTITION BY campaign_id) AS median_revenue FROM orders ORDER BY campaign_id',
    expected: { rows: [{ campaign_id: 'a', median_revenue: 20 }, { campaign_id: 'b', median_revenue: 6 }] },
    documented: 'https://cloud.google.com/bigquery/docs/reference/standard-sql/statistical_aggregate_functions#percentile_cont (linear interpolation within each partition)',
  },
  {
    name: 'ANY_VALUE(x HAVING MAX y) and HAVING MIN',
    sql: `${store}SELECT ANY_VALUE(fruit HAVING MAX sold) AS highest, ANY_VALUE(fruit HAVING MIN sold) AS lowest FROM store`,
    expected: { rows: [{ highest: 'pears', lowest: 'oranges' }] },
    documented: `${aggregates}#any_value (examples: HAVING MAX sold → the best seller, HAVING MIN sold → oranges)`,
  },
  {
    name: 'MAX_BY / MIN_BY are ANY_VALUE HAVING MAX / MIN',
    sql: `${store}SELECT MAX_BY(fruit, sold) AS highest, MIN_BY(fruit, sold) AS lowest FROM store`,
    expected: { rows: [{ highest: 'pears', lowest: 'oranges' }] },
    documented: `${aggregates}#max_by ("Synonym for ANY_VALUE(x HAVING MAX y)") and #min_by`,
  },
  {
    name: 'ANY_VALUE HAVING MAX returns a NULL value at the maximum (DuckDB arg_max would skip it)',
    sql: "WITH t AS (SELECT 'a' AS x, 1 AS y UNION ALL SELECT NULL, 2) SELECT ANY_VALUE(x HAVING MAX y) AS at_max, MAX_BY(x, y) AS max_by FROM t",
    expected: { rows: [{ at_max: null, max_by: null }] },
    documented: `${aggregates}#any_value ("behaves as if RESPECT NULLS": the row with the maximal y is chosen, its NULL x included)`,
  },
  {
    name: 'FIRST_VALUE / LAST_VALUE / NTH_VALUE with IGNORE NULLS',
    sql:
      'SELECT FIRST_VALUE(x IGNORE NULLS) OVER w AS first_seen, LAST_VALUE(x IGNORE NULLS) OVER w AS last_seen, NTH_VALUE(x, 2 IGNORE NULLS) OVER w AS second_seen, ' +
      'FIRST_VALUE(x RESPECT NULLS) OVER w AS first_row ' +
      "FROM (SELECT 1 AS t, CAST(NULL AS STRING) AS x UNION ALL SELECT 2, 'a' UNION ALL SELECT 3, NULL UNION ALL SELECT 4, 'b' UNION ALL SELECT 5, NULL) " +
      'WINDOW w AS (ORDER BY t ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) LIMIT 1',
    expected: { rows: [{ first_seen: 'a', last_seen: 'b', second_seen: 'b', first_row: null }] },
    documented: `${navigation}#first_value, #last_value, #nth_value ("IGNORE NULLS: NULL values are excluded from the calculation")`,
  },
  {
    name: 'SUM of INT64 that overflows is an error (DuckDB widens to HUGEINT)',
    sql: 'SELECT SUM(x) AS s FROM UNNEST([9223372036854775807, 1]) AS x',
    expected: { error: /overflow/i },
    documented: `${aggregates} ("If an aggregated value overflows ... an error is produced" / INT64 overflow)`,
  },
  {
    name: 'SUM over a window overflows into an error too; SUM of FLOAT64 and NUMERIC keeps its value',
    sql:
      'SELECT SUM(x) OVER (ORDER BY x) AS running FROM UNNEST([9223372036854775807, 1]) AS x',
    expected: { error: /overflow/i },
    documented: `${aggregates} (INT64 sums that overflow are an error, OVER or not)`,
  },
  {
    name: 'SUM of FLOAT64 beyond INT64 range, of NUMERIC and of a DISTINCT INT64 are not touched by the overflow check',
    sql:
      'SELECT SUM(f) AS floats, SUM(n) AS numerics, SUM(DISTINCT i) AS distinct_ints ' +
      "FROM UNNEST([STRUCT(CAST(1e19 AS FLOAT64) AS f, NUMERIC '1.5' AS n, 2 AS i), STRUCT(CAST(1e19 AS FLOAT64) AS f, NUMERIC '2.25' AS n, 2 AS i)])",
    expected: { rows: [{ floats: 2e19, numerics: 3.75, distinct_ints: 2 }] },
    documented: `${aggregates} (FLOAT64 → FLOAT64, NUMERIC → NUMERIC, DISTINCT sums each value once)`,
  },
];
