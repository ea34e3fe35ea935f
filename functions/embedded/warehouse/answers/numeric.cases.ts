import type { BigQueryCase } from './bigquery-case.ts';

const operators = 'https://cloud.google.com/bigquery/docs/reference/standard-sql/operators';
const dataTypes = 'https://cloud.google.com/bigquery/docs/reference/standard-sql/data-types';
const aggregateFunctions = 'https://cloud.google.com/bigquery/docs/reference/standard-sql/aggregate_functions';

/** NUMERIC (precision 38, scale 9): exact arithmetic, never a FLOAT64 on the way. */
export const bigQueryCases: BigQueryCase[] = [
  {
    name: 'NUMERIC divided by INT64 is a NUMERIC with 9 decimal digits; AVG of NUMERIC is NUMERIC',
    sql: "SELECT CAST(5 AS NUMERIC) / 3 AS third, AVG(n) AS mean FROM UNNEST([NUMERIC '1', NUMERIC '1', NUMERIC '2']) AS n",
    expected: { rows: [{ third: 1.666666667, mean: 1.333333333 }] },
    documented: `${dataTypes}#decimal_types (NUMERIC: precision 38, scale 9); ${operators}#arithmetic_operators (result type of / for NUMERIC, INT64: NUMERIC); ${aggregateFunctions}#avg (NUMERIC input → NUMERIC)`,
  },
  {
    name: 'NUMERIC division rounds half away from zero at the 9th decimal, also for negative values',
    sql: "SELECT NUMERIC '2' / 3 AS up, NUMERIC '-2' / 3 AS down, 1 / NUMERIC '8' AS exact, NUMERIC '1' / NUMERIC '3' AS both",
    expected: { rows: [{ up: 0.666666667, down: -0.666666667, exact: 0.125, both: 0.333333333 }] },
    documented: `${dataTypes}#decimal_types (NUMERIC has scale 9; a result with more digits is rounded half away from zero)`,
  },
  {
    name: 'a NUMERIC a JS number cannot hold exactly comes back as its exact decimal text',
    sql: "SELECT NUMERIC '12345678901234567890.123456789' AS big, NUMERIC '0.1' AS small, NUMERIC '123456789.123456789' AS long, [NUMERIC '-1.50'] AS arr",
    expected: { rows: [{ big: '12345678901234567890.123456789', small: 0.1, long: '123456789.123456789', arr: [-1.5] }] },
    documented: `${dataTypes}#decimal_types (NUMERIC holds 38 digits exactly; the port returns it as text when a number would lose digits, as for INT64)`,
  },
];
