import type { BigQueryCase } from './bigquery-case.ts';

const json = 'https://cloud.google.com/bigquery/docs/reference/standard-sql/json_functions#json_encodings';
const aggregates = 'https://cloud.google.com/bigquery/docs/reference/standard-sql/aggregate_functions#sum';

/** Review of issue 8: silent wrong answers (and a refusal of an everyday cast) found by trying queries. */
export const bigQueryCases: BigQueryCase[] = [
  {
    name: 'review: TO_JSON_STRING writes a TIMESTAMP as RFC 3339 text',
    sql: "SELECT TO_JSON_STRING(TIMESTAMP '2024-01-01 00:00:00+00') AS j",
    expected: { rows: [{ j: '"2024-01-01T00:00:00Z"' }] },
    documented: `${json} (TIMESTAMP: "encoded as a JSON string ... RFC 3339 date-time", e.g. "2017-03-06T12:34:56.789012Z")`,
  },
  {
    name: 'review: SUM of INT64 that overflows is an error (DuckDB widens to HUGEINT)',
    sql: 'SELECT SUM(x) AS s FROM UNNEST([9223372036854775807, 1]) AS x',
    expected: { error: /overflow/i },
    documented: `${aggregates} ("If an aggregated value overflows ... an error is produced" / INT64 overflow)`,
  },
];
