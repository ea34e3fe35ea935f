import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { BigQuery } from '@google-cloud/bigquery';
import { createBigQueryClient } from '../../functions/gcp/bigquery-client.ts';
import { createBigQueryWarehouse } from '../../functions/gcp/bigquery-warehouse.ts';
import { runWarehouseContract } from './warehouse.contract.ts';

/**
 * The Warehouse contract against real BigQuery — there is no BigQuery emulator from Google — so it
 * runs only where a project and a key file are given:
 *   NUDGE_TEST_BIGQUERY_PROJECT=<project> GOOGLE_APPLICATION_CREDENTIALS=<key.json> \
 *     node scripts/run-tests.mjs test/contracts/warehouse-bigquery
 * (NUDGE_TEST_BIGQUERY_LOCATION, default EU). The key's service account needs BigQuery Data
 * Editor and Job User on the project. Each run makes its own dataset, nudge_contract_<random>,
 * creates the sql/tables tables in it through the adapter itself (DDL is BigQuery SQL too) and
 * deletes the dataset with its tables afterwards. Nothing else in the project is touched.
 * Elsewhere: a visible SKIP line, and no client is ever built (so nothing reaches for Google).
 */
const projectId = process.env.NUDGE_TEST_BIGQUERY_PROJECT;
const keyFile = process.env.GOOGLE_APPLICATION_CREDENTIALS;
const location = process.env.NUDGE_TEST_BIGQUERY_LOCATION || 'EU';

function findSkip(): string | undefined {
  if (!projectId) return 'NUDGE_TEST_BIGQUERY_PROJECT not set';
  if (!keyFile) return 'GOOGLE_APPLICATION_CREDENTIALS not set';
  if (!existsSync(keyFile)) return `GOOGLE_APPLICATION_CREDENTIALS names no file (${keyFile})`;
  return undefined;
}

const reason = findSkip();
const skip = reason ? `BigQuery not configured (${reason}): BigQuery warehouse contract not run` : undefined;
if (skip) console.log(`# SKIP ${skip}`);

const sqlTables = new URL('../../sql/tables/', import.meta.url);

async function createContractDataset(): Promise<{ bigquery: BigQuery; dataset: string; drop: () => Promise<void> }> {
  const bigquery = createBigQueryClient({ projectId: projectId!, location, env: process.env });
  const dataset = `nudge_contract_${randomBytes(5).toString('hex')}`;
  await bigquery.createDataset(dataset, {
    location,
    // A crashed run cannot delete its dataset; BigQuery then drops its tables after a day.
    defaultTableExpirationMs: String(24 * 3600_000),
    description: 'Temporary: nudge warehouse contract test (test/contracts/warehouse-bigquery.test.ts).',
  });
  const warehouse = createBigQueryWarehouse({ bigquery, projectId: projectId!, dataset, location });
  try {
    for (const file of readdirSync(sqlTables).filter((name) => name.endsWith('.sql')).sort()) {
      await warehouse.query(readFileSync(new URL(file, sqlTables), 'utf8'));
    }
  } catch (error) {
    await bigquery.dataset(dataset).delete({ force: true });
    throw error;
  } finally {
    await warehouse.close();
  }
  return { bigquery, dataset, drop: async () => void (await bigquery.dataset(dataset).delete({ force: true })) };
}

runWarehouseContract(
  'bigquery',
  async () => {
    const { bigquery, dataset, drop } = await createContractDataset();
    return {
      open: async () => createBigQueryWarehouse({ bigquery, projectId: projectId!, dataset, location }),
      teardown: drop,
      readAfterWriteMs: 60_000,
    };
  },
  skip ? { skip } : {},
);
