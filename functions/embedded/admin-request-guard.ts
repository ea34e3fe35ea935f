import { timingSafeEqual } from 'node:crypto';
import { isAllowedLocalHost, isLoopbackAddress } from './http-host-loopback.ts';
import { jsonResponse, type HttpRequest, type HttpResponse } from '../http.ts';

/**
 * The guards every admin endpoint of the embedded host (/_nudge/query, /_nudge/reconcile) shares:
 * clients on this machine only, under a loopback Host (DNS rebinding), with the per-start admin
 * token of host.json (compared in constant time), by POST. Returns the refusal, or null to go on.
 */
export function refuseAdminRequest(request: HttpRequest, adminToken: string, what: string): HttpResponse | null {
  if (!isLoopbackAddress(request.remoteAddress)) return jsonResponse(403, { error: `${what} answers only clients on this machine` });
  if (!isAllowedLocalHost(request.headers.host)) return jsonResponse(403, { error: `Host ${request.headers.host ?? '(none)'} is not a loopback name` });
  const expected = Buffer.from(`Bearer ${adminToken}`);
  const given = Buffer.from(request.headers.authorization ?? '');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return jsonResponse(401, { error: 'admin token required' });
  if (request.method !== 'POST') return jsonResponse(405, { error: 'use POST' });
  return null;
}
