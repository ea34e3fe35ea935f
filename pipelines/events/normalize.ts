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
 * When it happened, on nudge's clock. The client's time (timestamp, else originalTimestamp) comes
 * from a device clock that may be hours wrong; when the call (or its batch) carries sentAt, read
 * from the same clock at send time, their difference is trustworthy and Segment's clock-skew
 * correction puts the event on the server's clock: received − (sentAt − client time). Without
 * sentAt the client's time is taken as is (clampOccurredAt then bounds it); without any time,
 * received.
 */
export function occurredAtOf(
  timestamp: number | null | undefined,
  originalTimestamp: number | null | undefined,
  sentAt: number | null | undefined,
  receivedMs: number,
): number {
  const clientMs = timestamp ?? originalTimestamp;
  if (clientMs == null) return receivedMs;
  return sentAt != null ? receivedMs - (sentAt - clientMs) : clientMs;
}

/**
 * Clamps into [received − 7 days, received] (limits.ts says why): an event cannot have happened
 * after nudge received it, whatever the device clock says.
 */
export function clampOccurredAt(occurredMs: number, receivedMs: number): number {
  return Math.min(Math.max(occurredMs, receivedMs - maxPastSkewMs), receivedMs + maxFutureSkewMs);
}

/**
 * Events of one request that end up with the same occurred_at keep the order they were sent in
 * (a batch [add A, order, add B] sent within one millisecond, or without timestamps, must not be
 * folded as if the order came last). Walking from the end, an event whose time ties with the
 * next one's is moved 1 ms before it; when that move lands on the event before (sent in time
 * order, now tied or overtaken), it moves too. Events are only ever moved earlier, never past
 * received_at, and events sent out of time order are left as they are. Changed in place (the
 * events are fresh from normalize); ISO strings of one format compare like the instants.
 */
export function spreadTiedOccurredAt(events: NudgeEvent[]): void {
  if (events.length < 2) return;
  let nextSent = events[events.length - 1]!.occurred_at;
  let nextFinal = nextSent;
  for (let i = events.length - 2; i >= 0; i--) {
    const event = events[i]!;
    const sent = event.occurred_at;
    if (sent <= nextSent && sent >= nextFinal) event.occurred_at = new Date(Date.parse(nextFinal) - 1).toISOString();
    nextSent = sent;
    nextFinal = event.occurred_at;
  }
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
