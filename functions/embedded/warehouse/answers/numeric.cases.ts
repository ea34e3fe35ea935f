import type { BigQueryCase } from './bigquery-case.ts';

const operators = 'https://cloud.google.com/bigquery/docs/reference/standard-sql/operators';
const dataTypes = 'https://cloud.google.com/bigquery/docs/reference/standard-sql/data-types';
const aggregateFunctions = 'https://cloud.google.com/bigquery/docs/reference/standard-sql/aggregate_functions';

/** NUMERIC (precision 38, scale 9): exact arithmetic, never a FLOAT64 on the way. */
export const bigQueryCases: BigQueryCase[] = [
  {
    name: 'NUMERIC divided by INT64 (BigQuery: NUMERIC 1.666666667) is refused, not answered as a FLOAT64',
    sql: 'SELECT CAST(5 AS NUMERIC) / 3 AS third',
    // BigQuery: [{ third: 1.666666667 }] (NUMERIC). DuckDB cannot type a division by its operands.
    expected: { refused: /Division of a NUMERIC is not supported embedded.*line 1, column 27/ },
    documented: `${dataTypes}#decimal_types (NUMERIC: precision 38, scale 9); ${operators}#arithmetic_operators (result type of / for NUMERIC, INT64: NUMERIC)`,
  },
  {
    name: 'AVG of NUMERIC (BigQuery: NUMERIC 1.333333333) is refused',
    sql: "SELECT AVG(n) AS mean FROM UNNEST([NUMERIC '1', NUMERIC '1', NUMERIC '2']) AS n",
    expected: { refused: /AVG of a NUMERIC is not supported embedded/ },
    documented: `${aggregateFunctions}#avg (NUMERIC input → NUMERIC)`,
  },
  {
    name: 'a NUMERIC anywhere in a division or SAFE_DIVIDE is refused: divisor, chain, unary minus, window, column',
    sql:
      "SELECT x FROM (SELECT 1 / NUMERIC '3' AS x) UNION ALL SELECT -n * 2 / 3 FROM UNNEST([NUMERIC '1']) AS n " +
      "UNION ALL SELECT SUM(n) OVER () / 4 FROM UNNEST([NUMERIC '1']) AS n UNION ALL SELECT SAFE_DIVIDE(NUMERIC '1', 3)",
    expected: { refused: /Division of a NUMERIC is not supported embedded/ },
    documented: `${operators}#arithmetic_operators (NUMERIC operands give a NUMERIC result)`,
  },
  {
    name: 'INT64 and FLOAT64 division still answer FLOAT64; AVG of INT64 is FLOAT64',
    sql: 'SELECT 5 / 2 AS half, -7 / 2 * 2 AS back, (1 + 2) / 4 AS q, AVG(x) AS mean, SAFE_DIVIDE(1, 4) AS s, CAST(1.5 AS FLOAT64) / 3 AS f FROM UNNEST([1, 2]) AS x',
    expected: { rows: [{ half: 2.5, back: -7, q: 0.75, mean: 1.5, s: 0.25, f: 0.5 }] },
    documented: `${operators}#arithmetic_operators (INT64 / INT64 is FLOAT64); ${aggregateFunctions}#avg (INT64 input → FLOAT64)`,
  },
  {
    name: 'a NUMERIC a JS number cannot hold exactly comes back as its exact decimal text',
    sql: "SELECT NUMERIC '12345678901234567890.123456789' AS big, NUMERIC '0.1' AS small, NUMERIC '123456789.123456789' AS long, [NUMERIC '-1.50'] AS arr",
    expected: { rows: [{ big: '12345678901234567890.123456789', small: 0.1, long: '123456789.123456789', arr: [-1.5] }] },
    documented: `${dataTypes}#decimal_types (NUMERIC holds 38 digits exactly; the port returns it as text when a number would lose digits, as for INT64)`,
  },
];
