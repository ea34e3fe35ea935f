import { applyInterestSignal, type StoredProductInterest } from './apply-interest-signal.ts';
import type { InterestSignal } from './interest-signals.ts';

/** Views of two products by one identity this close in time are a co-view (issue 9: "viewed together"). */
export const CO_VIEW_WINDOW_MS = 24 * 60 * 60 * 1000;
/**
 * At most this many partners per view, the most recently viewed first: each partner costs a write
 * to its own co-view list, so a shopper (or a crawler) with hundreds of recent views must not turn
 * one view into hundreds of writes.
 */
export const MAX_CO_VIEW_PARTNERS = 20;

export type InterestRecording = {
  /** Records that changed, one per (product, identity), in their final state for this batch. */
  records: StoredProductInterest[];
  /** product id → co-viewed products to add, once per occurrence (addCoViews takes them as they are). */
  coViews: Map<string, string[]>;
  /** product id → orders to add to its best-seller count, and the latest category an order gave. */
  bestSellers: Map<string, { count: number; category: string | null }>;
};

/** The key of a (product, identity) pair in maps; no product id or identity holds a NUL. */
export function interestKey(productId: string, identity: string): string {
  return `${productId}\u0000${identity}`;
}

/**
 * What a batch of signals changes, given the stored records of the batch's identities (all of an
 * identity's records when it has a view signal — co-views look across its products; at least the
 * (product, identity) records the signals touch otherwise). Pure: adapters read, call this, and
 * write the result (co-views and best-sellers added to what they hold) in one transaction.
 *
 * Idempotent by event id without a separate ledger: every effect that adds (view count, co-views,
 * best-seller count) happens only when applyInterestSignal finds the event new for its record, and
 * that record is written in the same transaction as the counts. A redelivered batch finds its ids
 * in the records and changes nothing; the instants are maxima, which repeat harmlessly.
 *
 * Co-views: a view of X that is the identity's first view of X within CO_VIEW_WINDOW_MS adds one
 * co-view, both ways, with each other product the identity viewed within that window of it. Only
 * the first view counts, so a shopper flipping between two products counts once per day, not once
 * per click; and since the window reaches both ways, the pair counts once whichever view is
 * recorded first (events may arrive out of order).
 */
export function planInterestRecording(signals: readonly InterestSignal[], stored: readonly StoredProductInterest[]): InterestRecording {
  const state = new Map(stored.map((record) => [interestKey(record.product_id, record.identity), record]));
  const byIdentity = new Map<string, Set<string>>();
  for (const record of stored) rememberProduct(byIdentity, record.identity, record.product_id);
  const changed = new Set<string>();
  const coViews = new Map<string, string[]>();
  const bestSellers = new Map<string, { count: number; category: string | null }>();

  for (const signal of signals) {
    const key = interestKey(signal.product_id, signal.identity);
    const applied = applyInterestSignal(state.get(key) ?? null, signal);
    state.set(key, applied.record);
    changed.add(key);
    rememberProduct(byIdentity, signal.identity, signal.product_id);
    if (!applied.isNew) continue;
    if (signal.kind === 'bought') {
      const current = bestSellers.get(signal.product_id) ?? { count: 0, category: null };
      bestSellers.set(signal.product_id, { count: current.count + 1, category: signal.category ?? current.category });
    }
    if (signal.kind === 'view' && opensCoViews(applied.previousViewAt, signal.at)) {
      const partners = partnersOf(signal, byIdentity.get(signal.identity) ?? new Set(), state);
      if (partners.length > 0) append(coViews, signal.product_id, partners);
      for (const partner of partners) append(coViews, partner, [signal.product_id]);
    }
  }
  const before = new Map(stored.map((record) => [interestKey(record.product_id, record.identity), record]));
  const records = [...changed].map((key) => state.get(key)!).filter((record) => !sameRecord(before.get(interestKey(record.product_id, record.identity)), record));
  return { records, coViews, bestSellers };
}

function opensCoViews(previousViewAt: string | null, at: string): boolean {
  return previousViewAt === null || Math.abs(Date.parse(at) - Date.parse(previousViewAt)) >= CO_VIEW_WINDOW_MS;
}

function partnersOf(signal: InterestSignal, products: ReadonlySet<string>, state: ReadonlyMap<string, StoredProductInterest>): string[] {
  const at = Date.parse(signal.at);
  const recent: Array<{ product_id: string; viewed: string }> = [];
  for (const productId of products) {
    if (productId === signal.product_id) continue;
    const viewed = state.get(interestKey(productId, signal.identity))?.last_viewed_at;
    if (viewed && Math.abs(Date.parse(viewed) - at) < CO_VIEW_WINDOW_MS) recent.push({ product_id: productId, viewed });
  }
  recent.sort((a, b) => (a.viewed === b.viewed ? (a.product_id < b.product_id ? -1 : 1) : a.viewed > b.viewed ? -1 : 1));
  return recent.slice(0, MAX_CO_VIEW_PARTNERS).map((entry) => entry.product_id);
}

function rememberProduct(byIdentity: Map<string, Set<string>>, identity: string, productId: string): void {
  const products = byIdentity.get(identity) ?? new Set<string>();
  products.add(productId);
  byIdentity.set(identity, products);
}

function append(map: Map<string, string[]>, key: string, values: readonly string[]): void {
  map.set(key, [...(map.get(key) ?? []), ...values]);
}

/** A record whose every field equals its stored form needs no write (a redelivery). */
function sameRecord(before: StoredProductInterest | undefined, after: StoredProductInterest): boolean {
  if (before === undefined) return false;
  const fields = Object.keys(after) as Array<keyof StoredProductInterest>;
  return fields.every((field) => JSON.stringify(before[field]) === JSON.stringify(after[field]));
}
