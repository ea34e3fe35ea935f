import { timingSafeEqual } from 'node:crypto';
import { findForbiddenConstruct } from '../bigquery-sql/read-only-query-guard.ts';
import { isAllowedLocalHost, isLoopbackAddress } from './http-host-loopback.ts';
import { jsonResponse, type HttpEntry } from '../http.ts';
import type { Warehouse } from '../../pipelines/warehouse/warehouse.ts';

/**
 * POST /_nudge/query {sql}: lets `nudge query` reach the warehouse while this process holds the
 * DuckDB file. Guarded by a per-start token that only readers of the data dir know (host.json),
 * answered only to clients on this machine under a loopback Host (DNS rebinding), and read-only:
 * one SELECT over the warehouse tables, no file access, no writes (functions/bigquery-sql/read-only-query-guard.ts). The
 * runtime mounts it only when the host listens on loopback.
 */
export function createAdminQueryEntry(deps: { warehouse: Warehouse; adminToken: string }): HttpEntry {
  const expected = Buffer.from(`Bearer ${deps.adminToken}`);
  return async (request) => {
    if (!isLoopbackAddress(request.remoteAddress)) return jsonResponse(403, { error: 'the admin query answers only clients on this machine' });
    if (!isAllowedLocalHost(request.headers.host)) return jsonResponse(403, { error: `Host ${request.headers.host ?? '(none)'} is not a loopback name` });
    const given = Buffer.from(request.headers.authorization ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return jsonResponse(401, { error: 'admin token required' });
    if (request.method !== 'POST') return jsonResponse(405, { error: 'use POST' });
    let sql: unknown;
    try {
      sql = (JSON.parse(request.rawBody.toString('utf8')) as { sql?: unknown }).sql;
    } catch {
      return jsonResponse(400, { error: 'body must be JSON {"sql": "..."}' });
    }
    if (typeof sql !== 'string' || sql.trim() === '') return jsonResponse(400, { error: 'sql must be a non-empty string' });
    const forbidden = findForbiddenConstruct(sql);
    if (forbidden !== null) return jsonResponse(400, { error: forbidden });
    try {
      return jsonResponse(200, { rows: await deps.warehouse.query(sql) });
    } catch (error) {
      return jsonResponse(400, { error: error instanceof Error ? error.message : String(error) });
    }
  };
}
