import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDuckDbWarehouse } from '../../functions/embedded/warehouse/duckdb-warehouse.ts';
import type { Warehouse, WarehouseRow } from '../../pipelines/warehouse/warehouse.ts';

/**
 * A DuckDB warehouse over the real sql/ files, with the tables as BigQuery has them: the primary
 * key is NOT ENFORCED there and a Pub/Sub BigQuery subscription writes every copy it delivers, so
 * the fixture tables are created without it and duplicate rows stay for the views to collapse.
 */
export async function openFixtureWarehouse(): Promise<{ warehouse: Warehouse; dispose: () => Promise<void> }> {
  const root = mkdtempSync(join(tmpdir(), 'nudge-views-'));
  const sqlDir = join(root, 'sql');
  mkdirSync(join(sqlDir, 'tables'), { recursive: true });
  for (const name of readdirSync('sql/tables').filter((n) => n.endsWith('.sql'))) {
    const ddl = readFileSync(join('sql/tables', name), 'utf8').replace(/,\s*PRIMARY KEY \([^)]*\) NOT ENFORCED/, '');
    writeFileSync(join(sqlDir, 'tables', name), ddl);
  }
  cpSync('sql/views', join(sqlDir, 'views'), { recursive: true });
  const warehouse = await openDuckDbWarehouse({ dataDir: join(root, 'data'), sqlDir });
  return {
    warehouse,
    dispose: async () => {
      await warehouse.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** A NudgeEvent row with what the views read; the rest filled with neutral values. */
export function eventRow(event_id: string, occurred_at: string, ids: { user_id?: string; anonymous_id?: string; email?: string }, kind = 'order_completed', properties: Record<string, unknown> = {}): WarehouseRow {
  return {
    event_id,
    type: 'track',
    kind,
    event_name: kind === 'order_completed' ? 'Order Completed' : 'Product Viewed',
    anonymous_id: ids.anonymous_id ?? null,
    user_id: ids.user_id ?? null,
    email: ids.email ?? null,
    previous_id: null,
    properties,
    traits: {},
    context: {},
    occurred_at,
    received_at: occurred_at,
    source: 'http',
    source_id: null,
    hops: {},
    schema_version: 1,
  };
}

export function identityRow(identity_link_id: string, identity_kind: string, identity_value: string, person_id: string, linked_at: string): WarehouseRow {
  return { identity_link_id, identity_kind, identity_value, person_id, linked_at };
}
