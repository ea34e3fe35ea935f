import type { BigQueryCase } from './bigquery-case.ts';

/** Date and time answers BigQuery documents (weeks, boundaries, formats). */
export const bigQueryCases: BigQueryCase[] = [
  {
    name: 'DATE_DIFF in DAY counts the days between two dates',
    sql: "SELECT DATE_DIFF(DATE '2010-07-07', DATE '2008-12-25', DAY) AS days_diff",
    expected: { rows: [{ days_diff: 559 }] },
    documented: 'https://cloud.google.com/bigquery/docs/reference/standard-sql/date_functions#date_diff (example: 559)',
  },
];
