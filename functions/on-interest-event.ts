import type { HttpEntry, HttpRequest } from './http.ts';
import { deadLetterRefusal, decodePushedEvent, type Refusal } from './pushed-event.ts';
import type { CatalogStore } from '../pipelines/catalog/catalog-store.ts';
import type { DeadLetterStore } from '../pipelines/events/dead-letters.ts';
import type { NudgeEvent } from '../pipelines/events/nudge-event.ts';
import { InvalidInterestEventError, readInterestSignals } from '../pipelines/product-interest/interest-signals.ts';
import type { InterestStore } from '../pipelines/product-interest/interest-store.ts';
import type { Clock } from '../pipelines/shared/clock.ts';

export type OnInterestEventDeps = {
  interests: InterestStore;
  /** Read for the stock of the event's products (out_of_stock_interest_at). */
  catalog: Pick<CatalogStore, 'getItems'>;
  deadLetters: DeadLetterStore;
  clock: Clock;
  newId: () => string;
  log?: (entry: Record<string, unknown>) => void;
};

/** Stage name on dead letters (`nudge dead-letters --stage record-interest`). */
export const INTEREST_STAGE = 'record-interest';

/**
 * The recordInterest push consumer, subscribed beside the profile consumers to events-priority
 * (adds, orders, back-in-stock requests) and events-browse (views): one event per push, recorded
 * in the product-interest store. It runs apart from the profile fold so that a view costs the
 * profile document nothing and the journeys' "who cares about this product?" has its own store.
 *
 * Events of other kinds are acknowledged untouched (both topics carry many). The stock is the
 * catalog's at recording time — the nearest nudge has to "at the time of the event", since
 * recording follows the event by milliseconds unless a delivery was retried.
 *
 * Acknowledged (204) only once recorded; redelivery is harmless (idempotent by event id). A
 * message that cannot be an event, or an interest event without a product id, is dead-lettered
 * and acknowledged; a failing store or catalog read is transient: 500, and Pub/Sub retries.
 */
export function createOnInterestEventEntry(deps: OnInterestEventDeps): HttpEntry {
  const deadLetter = (refusal: Refusal) => deadLetterRefusal(deps, INTEREST_STAGE, refusal);

  return async (request) => {
    if (request.method !== 'POST') return { status: 405, headers: { allow: 'POST' } };
    let eventId: string | undefined;
    try {
      const decoded = decode(request);
      if ('refusal' in decoded) {
        eventId = decoded.refusal.event?.event_id;
        return await deadLetter(decoded.refusal);
      }
      const { event, productIds } = decoded;
      eventId = event.event_id;
      if (productIds.length === 0) return { status: 204 };
      const items = await deps.catalog.getItems(productIds);
      const stock = new Map(productIds.map((id) => [id, items.get(id)?.stock ?? null]));
      await deps.interests.record([event], stock);
      return { status: 204 };
    } catch (error) {
      // The event id is all a reader needs to find the event in the warehouse.
      deps.log?.({ severity: 'ERROR', message: `${INTEREST_STAGE}: record failed`, event_id: eventId, error: String(error) });
      return { status: 500, headers: { 'content-type': 'text/plain' }, body: 'interest record failed; retry\n' };
    }
  };
}

/** The event a push carries and the products it names, or why it cannot be recorded. Other errors are bugs and throw. */
function decode(request: HttpRequest): { event: NudgeEvent; productIds: string[] } | { refusal: Refusal } {
  const pushed = decodePushedEvent(request);
  if ('refusal' in pushed) return pushed;
  const { event, payload } = pushed;
  try {
    // Read once without stock to learn the products (and refuse a bad event before any I/O).
    const productIds = [...new Set(readInterestSignals([event], new Map()).map((signal) => signal.product_id))];
    return { event, productIds };
  } catch (error) {
    if (!(error instanceof InvalidInterestEventError)) throw error;
    return { refusal: { reason: error.message, errors: error.errors, payload, event } };
  }
}
