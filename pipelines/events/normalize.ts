import { classifyTrackEvent } from './commerce-schemas.ts';
import { maxFutureSkewMs, maxPastSkewMs } from './limits.ts';
import type { EventKind, NudgeEvent } from './nudge-event.ts';
import type { ParsedSegmentCall } from './segment-schemas.ts';

export type NormalizeOptions = {
  /** When the collector (or publishEvent) accepted the event: received_at and the `collected` hop. */
  receivedAt: Date;
  /** "http", "publish", "pubsub". */
  source: string;
  /** Write key id or app name; never a secret. */
  sourceId: string | null;
  /** Id for events sent without messageId (e.g. a ulid). */
  newEventId: () => string;
  /** Fields of the enclosing /v1/batch body, which apply to every item. */
  batch?: { context?: Record<string, unknown> | null; sentAt?: number | null };
};

const noFields: Record<string, unknown> = Object.freeze({}) as Record<string, unknown>;

/**
 * Turns a parsed (already valid) Segment call into nudge's internal event. Pure: the same
 * call and options always give the same event.
 */
export function normalize(call: ParsedSegmentCall, options: NormalizeOptions): NudgeEvent {
  const receivedMs = options.receivedAt.getTime();
  const receivedAt = isoOf(receivedMs);
  const context = mergeContext(options.batch?.context, call.context);
  let kind: EventKind;
  let eventName: string | null = null;
  let properties = noFields;
  let traits = noFields;
  let previousId: string | null = null;
  switch (call.type) {
    case 'track':
      kind = classifyTrackEvent(call.event);
      eventName = call.event;
      properties = call.properties ?? noFields;
      break;
    case 'page':
    case 'screen':
      kind = 'page';
      eventName = call.name ?? null;
      properties = call.properties ?? noFields;
      break;
    case 'identify':
      kind = 'identify';
      traits = call.traits ?? noFields;
      break;
    case 'alias':
      kind = 'alias';
      previousId = call.previousId;
      break;
  }
  const occurredMs = clampOccurredAt(
    occurredAtOf(call.timestamp, call.originalTimestamp, call.sentAt ?? options.batch?.sentAt, receivedMs),
    receivedMs,
  );
  return {
    event_id: call.messageId ?? options.newEventId(),
    type: call.type,
    kind,
    event_name: eventName,
    anonymous_id: call.anonymousId ?? null,
    user_id: call.userId ?? null,
    email: pickEmail(traits.email, (context.traits as { email?: unknown } | null | undefined)?.email, properties.email),
    previous_id: previousId,
    // Fresh objects for the frozen defaults: consumers may decorate an event they own.
    properties: properties === noFields ? {} : properties,
    traits: traits === noFields ? {} : traits,
    context,
    occurred_at: occurredMs === receivedMs ? receivedAt : new Date(occurredMs).toISOString(),
    received_at: receivedAt,
    source: options.source,
    source_id: options.sourceId,
    hops: { collected: receivedAt },
    schema_version: 1,
  };
}

// Every event of a batch shares one receivedAt: format it once, not per event (ingest runs at
// 50k events/s and toISOString allocates a Date each time).
let cachedMs = NaN;
let cachedIso = '';
function isoOf(ms: number): string {
  if (ms !== cachedMs) {
    cachedIso = new Date(ms).toISOString();
    cachedMs = ms;
  }
  return cachedIso;
}

/**
 * When it happened, by the client's account. An explicit timestamp wins; otherwise Segment's
 * clock-skew correction: originalTimestamp and sentAt were read from the same (possibly wrong)
 * device clock, so their difference is trustworthy and receivedAt − (sentAt − originalTimestamp)
 * is the event time on the server's clock.
 */
export function occurredAtOf(
  timestamp: number | null | undefined,
  originalTimestamp: number | null | undefined,
  sentAt: number | null | undefined,
  receivedMs: number,
): number {
  if (timestamp != null) return timestamp;
  if (originalTimestamp != null) return sentAt != null ? receivedMs - (sentAt - originalTimestamp) : originalTimestamp;
  return receivedMs;
}

/** Clamps into [received − 7 days, received + 5 minutes] (limits.ts says why). */
export function clampOccurredAt(occurredMs: number, receivedMs: number): number {
  return Math.min(Math.max(occurredMs, receivedMs - maxPastSkewMs), receivedMs + maxFutureSkewMs);
}

/** Item context over batch context, key by key (shallow: an item's `library` replaces the batch's). */
function mergeContext(
  batchContext: Record<string, unknown> | null | undefined,
  itemContext: Record<string, unknown> | null | undefined,
): Record<string, unknown> {
  if (batchContext == null) return itemContext ?? {};
  return itemContext == null ? { ...batchContext } : { ...batchContext, ...itemContext };
}

/** First non-empty email among the candidates (already validated), trimmed and lower-cased. */
function pickEmail(fromTraits: unknown, fromContext: unknown, fromProperties: unknown): string | null {
  return emailOf(fromTraits) ?? emailOf(fromContext) ?? emailOf(fromProperties);
}

function emailOf(candidate: unknown): string | null {
  if (typeof candidate !== 'string') return null;
  const email = candidate.trim();
  return email === '' ? null : email.toLowerCase();
}
