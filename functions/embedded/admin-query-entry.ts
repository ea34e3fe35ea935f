import { checkTypedValue } from '../bigquery-sql/parse-query-param.ts';
import { findForbiddenConstruct } from '../bigquery-sql/read-only-query-guard.ts';
import { refuseAdminRequest } from './admin-request-guard.ts';
import { jsonResponse, type HttpEntry } from '../http.ts';
import { isQueryParamType, type QueryParamType, type QueryParamTypes } from '../../pipelines/warehouse/query-param-types.ts';
import type { Warehouse } from '../../pipelines/warehouse/warehouse.ts';

/**
 * POST /_nudge/query {sql}: lets `nudge query` reach the warehouse while this process holds the
 * DuckDB file. Guarded by a per-start token that only readers of the data dir know (host.json),
 * answered only to clients on this machine under a loopback Host (DNS rebinding), and read-only:
 * one SELECT over the warehouse tables, no file access, no writes (functions/bigquery-sql/read-only-query-guard.ts). The
 * runtime mounts it only when the host listens on loopback.
 */
export function createAdminQueryEntry(deps: { warehouse: Warehouse; adminToken: string }): HttpEntry {
  return async (request) => {
    const refused = refuseAdminRequest(request, deps.adminToken, 'the admin query');
    if (refused) return refused;
    let body: { sql?: unknown; params?: unknown; types?: unknown };
    try {
      body = JSON.parse(request.rawBody.toString('utf8')) as typeof body;
    } catch {
      return jsonResponse(400, { error: 'body must be JSON {"sql": "...", "params"?: {...}, "types"?: {...}}' });
    }
    const { sql } = body;
    if (typeof sql !== 'string' || sql.trim() === '') return jsonResponse(400, { error: 'sql must be a non-empty string' });
    const forbidden = findForbiddenConstruct(sql);
    if (forbidden !== null) return jsonResponse(400, { error: `the admin query is read-only: ${forbidden}` });
    let typed: { params: Record<string, unknown>; types: QueryParamTypes };
    try {
      typed = readTypedParams(body.params, body.types);
    } catch (error) {
      return jsonResponse(400, { error: error instanceof Error ? error.message : String(error) });
    }
    try {
      return jsonResponse(200, { rows: await deps.warehouse.query(sql, typed.params, { types: typed.types }) });
    } catch (error) {
      return jsonResponse(400, { error: error instanceof Error ? error.message : String(error) });
    }
  };
}

/**
 * `nudge query --param` values as the CLI sends them: every parameter typed (query-param-types.ts),
 * each value checked again here — the host binds only what it has itself verified.
 */
function readTypedParams(params: unknown, types: unknown): { params: Record<string, unknown>; types: QueryParamTypes } {
  const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
  if (params === undefined && types === undefined) return { params: {}, types: {} };
  if (!isRecord(params) || !isRecord(types)) throw new Error('params and types must be JSON objects keyed by parameter name');
  const checked: Record<string, unknown> = {};
  const declared: Record<string, QueryParamType> = {};
  for (const [name, value] of Object.entries(params)) {
    const type = types[name];
    if (typeof type !== 'string' || !isQueryParamType(type)) throw new Error(`parameter ${name} has no valid type (types.${name})`);
    checked[name] = checkTypedValue(name, type, value);
    declared[name] = type;
  }
  return { params: checked, types: declared };
}
