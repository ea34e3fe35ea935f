import { decodeBody } from './collect/decode-body.ts';
import { corsHeaders } from './collect/cors.ts';
import { writeKeyFromAuthorization, type WriteKeyIdentity, type WriteKeys } from './collect/write-keys.ts';
import { jsonResponse, type HttpAdmission, type HttpEntry, type HttpRequestHead, type HttpResponse } from './http.ts';
import { createAcceptEvents } from '../pipelines/events/accept-events.ts';
import type { EventBus } from '../pipelines/events/bus.ts';
import { truncateForDeadLetter } from '../pipelines/events/dead-letter-payload.ts';
import type { DeadLetterStore, FieldError } from '../pipelines/events/dead-letters.ts';
import { maxBatchBytes, maxSingleCallBodyBytes, maxUnauthenticatedBodyBytes } from '../pipelines/events/limits.ts';
import { validatePayload, type PayloadType, type RejectedEvent } from '../pipelines/events/validate-payload.ts';
import type { Clock } from '../pipelines/shared/clock.ts';

export type CollectDeps = {
  writeKeys: WriteKeys;
  bus: EventBus;
  deadLetters: DeadLetterStore;
  clock: Clock;
  newEventId: () => string;
  /** The shop's domains (NUDGE_SHOP_DOMAINS): catalog links elsewhere are refused. Absent: not checked here. */
  shopHosts?: readonly string[];
  log?: (entry: Record<string, unknown>) => void;
};

/**
 * Segment's tracking API paths; /v1/import is Segment's historical alias of /v1/batch. The one-letter
 * paths are what Segment's own browser SDK (analytics-next) posts to, as its API does: /v1/t, /v1/i,
 * /v1/p, /v1/s, /v1/a, /v1/b. (/v1/g, group, is not one of the calls nudge reads: 404 like /v1/group.)
 */
const payloadTypes: Record<string, PayloadType> = {
  '/v1/track': 'track',
  '/v1/identify': 'identify',
  '/v1/page': 'page',
  '/v1/screen': 'screen',
  '/v1/alias': 'alias',
  '/v1/batch': 'batch',
  '/v1/import': 'batch',
  '/v1/t': 'track',
  '/v1/i': 'identify',
  '/v1/p': 'page',
  '/v1/s': 'screen',
  '/v1/a': 'alias',
  '/v1/b': 'batch',
};

/**
 * The `collect` Cloud Function (and the embedded host's /v1/*): Segment's HTTP tracking API.
 * Answers 2xx only once every valid event is published and every invalid one dead-lettered.
 *   200 {success:true}                                  all accepted
 *   200 {success:true, accepted, rejected, errors:[…]}  batch partly invalid (invalid ones dead-lettered;
 *                                                       resending cannot fix them, so no retryable status)
 *   400 {success:false, errors:[…]}                     not JSON, not the spec, or nothing valid
 *   401 missing/unknown write key · 403 an event only a server key may send · 413 too large
 *   503 bus unavailable (SDKs retry; event ids dedupe)
 *
 * Strangers cost little: `admit` (asked by the embedded host before reading the body, and again
 * here) refuses an unknown header key and an oversize Content-Length unread, and caps what is read
 * before the sender is known (a key in the body) at maxUnauthenticatedBodyBytes.
 */
