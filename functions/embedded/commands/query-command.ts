import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { findForbiddenConstruct } from '../../bigquery-sql/read-only-query-guard.ts';
import { ConfigError, dataDirOf, warehouseDatasetsOf } from '../config.ts';
import { openDuckDbWarehouse } from '../warehouse/duckdb-warehouse.ts';
import { readLiveHost } from '../host-file.ts';
import { formatTable } from './format-table.ts';
import { openWarehouseForTarget, type OpenWarehouseOptions, type WarehouseTarget } from './warehouse-target.ts';
import type { WarehouseRow } from '../../../pipelines/warehouse/warehouse.ts';

/**
 * `nudge query <sql|file>`: BigQuery SQL against the embedded warehouse (default) or, with
 * `--target gcp`, against the deployed BigQuery dataset (warehouse-target.ts). DuckDB allows one
 * process per file, so while the runtime runs the embedded query goes through it (host.json);
 * otherwise the file is opened here.
 */
export async function runQueryCommand(
  sqlOrFile: string,
  options: {
    json: boolean;
    env: Readonly<Record<string, string | undefined>>;
    target?: WarehouseTarget;
    /** gcp: builds the BigQuery client (tests pass a fake). */
    createBigQuery?: OpenWarehouseOptions['createBigQuery'];
  },
  out: Writable,
): Promise<number> {
  const sql = sqlOrFile.trim().toLowerCase().endsWith('.sql') && existsSync(sqlOrFile) ? readFileSync(sqlOrFile, 'utf8') : sqlOrFile;
  const dataDir = options.target === 'gcp' ? undefined : dataDirOf(options.env);
  // The same read-only rule the running host applies, so every path answers alike — and a typo'd
  // DELETE never reaches a deployed dataset.
  const forbidden = findForbiddenConstruct(sql);
  if (forbidden !== null) {
    console.error(`nudge: query refused: ${forbidden}`);
    return 1;
  }
  let rows: WarehouseRow[];
  try {
    rows = dataDir === undefined ? await runGcpQuery(sql, options.env, options.createBigQuery) : await queryEmbeddedWarehouse(dataDir, sql, warehouseDatasetsOf(options.env));
  } catch (error) {
    // A missing setting is not a failed query: say what to set.
    if (error instanceof ConfigError) console.error(`nudge: ${error.message}`);
    else console.error(`nudge: query failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  out.write(options.json ? rows.map((row) => JSON.stringify(row)).join('\n') + (rows.length ? '\n' : '') : formatTable(rows));
  return 0;
}

/**
 * One read-only query against the embedded warehouse of `dataDir`: through the running host when
 * there is one (it holds the DuckDB file), else by opening the file for this query alone.
 */
export async function queryEmbeddedWarehouse(dataDir: string, sql: string, datasets: readonly string[] = []): Promise<WarehouseRow[]> {
  const host = readLiveHost(dataDir);
  if (host) {
    const response = await fetch(`${host.url}/_nudge/query`, {
      method: 'POST',
      headers: { authorization: `Bearer ${host.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ sql }),
    });
    if (response.status === 404) {
      throw new Error(`the running host (${host.url}) listens on a non-loopback address, where the admin query is not served; stop it to query the warehouse file, or run it with NUDGE_HOST=127.0.0.1`);
    }
    const body = (await response.json()) as { rows?: WarehouseRow[]; error?: string };
    if (!response.ok || !body.rows) throw new Error(body.error ?? `host answered ${response.status}`);
    return body.rows;
  }
  // Never create a warehouse to read from it: a wrong data dir would answer "(no rows)".
  if (!existsSync(join(dataDir, 'warehouse.duckdb'))) {
    throw new Error(`no warehouse in ${dataDir}: start nudge with this data dir first (npm start), or point NUDGE_DATA_DIR / --data-dir at the one it uses`);
  }
  const warehouse = await openDuckDbWarehouse({ dataDir, datasets });
  try {
    return await warehouse.query(sql);
  } finally {
    await warehouse.close();
  }
}

async function runGcpQuery(
  sql: string,
  env: Readonly<Record<string, string | undefined>>,
  createBigQuery: OpenWarehouseOptions['createBigQuery'],
): Promise<WarehouseRow[]> {
  const warehouse = await openWarehouseForTarget({ target: 'gcp', env, ...(createBigQuery ? { createBigQuery } : {}) });
  try {
    return await warehouse.query(sql);
  } finally {
    await warehouse.close();
  }
}
