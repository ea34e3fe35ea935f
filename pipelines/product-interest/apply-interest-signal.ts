import { z } from 'zod';
import { Instant, ProductInterest } from './product-interest.ts';
import type { InterestSignal } from './interest-signals.ts';

/**
 * How many counted event ids (views and orders) a stored record remembers. A redelivery is
 * recognised as long as fewer than this many newer counted events of the same identity and
 * product came in between: Pub/Sub redelivers within seconds to minutes, and 50 views of one
 * product by one shopper in that time is a bot. Past the bound a redelivered view counts twice —
 * an over-count of one view, never a lost one.
 */
export const RECENT_EVENT_IDS = 50;

/**
 * A ProductInterest as the adapters store it. Two differences from the public record, both so
 * that recording stays idempotent and order-independent:
 * - `recent_event_ids`: the newest counted event ids (views, orders), which make view counts,
 *   co-views and best-seller counts count each event once (see recordInterestSignals);
 * - `first_interest_at` is null while the record only holds a purchase: "first come" is about
 *   interest, and a later view must not inherit the order's date as its place in line.
 * Adapters never hand it out: toProductInterest gives the public form.
 */
export const StoredProductInterest = ProductInterest.extend({
  first_interest_at: Instant.nullable(),
  recent_event_ids: z.array(z.object({ event_id: z.string().min(1), at: Instant })).max(RECENT_EVENT_IDS),
});
export type StoredProductInterest = z.infer<typeof StoredProductInterest>;

export type AppliedSignal = {
  record: StoredProductInterest;
  /** The signal's event was not yet counted in this record: counts (view, co-view, best seller) move. */
  isNew: boolean;
  /** For a view: the identity's previous view of this product (null: never), read before applying. */
  previousViewAt: string | null;
};

/**
 * Merges one signal into a (product, identity) record. Every instant is a max (first_interest_at a
 * min), so applying signals in any order, or twice, gives the same record; the count is the only
 * sum, and it moves only for an event id the record has not counted.
 */
export function applyInterestSignal(current: StoredProductInterest | null, signal: InterestSignal): AppliedSignal {
  const record = current ?? emptyRecord(signal);
  const counts = signal.kind === 'view' || signal.kind === 'bought';
  const isNew = !record.recent_event_ids.some((seen) => seen.event_id === signal.event_id);
  const interest = signal.kind !== 'bought';
  const next: StoredProductInterest = {
    ...record,
    view_count: record.view_count + (signal.kind === 'view' && isNew ? 1 : 0),
    last_viewed_at: signal.kind === 'view' ? later(record.last_viewed_at, signal.at) : record.last_viewed_at,
    last_carted_at: signal.kind === 'carted' ? later(record.last_carted_at, signal.at) : record.last_carted_at,
    requested_at: signal.kind === 'requested' ? later(record.requested_at, signal.at) : record.requested_at,
    bought_at: signal.kind === 'bought' ? later(record.bought_at, signal.at) : record.bought_at,
    out_of_stock_interest_at: interest && signal.out_of_stock ? later(record.out_of_stock_interest_at, signal.at) : record.out_of_stock_interest_at,
    first_interest_at: interest ? earlier(record.first_interest_at, signal.at) : record.first_interest_at,
    recent_event_ids: counts && isNew ? keepNewest([...record.recent_event_ids, { event_id: signal.event_id, at: signal.at }]) : record.recent_event_ids,
  };
  return { record: next, isNew, previousViewAt: record.last_viewed_at };
}

/** The public record: first_interest_at falls back to the purchase for a purchase-only record. */
export function toProductInterest(stored: StoredProductInterest): ProductInterest {
  return {
    product_id: stored.product_id,
    identity: stored.identity,
    view_count: stored.view_count,
    last_viewed_at: stored.last_viewed_at,
    last_carted_at: stored.last_carted_at,
    requested_at: stored.requested_at,
    bought_at: stored.bought_at,
    out_of_stock_interest_at: stored.out_of_stock_interest_at,
    // Never both null: a record exists only once a signal reached it.
    first_interest_at: stored.first_interest_at ?? stored.bought_at!,
  };
}

/** The latest view, add or request (what listInterested's `since` compares), or null. */
export function latestInterestAt(record: ProductInterest | StoredProductInterest): string | null {
  return [record.last_viewed_at, record.last_carted_at, record.requested_at].reduce<string | null>(later, null);
}

/** The latest interest that came while the product was out of stock, or a request; or null. */
export function latestOutOfStockInterestAt(record: ProductInterest | StoredProductInterest): string | null {
  return later(record.out_of_stock_interest_at, record.requested_at);
}

function emptyRecord(signal: InterestSignal): StoredProductInterest {
  return {
    product_id: signal.product_id,
    identity: signal.identity,
    view_count: 0,
    last_viewed_at: null,
    last_carted_at: null,
    requested_at: null,
    bought_at: null,
    out_of_stock_interest_at: null,
    first_interest_at: null,
    recent_event_ids: [],
  };
}

/** Newest by time (tie: event id), so which ids are kept does not depend on arrival order. */
function keepNewest(ids: StoredProductInterest['recent_event_ids']): StoredProductInterest['recent_event_ids'] {
  const sorted = [...ids].sort((a, b) => (a.at === b.at ? (a.event_id < b.event_id ? -1 : 1) : a.at < b.at ? -1 : 1));
  return sorted.slice(Math.max(0, sorted.length - RECENT_EVENT_IDS));
}

// Instants are all ISO-8601 UTC with milliseconds (NudgeEvent.received_at), so text order is time order.
function later(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return a >= b ? a : b;
}

function earlier(a: string | null, b: string): string {
  return a === null || b < a ? b : a;
}