export function createCollectEntry(deps: CollectDeps): HttpEntry {
  const acceptEvents = createAcceptEvents({ bus: deps.bus, deadLetters: deps.deadLetters, newId: deps.newEventId });

  const admit = (head: HttpRequestHead): HttpAdmission => {
    const cors = corsHeaders(head.headers.origin);
    if (head.method === 'OPTIONS') return { refuse: { status: 204, headers: cors } };
    const type = payloadTypes[head.path.replace(/\/+$/, '')];
    if (!type) {
      const message = `Unknown endpoint ${head.path}; use /v1/track, /v1/identify, /v1/page, /v1/screen, /v1/alias or /v1/batch`;
      return { refuse: fail(404, [{ path: '', message }], cors) };
    }
    if (head.method !== 'POST') return { refuse: fail(405, [{ path: '', message: 'Use POST' }], { ...cors, allow: 'POST, OPTIONS' }) };
    const headerKey = writeKeyFromAuthorization(head.headers.authorization);
    if (headerKey !== null && deps.writeKeys.identify(headerKey) === null) return { refuse: unauthorized(cors) };
    const endpointLimit = type === 'batch' ? maxBatchBytes : maxSingleCallBodyBytes;
    const maxBodyBytes = headerKey === null ? Math.min(endpointLimit, maxUnauthenticatedBodyBytes) : endpointLimit;
    const hint = maxBodyBytes < endpointLimit ? '; send the write key in the Authorization header (Basic) to post more' : '';
    const tooLarge = fail(413, [{ path: '', message: `Body is larger than ${maxBodyBytes} bytes, the limit for ${head.path}${hint}` }], cors);
    const declared = Number(head.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBodyBytes) return { refuse: tooLarge };
    return { maxBodyBytes, tooLarge };
  };

  const entry = async (request: Parameters<HttpEntry>[0]): Promise<HttpResponse> => {
    const admission = admit(request);
    if ('refuse' in admission) return admission.refuse;
    if (request.rawBody.length > admission.maxBodyBytes) return admission.tooLarge;
    const cors = corsHeaders(request.headers.origin);
    const type = payloadTypes[request.path.replace(/\/+$/, '')]!;
    const headerKey = writeKeyFromAuthorization(request.headers.authorization);
    const headerIdentity = deps.writeKeys.identify(headerKey);
    const receivedAt = deps.clock.now();

    const body = decodeBody(request.rawBody, request.headers['content-encoding'], admission.maxBodyBytes);
    if (!body.ok) {
      if (body.status === 413) return fail(413, [{ path: '', message: body.message }], cors);
      // Kept for a human when the sender is known; a stranger's garbage is only answered.
      if (headerIdentity !== null && body.payload !== undefined) {
        const refused: RejectedEvent = { payload: truncateForDeadLetter(body.payload), errors: [{ path: '', message: body.message }] };
        const stored = await store([], [refused], headerIdentity.id, receivedAt, cors);
        if (stored) return stored;
      }
      return fail(body.status, [{ path: '', message: body.message }], cors);
    }

    // analytics.js sends the key in the body (as text/plain, to avoid a CORS preflight).
    const identity: WriteKeyIdentity | null = headerIdentity ?? (headerKey === null ? deps.writeKeys.identify(bodyWriteKey(body.json)) : null);
    if (identity === null) return unauthorized(cors);

    const { events, errors, rejected } = validatePayload(body.json, type, {
      receivedAt,
      source: 'http',
      sourceId: identity.id,
      newEventId: deps.newEventId,
      bodyBytes: body.bytes,
      serverKey: identity.server,
      ...(deps.shopHosts ? { shopHosts: deps.shopHosts } : {}),
    });
    const failed = await store(events, rejected, identity.id, receivedAt, cors);
    if (failed) return failed;
    if (errors.length === 0) return jsonResponse(200, { success: true }, cors);
    if (events.length === 0) return fail(refusalStatus(rejected), errors, cors);
    return jsonResponse(200, { success: true, accepted: events.length, rejected: rejected.length, errors }, cors);
  };

  /** Publishes and dead-letters; a 503 answer when that failed, undefined when all is durable. */
  async function store(
    events: Parameters<typeof acceptEvents>[0]['events'],
    rejected: readonly RejectedEvent[],
    sourceId: string,
    receivedAt: Date,
    cors: Record<string, string>,
  ): Promise<HttpResponse | undefined> {
    try {
      await acceptEvents({ events, rejected, stage: 'collect', sourceId, receivedAt });
      return undefined;
    } catch (error) {
      deps.log?.({ severity: 'ERROR', message: 'collect: publish failed', error: String(error), events: events.length });
      return fail(503, [{ path: '', message: 'Events could not be stored right now; retry later' }], { ...cors, 'retry-after': '1' });
    }
  }

  return Object.assign(entry, { admit });
}

/**
 * Status when nothing was accepted: 403 when every refusal is an event only a server key may send,
 * 413 when a single call was too large, 400 otherwise.
 */
function refusalStatus(rejected: readonly RejectedEvent[]): number {
  if (rejected.length > 0 && rejected.every((event) => event.refusal === 'forbidden')) return 403;
  if (rejected.length === 1 && rejected[0]!.index === undefined && rejected[0]!.refusal === 'too_large') return 413;
  return 400;
}

function bodyWriteKey(json: unknown): string | null {
  if (typeof json !== 'object' || json === null) return null;
  const key = (json as { writeKey?: unknown }).writeKey;
  return typeof key === 'string' && key !== '' ? key : null;
}

function unauthorized(cors: Record<string, string>): HttpResponse {
  return fail(401, [{ path: 'writeKey', message: 'Missing or unknown write key; send it as the Basic-auth user name' }], {
    ...cors,
    'www-authenticate': 'Basic realm="nudge"',
  });
}

function fail(status: number, errors: readonly FieldError[], headers: Record<string, string>): HttpResponse {
  return jsonResponse(status, { success: false, errors }, headers);
}
