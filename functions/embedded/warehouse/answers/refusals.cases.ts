import type { BigQueryCase } from './bigquery-case.ts';

const reference = 'https://cloud.google.com/bigquery/docs/reference/standard-sql';

/**
 * Valid BigQuery the embedded warehouse does not run: each is refused, naming the construct and
 * where it starts in the analyst's SQL, rather than answered differently.
 */
export const bigQueryCases: BigQueryCase[] = [
  {
    name: 'time travel (FOR SYSTEM_TIME AS OF), with its line and column',
    sql: 'SELECT COUNT(*) AS n\nFROM nudge.events FOR SYSTEM_TIME AS OF TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 1 HOUR)',
    expected: { refused: /FOR SYSTEM_TIME AS OF .*not supported.*\(line 2, column 19\)/ },
    documented: `${reference}/query-syntax#for_system_time_as_of`,
  },
  {
    name: 'TABLESAMPLE',
    sql: 'SELECT COUNT(*) AS n FROM nudge.events TABLESAMPLE SYSTEM (10 PERCENT)',
    expected: { refused: /TABLESAMPLE is not supported.*\(line 1, column 40\)/ },
    documented: `${reference}/query-syntax#tablesample_operator`,
  },
  {
    name: 'PIVOT',
    sql: "SELECT * FROM (SELECT 'a' AS k, 1 AS v)\n  PIVOT (SUM(v) FOR k IN ('a'))",
    expected: { refused: /PIVOT is not supported.*\(line 2, column 3\)/ },
    documented: `${reference}/query-syntax#pivot_operator`,
  },
  {
    name: 'UNPIVOT',
    sql: 'SELECT * FROM (SELECT 1 AS a, 2 AS b) UNPIVOT (v FOR k IN (a, b))',
    expected: { refused: /UNPIVOT is not supported.*\(line 1, column 39\)/ },
    documented: `${reference}/query-syntax#unpivot_operator`,
  },
  {
    name: 'MERGE',
    sql: "MERGE nudge.events T USING (SELECT 'x' AS event_id) S ON T.event_id = S.event_id WHEN MATCHED THEN DELETE",
    expected: { refused: /MERGE statements are not supported \(line 1, column 1\)/ },
    documented: `${reference}/dml-syntax#merge_statement`,
  },
  {
    name: 'a temporary user-defined function',
    sql: 'CREATE TEMP FUNCTION add_four(x INT64) AS (x + 4);\nSELECT add_four(3) AS y',
    expected: { refused: /user-defined functions .*not supported \(line 1, column 13\)/ },
    documented: `${reference}/user-defined-functions`,
  },
  {
    name: 'scripting (DECLARE)',
    sql: 'DECLARE x INT64 DEFAULT 1;\nSELECT x AS y',
    expected: { refused: /scripting \(DECLARE\) is not supported \(line 1, column 1\)/ },
    documented: `${reference}/procedural-language#declare`,
  },
  {
    name: 'SELECT AS STRUCT outside ARRAY(...)',
    sql: 'SELECT (SELECT AS STRUCT 1 AS a, 2 AS b) AS s',
    expected: { refused: /SELECT AS STRUCT is not supported here \(only directly inside ARRAY\(\.\.\.\)\) \(line 1, column 16\)/ },
    documented: `${reference}/query-syntax#select_as_struct`,
  },
  {
    name: 'ARRAY(SELECT AS STRUCT ...) with an anonymous field',
    sql: 'SELECT ARRAY(SELECT AS STRUCT 1 AS a, 2 + 2) AS s',
    expected: { refused: /SELECT AS STRUCT: give every field a name .*\(line 1, column 39\)/ },
    documented: `${reference}/query-syntax#select_as_struct (anonymous fields are allowed in BigQuery; struct_pack needs names)`,
  },
  {
    name: "JSON_KEYS (DuckDB's json_keys lists the top level only)",
    sql: "SELECT\n  JSON_KEYS(JSON '{\"a\": {\"b\": 1}}') AS k",
    expected: { refused: /JSON_KEYS is not supported.*\(line 2, column 3\)/ },
    documented: `${reference}/json_functions#json_keys (nested keys listed as "a", "a.b")`,
  },
  {
    name: "ARRAY_SLICE (DuckDB's array_slice is 1-based)",
    sql: 'SELECT ARRAY_SLICE([1, 2, 3], 1, 2) AS s',
    expected: { refused: /ARRAY_SLICE is not supported.*\(line 1, column 8\)/ },
    documented: `${reference}/array_functions#array_slice (0-based offsets)`,
  },
  {
    name: "ARRAY_TRANSFORM with an index (DuckDB's index is 1-based)",
    sql: 'SELECT ARRAY_TRANSFORM([1, 2], (e, i) -> e + i) AS s',
    expected: { refused: /ARRAY_TRANSFORM with an \(element, index\) lambda is not supported/ },
    documented: `${reference}/array_functions#array_transform (the index is 0-based)`,
  },
  {
    name: 'CONTAINS_SUBSTR over a struct (BigQuery searches every field)',
    sql: "SELECT CONTAINS_SUBSTR((23, 35, 41), '35') AS result",
    expected: { refused: /CONTAINS_SUBSTR: searching a value that is not a STRING is not supported/ },
    documented: `${reference}/string_functions#contains_substr (example: (23, 35, 41) contains '35' → TRUE)`,
  },
  {
    name: 'CONTAINS_SUBSTR on text needing NFKC (Ⅸ is IX to BigQuery)',
    sql: "SELECT CONTAINS_SUBSTR('\\u2168', 'IX') AS result",
    expected: { refused: /CONTAINS_SUBSTR: text beyond ASCII and Latin-1 letters is not supported/ },
    documented: `${reference}/string_functions#contains_substr (example: '\\u2168' contains 'IX' → TRUE after NFKC normalization)`,
  },
  {
    name: 'GENERATE_DATE_ARRAY by months from the 31st',
    sql: "SELECT GENERATE_DATE_ARRAY('2016-01-31', '2016-04-30', INTERVAL 1 MONTH) AS months",
    expected: { refused: /MONTH step from a day after the 28th is not supported/ },
    documented: `${reference}/array_functions#generate_date_array (month arithmetic from a month end is not documented there)`,
  },
];
