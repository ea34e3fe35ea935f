import type { BigQueryCase } from './bigquery-case.ts';

const operators = 'https://cloud.google.com/bigquery/docs/reference/standard-sql/operators';
const mathFunctions = 'https://cloud.google.com/bigquery/docs/reference/standard-sql/mathematical_functions';

/** Arithmetic where DuckDB would answer something else without a word (Infinity, NULL, base 10). */
export const bigQueryCases: BigQueryCase[] = [
  {
    name: 'INT64 / 0 is an error, not Infinity',
    sql: 'SELECT 1 / 0 AS q',
    expected: { error: /division by zero/ },
    documented: `${operators}#arithmetic_operators ("Division by zero ... results in an error"; SAFE_DIVIDE returns NULL instead)`,
  },
  {
    name: 'x / 0 is an error for a column of INT64, FLOAT64 and NUMERIC alike',
    sql: "SELECT x / d AS q FROM UNNEST([STRUCT(CAST(3 AS FLOAT64) AS x, 0 AS d)])",
    expected: { error: /division by zero/ },
    documented: `${operators}#arithmetic_operators (division by zero is an error for every numeric type)`,
  },
  {
    name: 'NUMERIC / 0 is an error',
    sql: "SELECT NUMERIC '3.5' / NUMERIC '0' AS q",
    expected: { error: /division by zero/ },
    documented: `${operators}#arithmetic_operators`,
  },
  {
    name: 'a division whose divisor is an expression checks the whole divisor',
    sql: 'SELECT n / (n - 2) * 10 AS q FROM UNNEST([1, 2]) AS n',
    expected: { error: /division by zero/ },
    documented: `${operators}#arithmetic_operators (/ binds tighter than *, and x / 0 is an error)`,
  },
  {
    name: 'INT64 / INT64 is FLOAT64, and a non-zero divisor divides as usual',
    sql: 'SELECT 5 / 2 AS half, -7 / 2 AS negative, n / -n AS minus_one FROM UNNEST([3]) AS n',
    expected: { rows: [{ half: 2.5, negative: -3.5, minus_one: -1 }] },
    documented: `${operators}#arithmetic_operators (result types of division: INT64 / INT64 is FLOAT64)`,
  },
  {
    name: 'MOD(x, 0) and DIV(x, 0) are errors',
    sql: 'SELECT MOD(5, n) AS m FROM UNNEST([0]) AS n',
    expected: { error: /division by zero/ },
    documented: `${mathFunctions}#mod ("This function returns an error if Y is 0")`,
  },
  {
    name: 'DIV(x, 0) is an error',
    sql: 'SELECT DIV(5, n) AS d FROM UNNEST([0]) AS n',
    expected: { error: /division by zero/ },
    documented: `${mathFunctions}#div (table: DIV(X, 0) → Error)`,
  },
  {
    name: 'SAFE_DIVIDE by zero stays NULL; MOD keeps the sign of the dividend',
    sql: 'SELECT SAFE_DIVIDE(1, 0) AS safe, SAFE_DIVIDE(20, 4) AS five, MOD(-25, 12) AS m, DIV(-20, 4) AS d',
    expected: { rows: [{ safe: null, five: 5, m: -1, d: -5 }] },
    documented: `${mathFunctions}#safe_divide (SAFE_DIVIDE(20, 4) = 5, SAFE_DIVIDE(0, 20) = 0, SAFE_DIVIDE(20, 0) = NULL); #mod (MOD(-25, 12) = -1)`,
  },
  {
    name: 'LOG(x) is the natural logarithm; LOG(x, base)',
    sql: 'SELECT LOG(100, 10) AS log10_of_100, LOG(1) AS zero, ROUND(LOG(100), 6) AS ln_of_100',
    expected: { rows: [{ log10_of_100: 2, zero: 0, ln_of_100: 4.60517 }] },
    documented: `${mathFunctions}#log ("If only X is present, LOG is a synonym of LN"; LOG(100, 10) = 2.0)`,
  },
  {
    name: 'ROUND rounds halfway cases away from zero',
    sql: 'SELECT ROUND(2.5) AS a, ROUND(-2.5) AS b, ROUND(2.0) AS c, ROUND(123.7, -1) AS d',
    expected: { rows: [{ a: 3, b: -3, c: 2, d: 120 }] },
    documented: `${mathFunctions}#round (ROUND(2.5) = 3.0, ROUND(-2.5) = -3.0, ROUND(123.7, -1) = 120.0)`,
  },
];

