import type { BigQueryCase } from './bigquery-case.ts';

const jsonEncodings = 'https://cloud.google.com/bigquery/docs/reference/standard-sql/json_functions#json_encodings';
const jsonFunctions = 'https://cloud.google.com/bigquery/docs/reference/standard-sql/json_functions';

/** JSON scalars: objects and arrays are not scalars, so JSON_VALUE answers NULL for them. */
export const bigQueryCases: BigQueryCase[] = [
  {
    name: 'JSON_VALUE of a string and of a number gives text',
    sql: `SELECT JSON_VALUE(JSON '{"name": "Jakob", "age": "6" }', '$.name') AS name, JSON_VALUE(JSON '{"price": 10.5}', '$.price') AS price`,
    expected: { rows: [{ name: 'Jakob', price: '10.5' }] },
    documented: `${jsonFunctions}#json_value (example: Jakob)`,
  },
  {
    name: 'JSON_VALUE of an array or an object is NULL (JSON text and JSON-formatted STRING alike)',
    sql:
      `SELECT JSON_VALUE('{"fruits": ["apple", "banana"]}', '$.fruits') AS array_value, JSON_VALUE(JSON '{"a": {"b": 1}}', '$.a') AS object_value, ` +
      `JSON_VALUE(JSON '{"a": null}', '$.a') AS null_value, JSON_VALUE(JSON '{"a": 1}', '$.missing') AS missing`,
    expected: { rows: [{ array_value: null, object_value: null, null_value: null, missing: null }] },
    documented: `${jsonFunctions}#json_value ("If the JSON value is not a scalar, such as an object or an array, NULL is returned"; example: $.fruits → NULL)`,
  },
  {
    name: 'JSON_EXTRACT_SCALAR behaves the same',
    sql: `SELECT JSON_EXTRACT_SCALAR('{"fruits": ["apple", "banana"]}', '$.fruits') AS array_value, JSON_EXTRACT_SCALAR('{"name": "Jakob", "age": "6" }', '$.age') AS age`,
    expected: { rows: [{ array_value: null, age: '6' }] },
    documented: `${jsonFunctions}#json_extract_scalar (example: $.fruits → NULL, $.age → 6)`,
  },
  {
    name: 'TO_JSON_STRING writes a TIMESTAMP as RFC 3339 text',
    sql: "SELECT TO_JSON_STRING(TIMESTAMP '2024-01-01 00:00:00+00') AS j",
    expected: { rows: [{ j: '"2024-01-01T00:00:00Z"' }] },
    documented: `${jsonEncodings} (TIMESTAMP: "encoded as a JSON string ... RFC 3339 date-time", e.g. "2017-03-06T12:34:56.789012Z")`,
  },
  {
    name: 'TO_JSON_STRING of NULL is the text null; a STRUCT of STRING, INT64, BOOL, DATE and an ARRAY is compact JSON in field order',
    sql:
      "SELECT TO_JSON_STRING(CAST(NULL AS STRING)) AS n, TO_JSON_STRING(STRUCT('a' AS s, 1 AS i, TRUE AS b, DATE '2024-01-02' AS d, [1, 2] AS arr)) AS j, " +
      "TO_JSON_STRING(TIMESTAMP '2017-03-06 12:34:56.789012+00') AS ts",
    expected: { rows: [{ n: 'null', j: '{"s":"a","i":1,"b":true,"d":"2024-01-02","arr":[1,2]}', ts: '"2017-03-06T12:34:56.789012Z"' }] },
    documented: `${jsonEncodings} (NULL → null; STRUCT → object in field order; DATE → "YYYY-MM-DD"; TIMESTAMP → "2017-03-06T12:34:56.789012Z")`,
  },
  {
    name: 'TO_JSON_STRING of a FLOAT64 is refused, naming the type (BigQuery writes numbers its own way)',
    sql: 'SELECT TO_JSON_STRING(STRUCT(CAST(2 AS FLOAT64) AS x)) AS j',
    expected: { error: /TO_JSON_STRING of STRUCT\(x DOUBLE\) is not supported embedded/ },
    documented: `${jsonEncodings} (FLOAT64 encodings are not reproduced embedded: refused rather than guessed)`,
  },
];
