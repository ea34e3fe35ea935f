import type { BigQueryCase } from './bigquery-case.ts';

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
];
