import type { WarehouseRow } from '../../../../pipelines/warehouse/warehouse.ts';

/**
 * One analyst query with the answer BigQuery gives it, as its documentation states. The embedded
 * warehouse must give the same rows or refuse (bigquery-answers.test.ts runs every case in
 * DuckDB), and Google's BigQuery analyzer must accept the SQL (scripts/check-bigquery-sql.mjs),
 * so a case can neither be wrong for BigQuery nor pass on DuckDB by accident.
 *
 * Cases live in `*.cases.ts` files in this folder, each exporting `bigQueryCases`. Their SQL is
 * self-contained (literals, UNNEST, WITH) or reads the tables of sql/tables as `nudge.<table>`.
 */
export type BigQueryCase = {
  name: string;
  sql: string;
  params?: Record<string, unknown>;
  /**
   * `rows`: exactly these rows, in this order (give the query an ORDER BY), values as the
   * warehouse port returns them (INT64 as number, TIMESTAMP as ISO-8601 UTC text, DATE as
   * YYYY-MM-DD). `refused`: the embedded warehouse refuses, with a message matching it.
   * `error`: BigQuery itself raises an error (division by zero, …), and so must DuckDB.
   */
  expected: { rows: WarehouseRow[] } | { refused: RegExp } | { error: RegExp };
  /** Where BigQuery documents this answer (a docs URL and the passage), for the reviewer. */
  documented: string;
  /**
   * Only for SQL BigQuery itself rejects before running it (a date part a function does not take, a
   * type error): the message Google's BigQuery analyzer gives, which the ZetaSQL check
   * (scripts/check-bigquery-sql.mjs) requires. Every other case must pass that analyzer.
   */
  bigQueryRejects?: RegExp;
};
