import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ParsedQueryParams } from '../../bigquery-sql/parse-query-param.ts';
import { ConfigError } from '../config.ts';
import { readLiveHost } from '../host-file.ts';
import { openDuckDbWarehouse } from '../warehouse/duckdb-warehouse.ts';
import type { WarehouseRow } from '../../../pipelines/warehouse/warehouse.ts';

export type EmbeddedWarehouseSession = {
  /** How the queries travel: through the running host, or the DuckDB file opened here. */
  via: 'host' | 'file';
  query: (sql: string, typed?: ParsedQueryParams) => Promise<WarehouseRow[]>;
  close: () => Promise<void>;
};

const noParams: ParsedQueryParams = { params: {}, types: {} };

/**
 * Read-only queries against the embedded warehouse of `dataDir`, for the CLI. DuckDB lets one
 * process hold the file, so while the runtime runs they go through its admin query (host.json:
 * loopback URL and a token only readers of the data dir know); otherwise the file is opened once
 * for the session. A data dir without a warehouse is a ConfigError, and nothing is created: a
 * wrong data dir must not answer "(no rows)".
 */
export async function openEmbeddedWarehouseSession(dataDir: string, datasets: readonly string[] = []): Promise<EmbeddedWarehouseSession> {
  const host = readLiveHost(dataDir);
  if (host) {
    return {
      via: 'host',
      query: async (sql, typed = noParams) => {
        const response = await fetch(`${host.url}/_nudge/query`, {
          method: 'POST',
          headers: { authorization: `Bearer ${host.adminToken}`, 'content-type': 'application/json' },
          body: JSON.stringify({ sql, ...(Object.keys(typed.types).length > 0 ? typed : {}) }),
        });
        if (response.status === 404) {
          throw new Error(`the running host (${host.url}) listens on a non-loopback address, where the admin query is not served; stop it to query the warehouse file, or run it with NUDGE_HOST=127.0.0.1`);
        }
        const body = (await response.json()) as { rows?: WarehouseRow[]; error?: string };
        if (!response.ok || !body.rows) throw new Error(body.error ?? `host answered ${response.status}`);
        return body.rows;
      },
      close: async () => {},
    };
  }
  if (!existsSync(join(dataDir, 'warehouse.duckdb'))) {
    throw new ConfigError(`no warehouse in ${dataDir}: start nudge with this data dir first (npm start), or point NUDGE_DATA_DIR / --data-dir at the one it uses`);
  }
  const warehouse = await openDuckDbWarehouse({ dataDir, datasets });
  return {
    via: 'file',
    query: (sql, typed = noParams) => warehouse.query(sql, typed.params, { types: typed.types }),
    close: () => warehouse.close(),
  };
}
