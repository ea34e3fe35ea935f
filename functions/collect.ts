import { decodeBody } from './collect/decode-body.ts';
import { corsHeaders } from './collect/cors.ts';
import { writeKeyFromAuthorization, type WriteKeys } from './collect/write-keys.ts';
import { jsonResponse, type HttpEntry, type HttpResponse } from './http.ts';
import { createAcceptEvents } from '../pipelines/events/accept-events.ts';
import type { EventBus } from '../pipelines/events/bus.ts';
import type { DeadLetterStore, FieldError } from '../pipelines/events/dead-letters.ts';
import { maxEventBytes } from '../pipelines/events/limits.ts';
import { validatePayload, type PayloadType } from '../pipelines/events/validate-payload.ts';
import type { Clock } from '../pipelines/shared/clock.ts';

export type CollectDeps = {
  writeKeys: WriteKeys;
  bus: EventBus;
  deadLetters: DeadLetterStore;
  clock: Clock;
  newEventId: () => string;
  log?: (entry: Record<string, unknown>) => void;
};

/** Segment's tracking API paths; /v1/import is Segment's historical alias of /v1/batch. */
const payloadTypes: Record<string, PayloadType> = {
  '/v1/track': 'track',
  '/v1/identify': 'identify',
  '/v1/page': 'page',
  '/v1/screen': 'screen',
  '/v1/alias': 'alias',
  '/v1/batch': 'batch',
  '/v1/import': 'batch',
};

/**
 * The `collect` Cloud Function (and the embedded host's /v1/*): Segment's HTTP tracking API.
 * Answers 2xx only once every valid event is published and every invalid one dead-lettered.
 *   200 {success:true}                                  all accepted
 *   200 {success:true, accepted, rejected, errors:[…]}  batch partly invalid (invalid ones dead-lettered;
 *                                                       resending cannot fix them, so no retryable status)
 *   400 {success:false, errors:[…]}                     not JSON, not the spec, or nothing valid
 *   401 missing/unknown write key · 413 too large · 503 bus unavailable (SDKs retry; event ids dedupe)
 */
export function createCollectEntry(deps: CollectDeps): HttpEntry {
  const acceptEvents = createAcceptEvents({ bus: deps.bus, deadLetters: deps.deadLetters, newId: deps.newEventId });

  return async (request) => {
    const cors = corsHeaders(request.headers.origin);
    if (request.method === 'OPTIONS') return { status: 204, headers: cors };
    const type = payloadTypes[request.path.replace(/\/+$/, '')];
    if (!type) return fail(404, [{ path: '', message: `Unknown endpoint ${request.path}; use /v1/track, /v1/identify, /v1/page, /v1/screen, /v1/alias or /v1/batch` }], cors);
    if (request.method !== 'POST') return fail(405, [{ path: '', message: 'Use POST' }], { ...cors, allow: 'POST, OPTIONS' });

    // A key in the header is checked before the body is even parsed, so strangers cost little.
    const headerKey = writeKeyFromAuthorization(request.headers.authorization);
    if (headerKey !== null && deps.writeKeys.identify(headerKey) === null) return unauthorized(cors);

    const body = decodeBody(request.rawBody, request.headers['content-encoding']);
    if (!body.ok) return fail(body.status, [{ path: '', message: body.message }], cors);
    if (type !== 'batch' && body.bytes > maxEventBytes) {
      return fail(413, [{ path: '', message: `Event is ${body.bytes} bytes; the limit is ${maxEventBytes} bytes per event` }], cors);
    }

    // analytics.js sends the key in the body (as text/plain, to avoid a CORS preflight).
    const sourceId = deps.writeKeys.identify(headerKey ?? bodyWriteKey(body.json));
    if (sourceId === null) return unauthorized(cors);

    const receivedAt = deps.clock.now();
    const { events, errors, rejected } = validatePayload(body.json, type, {
      receivedAt,
      source: 'http',
      sourceId,
      newEventId: deps.newEventId,
      bodyBytes: body.bytes,
    });
    try {
      await acceptEvents({ events, rejected, stage: 'collect', sourceId, receivedAt });
    } catch (error) {
      deps.log?.({ severity: 'ERROR', message: 'collect: publish failed', error: String(error), events: events.length });
      return fail(503, [{ path: '', message: 'Events could not be stored right now; retry later' }], { ...cors, 'retry-after': '1' });
    }
    if (errors.length === 0) return jsonResponse(200, { success: true }, cors);
    if (events.length === 0) return fail(400, errors, cors);
    return jsonResponse(200, { success: true, accepted: events.length, rejected: rejected.length, errors }, cors);
  };
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