const conversions = 'https://cloud.google.com/bigquery/docs/reference/standard-sql/conversion_functions';

/** Casts to INT64: halfway floats away from zero, strings only when they hold an integer. */
bigQueryCases.push(
  {
    name: 'CAST(FLOAT64 AS INT64) rounds halfway cases away from zero',
    sql: 'SELECT x, CAST(x AS INT64) AS n, SAFE_CAST(x AS INT64) AS safe_n FROM UNNEST([CAST(2.5 AS FLOAT64), -2.5, 0.5, 1.4, -1.6]) AS x ORDER BY x',
    expected: {
      rows: [
        { x: -2.5, n: -3, safe_n: -3 },
        { x: -1.6, n: -2, safe_n: -2 },
        { x: 0.5, n: 1, safe_n: 1 },
        { x: 1.4, n: 1, safe_n: 1 },
        { x: 2.5, n: 3, safe_n: 3 },
      ],
    },
    documented: `${conversions}#cast_as_int64 ("Returns the closest integer value. Halfway cases such as 1.5 or -0.5 round away from zero")`,
  },
  {
    name: "CAST('1.5' AS INT64) is an error",
    sql: "SELECT CAST(s AS INT64) AS n FROM UNNEST(['1.5']) AS s",
    expected: { error: /Bad int64 value/ },
    documented: `${conversions}#cast_as_int64 (a STRING must hold an integer literal: decimal or hexadecimal digits)`,
  },
  {
    name: "SAFE_CAST('1.5' AS INT64) is NULL; integer and hex strings cast",
    sql: "SELECT s, SAFE_CAST(s AS INT64) AS n FROM UNNEST(['1.5', '1e3', '-7', '0x1E', 'x']) AS s ORDER BY s",
    expected: { rows: [{ s: '-7', n: -7 }, { s: '0x1E', n: 30 }, { s: '1.5', n: null }, { s: '1e3', n: null }, { s: 'x', n: null }] },
    documented: `${conversions}#safe_casting ("returns NULL instead of raising an error"); #cast_as_int64 (hex strings such as 0x1E)`,
  },
);

bigQueryCases.push({
  name: 'GREATEST and LEAST are NULL when any argument is NULL',
  sql: 'SELECT GREATEST(1, NULL, 3) AS g, LEAST(1, NULL) AS l, GREATEST(1, 5, 3) AS g5, LEAST(4, 2, 8) AS l2',
  expected: { rows: [{ g: null, l: null, g5: 5, l2: 2 }] },
  documented: `${mathFunctions}#greatest ("Returns NULL if any of the inputs is NULL"); #least (likewise)`,
});

bigQueryCases.push({
  name: 'a share of a window total divides by the whole window aggregate',
  sql: 'SELECT n, n / SUM(n) OVER () AS share FROM UNNEST([1, 3]) AS n ORDER BY n',
  expected: { rows: [{ n: 1, share: 0.25 }, { n: 3, share: 0.75 }] },
  documented: `${operators}#arithmetic_operators (INT64 / INT64 is FLOAT64); https://cloud.google.com/bigquery/docs/reference/standard-sql/window-function-calls`,
});

bigQueryCases.push({
  name: 'a literal with a decimal point or an exponent is FLOAT64: binary arithmetic, and dividing by it is not NUMERIC division',
  sql: 'SELECT 0.1 + 0.2 = 0.3 AS exact, 0.1 + 0.2 AS sum, 7 / 2.5 AS q, 1e3 AS thousand, ROUND(100.0 * 1 / 3, 1) AS pct',
  expected: { rows: [{ exact: false, sum: 0.30000000000000004, q: 2.8, thousand: 1000, pct: 33.3 }] },
  documented: 'https://cloud.google.com/bigquery/docs/reference/standard-sql/lexical#floating_point_literals ("a numeric literal that contains a decimal point or an exponent is coerced to FLOAT64"); https://cloud.google.com/bigquery/docs/reference/standard-sql/data-types#floating_point_types',
});
