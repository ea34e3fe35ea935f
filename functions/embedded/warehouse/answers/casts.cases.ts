import type { BigQueryCase } from './bigquery-case.ts';

const conversion = 'https://cloud.google.com/bigquery/docs/reference/standard-sql/conversion_functions#cast';

/** Casts and LIKE patterns where DuckDB's namesake answers otherwise (casts.ts). */
export const bigQueryCases: BigQueryCase[] = [
  {
    name: 'FLOAT64 → INT64 rounds halfway cases away from zero',
    sql: 'SELECT CAST(2.5 AS INT64) AS up, CAST(-2.5 AS INT64) AS down, CAST(1.4 AS INT64) AS near, SAFE_CAST(CAST(0.5 AS FLOAT64) AS INT64) AS half',
    expected: { rows: [{ up: 3, down: -3, near: 1, half: 1 }] },
    documented: `${conversion} ("Casting from a floating point type to an integer ... Halfway cases such as 1.5 or -0.5 round away from zero")`,
  },
  {
    name: 'STRING → INT64 takes integer text, decimal or hex; other text is NULL with SAFE_CAST',
    sql: "SELECT SAFE_CAST('42' AS INT64) AS plain, SAFE_CAST('0x1F' AS INT64) AS hex, SAFE_CAST('1.5' AS INT64) AS decimal_text, SAFE_CAST('1e3' AS INT64) AS exponent",
    expected: { rows: [{ plain: 42, hex: 31, decimal_text: null, exponent: null }] },
    documented: `${conversion} (STRING to INT64: a hex string such as 0x123 is cast to an integer; other text is not an INT64) and conversion_functions#safe_casting (NULL instead of an error)`,
  },
  {
    name: 'CAST of non-integer text to INT64 is an error',
    sql: "SELECT CAST('1.5' AS INT64) AS n",
    expected: { error: /Bad int64 value: 1\.5/ },
    documented: `${conversion} (an invalid STRING for the target type raises an error)`,
  },
  {
    name: "STRING → BOOL takes only 'true' and 'false', in any case",
    sql: "SELECT CAST('TRUE' AS BOOL) AS yes, CAST('false' AS BOOL) AS falsy, SAFE_CAST('yes' AS BOOL) AS word, SAFE_CAST('1' AS BOOL) AS digit",
    expected: { rows: [{ yes: true, falsy: false, word: null, digit: null }] },
    documented: `${conversion} (STRING to BOOL: "Returns TRUE if x is "true" and FALSE if x is "false" ... All other values of x are invalid")`,
  },
  {
    name: 'FLOAT64 and NUMERIC → STRING without trailing zeros',
    sql: "SELECT CAST(CAST(1 AS FLOAT64) AS STRING) AS whole, CAST(0.25 AS STRING) AS fraction, CAST(NUMERIC '1.50' AS STRING) AS numeric_value, CAST(7 AS STRING) AS integer_value",
    expected: { rows: [{ whole: '1', fraction: '0.25', numeric_value: '1.5', integer_value: '7' }] },
    // Not a quoted passage: BigQuery's pages show results such as 1.5 for NUMERIC '1.50' but state no formatting rule.
    documented: `${conversion} (FLOAT64 and NUMERIC to STRING; the rule is not spelled out there, the values are BigQuery's printed forms)`,
  },
  {
    name: 'LIKE: a backslash escapes % and _',
    sql: "SELECT '50%' LIKE '50\\\\%' AS escaped, '50x' LIKE '50\\\\%' AS not_a_wildcard, 'a_c' LIKE 'a\\\\_c' AS underscore",
    expected: { rows: [{ escaped: true, not_a_wildcard: false, underscore: true }] },
    documented: 'https://cloud.google.com/bigquery/docs/reference/standard-sql/operators#like_operator ("You can escape \\\\, _, or % using two backslashes")',
  },
  {
    name: 'CAST of a DATE or TIMESTAMP AS STRING runs (DuckDB binder: DATE -> DOUBLE)',
    sql: "SELECT CAST(DATE '2024-01-01' AS STRING) AS d, CAST(TIMESTAMP '2024-01-01 10:00:00+00' AS STRING) AS t",
    expected: { rows: [{ d: '2024-01-01', t: '2024-01-01 10:00:00+00' }] },
    documented: `${conversion} (DATE → 'YYYY-MM-DD'; TIMESTAMP → canonical format with the UTC offset)`,
  },
  {
    name: 'CAST AS STRING of a TIMESTAMP keeps 0, 3 or 6 digits of fraction; BOOL, BYTES, TIME and DATETIME',
    sql:
      "SELECT CAST(TIMESTAMP '2024-01-01 10:00:00.12+00' AS STRING) AS millis, CAST(TIMESTAMP '2024-01-01 10:00:00.000001+00' AS STRING) AS micros, " +
      "CAST(TRUE AS STRING) AS yes, CAST(FROM_BASE64('Y2Fmw6k=') AS STRING) AS bytes_text, CAST(TIME '07:08:09' AS STRING) AS time_text, " +
      "CAST(DATETIME '2024-02-29 23:59:58' AS STRING) AS datetime_text",
    expected: {
      rows: [{ millis: '2024-01-01 10:00:00.120+00', micros: '2024-01-01 10:00:00.000001+00', yes: 'true', bytes_text: 'café', time_text: '07:08:09', datetime_text: '2024-02-29 23:59:58' }],
    },
    documented: `${conversion} (TIMESTAMP: "the CAST function will truncate zero, three, or six digits"; BOOL: 'true'/'false'; BYTES: interpreted as UTF-8)`,
  },
  {
    name: 'CAST AS STRING of a DATETIME with a fraction of a second is refused, not guessed',
    sql: "SELECT CAST(DATETIME '2024-02-29 23:59:58.5' AS STRING) AS t",
    expected: { error: /CAST\(DATETIME with a fraction of a second AS STRING\) is not supported/ },
    documented: `${conversion} (the digits BigQuery writes for a DATETIME's fraction are not documented)`,
  },
];
