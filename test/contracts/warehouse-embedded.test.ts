import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDuckDbWarehouse } from '../../functions/embedded/warehouse/duckdb-warehouse.ts';
import { runWarehouseContract } from './warehouse.contract.ts';

runWarehouseContract('duckdb (embedded)', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'nudge-warehouse-contract-'));
  return {
    open: () => openDuckDbWarehouse({ dataDir }),
    teardown: async () => rmSync(dataDir, { recursive: true, force: true }),
  };
});
