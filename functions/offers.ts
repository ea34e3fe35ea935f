import { writeKeyFromAuthorization, type WriteKeyIdentity, type WriteKeys } from './collect/write-keys.ts';
import { jsonResponse, type HttpAdmission, type HttpEntry, type HttpRequest, type HttpRequestHead, type HttpResponse } from './http.ts';
import { offerCodePrefix, verifyOfferCode } from '../pipelines/content/offer-code.ts';
import type { Clock } from '../pipelines/shared/clock.ts';

export type OfferCheckDeps = {
  /** Only server keys (NUDGE_SERVER_WRITE_KEYS) may check; browser keys are refused with 403. */
  writeKeys: WriteKeys;
  /** Link-signing keys, newest first: a code signed with any of them verifies (rotation). */
  linkKeys: readonly string[];
  clock: Clock;
  log?: (entry: Record<string, unknown>) => void;
};

/** A JSON body holding one code; anything bigger is not a check. */
export const maxOfferCheckBodyBytes = 4096;
/** Longer than any code nudge issues (24) with room for spaces; a longer one is a bad request, not a guess. */
const maxCodeLength = 64;
const checkPath = /\/v1\/offers\/check\/?$/;

/**
 * POST /v1/offers/check — the shop's checkout asks whether a discount code is one nudge issued
 * for a `unique` offer and is still good (pipelines/content/offer-code.ts):
 *
 *   200 {"valid":true,"code_prefix":"LOOK10","expires_at":"…"}   apply the LOOK10 discount
 *   200 {"valid":false,"reason":"expired"|"unknown"}             refuse it (a static code is unknown:
 *                                                                nudge cannot vouch for it)
 *   400 {"errors":[{"path":"code",…}]}  401 missing/unknown key  403 a browser key  405  413
 *
 * Server-to-server: the key is a server write key, as HTTP Basic user (as the collector takes it),
 * never in the body, and no CORS — a browser key ships to every visitor, so it could check
 * guesses from any page. No rate limit here (the checkout is the shop's); the check itself takes the
 * same time whatever the guess. Logs carry the outcome and at most the code's prefix, never the code.
 */
export function createOfferCheckEntry(deps: OfferCheckDeps): HttpEntry {
  if (deps.linkKeys.length === 0) throw new Error('createOfferCheckEntry: at least one link-signing key is needed');

  /** The caller's server identity, or the refusal; decided before the body is read. */
  const authorize = (head: HttpRequestHead): { identity: WriteKeyIdentity } | { refuse: HttpResponse } => {
    if (!checkPath.test(head.path)) return { refuse: fail(404, '', `Unknown endpoint ${head.path}; use POST /v1/offers/check`) };
    if (head.method.toUpperCase() !== 'POST') return { refuse: fail(405, '', 'Use POST', { allow: 'POST' }) };
    const identity = deps.writeKeys.identify(writeKeyFromAuthorization(head.headers.authorization));
    if (identity === null) return { refuse: fail(401, 'writeKey', 'Missing or unknown write key; send a server write key as the Basic-auth user name', { 'www-authenticate': 'Basic realm="nudge"' }) };
    if (!identity.server) return { refuse: fail(403, 'writeKey', 'Checking offer codes needs a server write key (NUDGE_SERVER_WRITE_KEYS): browser keys are public') };
    return { identity };
  };

  const tooLarge = fail(413, '', `Body is larger than ${maxOfferCheckBodyBytes} bytes`);
  const admit = (head: HttpRequestHead): HttpAdmission => {
    const authorized = authorize(head);
    if ('refuse' in authorized) return authorized;
    const declared = Number(head.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxOfferCheckBodyBytes) return { refuse: tooLarge };
    return { maxBodyBytes: maxOfferCheckBodyBytes, tooLarge };
  };

  const entry = async (request: HttpRequest): Promise<HttpResponse> => {
    const authorized = authorize(request);
    if ('refuse' in authorized) return authorized.refuse;
    if (request.rawBody.length > maxOfferCheckBodyBytes) return tooLarge;
    const code = readCode(request.rawBody);
    if (typeof code !== 'string') return fail(400, code.path, code.message);
    const result = verifyOfferCode(code, deps.linkKeys, deps.clock.now());
    const prefix = result.valid ? result.code_prefix : offerCodePrefix(code);
    deps.log?.({ severity: 'INFO', message: 'offers: code checked', valid: result.valid, ...(result.valid ? {} : { reason: result.reason }), code_prefix: prefix, write_key_id: authorized.identity.id });
    return jsonResponse(200, result, { 'cache-control': 'no-store' });
  };

  return Object.assign(entry, { admit });
}

/** The `code` of a `{"code":"…"}` body, or the field that is wrong. */
function readCode(body: Buffer): string | { path: string; message: string } {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    return { path: '', message: 'Body is not JSON; send {"code":"…"}' };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return { path: '', message: 'Body must be a JSON object: {"code":"…"}' };
  const code = (json as { code?: unknown }).code;
  if (code === undefined) return { path: 'code', message: 'Required: the discount code the shopper entered' };
  if (typeof code !== 'string') return { path: 'code', message: `Expected a string, got ${code === null ? 'null' : typeof code}` };
  if (code.trim() === '') return { path: 'code', message: 'Must not be empty' };
  if (code.length > maxCodeLength) return { path: 'code', message: `At most ${maxCodeLength} characters` };
  return code;
}

function fail(status: number, path: string, message: string, headers: Record<string, string> = {}): HttpResponse {
  return jsonResponse(status, { errors: [{ path, message }] }, headers);
}
