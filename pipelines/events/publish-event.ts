import { createAcceptEvents } from './accept-events.ts';
import type { EventBus } from './bus.ts';
import type { DeadLetterStore, FieldError } from './dead-letters.ts';
import type { SegmentEventInput, TrackEventName } from './segment-schemas.ts';
import { validatePayload } from './validate-payload.ts';
import type { Clock } from '../shared/clock.ts';

export type PublishEventDeps = {
  bus: EventBus;
  deadLetters: DeadLetterStore;
  clock: Clock;
  /** Ids for events without messageId and for dead-letter records (e.g. ulid). */
  newEventId: () => string;
  /** NudgeEvent.source; default "publish". */
  source?: string;
  /** App name recorded as source_id; default null. */
  sourceId?: string;
};

export type PublishEventResult = {
  /** event_id of every published event, in input order. */
  accepted: string[];
  /** Field errors of the refused events (index = position in the array; absent for a single event). */
  errors: FieldError[];
};

/**
 * Validates, normalizes, routes and publishes Segment-shaped events from server-side code.
 * Known track events get typed properties: `event: 'Product Added'` requires product_id (or sku)
 * in properties, and so on. Invalid events are dead-lettered and reported, never thrown; the
 * promise rejects only when the bus or the dead-letter store fails (then retry: events with a
 * messageId are deduplicated downstream).
 */
export type PublishEvent = <const E extends string = TrackEventName>(
  event: SegmentEventInput<E> | readonly SegmentEventInput<E>[],
) => Promise<PublishEventResult>;

export function createPublishEvent(deps: PublishEventDeps): PublishEvent {
  const source = deps.source ?? 'publish';
  const sourceId = deps.sourceId ?? null;
  const acceptEvents = createAcceptEvents({ bus: deps.bus, deadLetters: deps.deadLetters, newId: deps.newEventId });
  return async (input) => {
    const single = !Array.isArray(input);
    const items = single ? [input] : input;
    if (items.length === 0) return { accepted: [], errors: [] };
    const receivedAt = deps.clock.now();
    const { events, errors, rejected } = validatePayload({ batch: items }, 'batch', {
      receivedAt,
      source,
      sourceId,
      newEventId: deps.newEventId,
      // The shop's own backend: it may send what only server keys may (Catalog Updated).
      serverKey: true,
    });

    await acceptEvents({ events, rejected, stage: 'publish', sourceId, receivedAt });

    return {
      accepted: events.map((event) => event.event_id),
      errors: single ? errors.map(({ index: _index, ...error }) => error) : errors,
    };
  };
}
