import { bigQueryDatasetOf } from '../../bigquery-sql/bigquery-dataset.ts';
import { resolve } from 'node:path';
import type { Warehouse } from '../../../pipelines/warehouse/warehouse.ts';
import type { BigQueryClient } from '../../gcp/bigquery-warehouse.ts';
import { ConfigError, dataDirOf, warehouseDatasetsOf } from '../config.ts';

/**
 * Which warehouse a command reads: the embedded DuckDB file of NUDGE_DATA_DIR, or the BigQuery
 * dataset of a deployment (`--target gcp`). Both answer the same BigQuery SQL with the same plain
 * values (pipelines/warehouse/warehouse.ts), so a command needs no branch beyond this call.
 */
export type WarehouseTarget = 'embedded' | 'gcp';

export const warehouseTargets: readonly WarehouseTarget[] = ['embedded', 'gcp'];

/** The `--target` option's value, refused with the choices when it is none of them. */
export function parseWarehouseTarget(value: string | undefined): WarehouseTarget {
  if (value === undefined || value === '') return 'embedded';
  if ((warehouseTargets as readonly string[]).includes(value)) return value as WarehouseTarget;
  throw new ConfigError(`--target must be ${warehouseTargets.join(' or ')}, not "${value}"`);
}

export type BigQueryTarget = { projectId: string; dataset: string; location?: string };

/** terraform's default for var.bigquery_dataset_id (terraform/variables.tf). */
export { defaultBigQueryDataset } from '../../bigquery-sql/bigquery-dataset.ts';

/**
 * The deployed dataset, from the environment only:
 * - project: NUDGE_GCP_PROJECT, else GOOGLE_CLOUD_PROJECT (what terraform sets for the functions);
 * - dataset: NUDGE_BIGQUERY_DATASET, else NUDGE_BQ_DATASET (the functions' name for it), else
 *   terraform's default `nudge`;
 * - location: NUDGE_BIGQUERY_LOCATION when the dataset is in a region (EU and US are found alone).
 */
export function parseBigQueryTarget(env: Readonly<Record<string, string | undefined>>): BigQueryTarget {
  const projectId = env.NUDGE_GCP_PROJECT || env.GOOGLE_CLOUD_PROJECT;
  if (!projectId) {
    throw new ConfigError('--target gcp needs the project: set NUDGE_GCP_PROJECT (or GOOGLE_CLOUD_PROJECT) to the project id terraform deployed to');
  }
  const dataset = bigQueryDatasetOf(env);
  const location = env.NUDGE_BIGQUERY_LOCATION;
  return { projectId, dataset, ...(location ? { location } : {}) };
}

export type OpenWarehouseOptions = {
  target: WarehouseTarget;
  /** The environment to read (process.env with the command's overrides). */
  env: Readonly<Record<string, string | undefined>>;
  /** embedded: the state folder, overriding NUDGE_DATA_DIR (default ./.nudge). */
  dataDir?: string;
  /** embedded: open the file for queries only. Either way DuckDB refuses while `npm start` holds it. */
  readOnly?: boolean;
  /** gcp: builds the client; tests pass a fake. Default: createBigQueryClient (credentials from the environment). */
  createBigQuery?: (options: { projectId: string; location?: string; env: Readonly<Record<string, string | undefined>> }) => BigQueryClient;
};

/**
 * Opens the warehouse of a target; the caller close()s it. Throws ConfigError (naming the
 * variable) when the environment lacks what the target needs. The BigQuery SDK is loaded only for
 * `gcp`, so embedded commands start as fast as before.
 */
export async function openWarehouseForTarget(options: OpenWarehouseOptions): Promise<Warehouse> {
  if (options.target === 'embedded') {
    const { openDuckDbWarehouse } = await import('../warehouse/duckdb-warehouse.ts');
    const dataDir = options.dataDir ? resolve(options.dataDir) : dataDirOf(options.env);
    return openDuckDbWarehouse({ dataDir, datasets: warehouseDatasetsOf(options.env), ...(options.readOnly ? { readOnly: true } : {}) });
  }
  const target = parseBigQueryTarget(options.env);
  const [{ createBigQueryWarehouse }, { createBigQueryClient }] = await Promise.all([
    import('../../gcp/bigquery-warehouse.ts'),
    import('../../gcp/bigquery-client.ts'),
  ]);
  const createBigQuery = options.createBigQuery ?? createBigQueryClient;
  const bigquery = createBigQuery({ projectId: target.projectId, env: options.env, ...(target.location ? { location: target.location } : {}) });
  return createBigQueryWarehouse({ bigquery, ...target });
}
