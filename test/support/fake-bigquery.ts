import { BigQuery, type Query } from '@google-cloud/bigquery';
import type { BigQueryClient } from '../../functions/gcp/bigquery-warehouse.ts';

/**
 * A stand-in for the client, no network: it records the jobs and inserts the adapter asks for and
 * answers a query with REST-shaped cells parsed by the library's own mergeSchemaWithRows_, with
 * the options the adapter passes to getQueryResults — so forgetting wrapIntegers or parseJSON
 * shows up as a rounded integer or a JSON string, as it would against BigQuery.
 */
export type Answer = { fields: { name: string; type: string; mode?: string }[]; cells: unknown[][] };

export function fakeBigQuery(answer: Answer = { fields: [], cells: [] }, options: { insertError?: unknown } = {}) {
  const jobs: Query[] = [];
  const inserts: { projectId: string | undefined; dataset: string; table: string; rows: unknown[]; options: unknown }[] = [];
  const client = {
    createQueryJob: async (job: Query) => {
      jobs.push(job);
      const queryJob = {
        getQueryResults: async (resultOptions: { wrapIntegers?: boolean; parseJSON?: boolean }) => {
          const rows = BigQuery.mergeSchemaWithRows_({ fields: answer.fields } as never, answer.cells.map((cells) => ({ f: cells.map((v) => ({ v })) })) as never, {
            wrapIntegers: resultOptions.wrapIntegers ?? false,
            parseJSON: resultOptions.parseJSON ?? false,
          });
          return [rows];
        },
      };
      return [queryJob];
    },
    dataset: (dataset: string, datasetOptions?: { projectId?: string }) => ({
      table: (table: string) => ({
        insert: async (rows: unknown[], insertOptions: unknown) => {
          inserts.push({ projectId: datasetOptions?.projectId, dataset, table, rows, options: insertOptions });
          if (options.insertError) throw options.insertError;
          return [{}];
        },
      }),
    }),
  };
  return { client: client as unknown as BigQueryClient, jobs, inserts };
}

