import type { BigQueryCase } from './bigquery-case.ts';

const aggregates = 'https://cloud.google.com/bigquery/docs/reference/standard-sql/aggregate_functions#sum';

/** Review of issue 8: silent wrong answers (and a refusal of an everyday cast) found by trying queries. */
export const bigQueryCases: BigQueryCase[] = [
  {
    name: 'review: SUM of INT64 that overflows is an error (DuckDB widens to HUGEINT)',
    sql: 'SELECT SUM(x) AS s FROM UNNEST([9223372036854775807, 1]) AS x',
    expected: { error: /overflow/i },
    documented: `${aggregates} ("If an aggregated value overflows ... an error is produced" / INT64 overflow)`,
  },
];
