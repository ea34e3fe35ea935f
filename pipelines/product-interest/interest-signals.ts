import type { NudgeEvent } from '../events/nudge-event.ts';
import type { FieldError } from '../events/dead-letters.ts';
import { identityKeysOf } from '../profiles/identity-key.ts';
import { readId, readObject, readText } from '../profiles/read-properties.ts';
import type { StockAtEvent } from './interest-store.ts';

/**
 * One thing an event says about one (product, identity) pair. `at` is the event's received_at,
 * not its occurred_at: the journeys that read these instants (browse follow-up waits, "in the last
 * N days" windows, first come at a restock) run on the time nudge received events (DESIGN.md §4),
 * and a device clock could otherwise put a shopper first in line or outside every window.
 */
export type InterestSignal = {
  kind: 'view' | 'carted' | 'requested' | 'bought';
  product_id: string;
  identity: string;
  event_id: string;
  at: string;
  /** The catalog said stock 0 for this product when the event was recorded. */
  out_of_stock: boolean;
  /** bought: the order line's category, for category best-sellers; null otherwise or unknown. */
  category: string | null;
};

/** A relevant event nudge cannot read a product from: never retried, dead-lettered by the caller. */
export class InvalidInterestEventError extends Error {
  override readonly name = 'InvalidInterestEventError';
  constructor(
    message: string,
    readonly errors: readonly FieldError[],
    readonly event: NudgeEvent,
  ) {
    super(message);
  }
}

const singleProductKinds = { product_viewed: 'view', product_added: 'carted', back_in_stock_requested: 'requested' } as const;

/**
 * The interest signals of these events, in event order. Kinds other than Product Viewed, Product
 * Added, Back In Stock Requested and Order Completed say nothing about interest and give none.
 * An event with no identity gives none (the collector refuses those; nothing could find it later).
 * A relevant event without a readable product id throws InvalidInterestEventError naming the field,
 * before any signal is returned, so a caller writes all of a batch or nothing.
 */
export function readInterestSignals(events: readonly NudgeEvent[], stock: StockAtEvent): InterestSignal[] {
  const signals: InterestSignal[] = [];
  for (const event of events) signals.push(...signalsOf(event, stock));
  return signals;
}

/** `user:<user_id>` when the event has a user id, else `anon:<anonymous_id>`; null when neither. */
export function interestIdentityOf(event: NudgeEvent): string | null {
  const keys = identityKeysOf(event);
  return keys.user ?? keys.anon;
}

function signalsOf(event: NudgeEvent, stock: StockAtEvent): InterestSignal[] {
  const identity = interestIdentityOf(event);
  const signal = (kind: InterestSignal['kind'], productId: string, category: string | null): InterestSignal => ({
    kind,
    product_id: productId,
    identity: identity!,
    event_id: event.event_id,
    at: event.received_at,
    out_of_stock: stock.get(productId) === 0,
    category,
  });

  if (event.kind === 'product_viewed' || event.kind === 'product_added' || event.kind === 'back_in_stock_requested') {
    const productId = readId(event.properties.product_id) ?? readId(event.properties.sku);
    if (productId === null) throw invalid(event, 'properties.product_id', 'Required: product_id (or sku)');
    return identity === null ? [] : [signal(singleProductKinds[event.kind], productId, null)];
  }
  if (event.kind === 'order_completed') {
    const products = event.properties.products;
    // An order without a product list says nothing about which products were bought.
    if (products === undefined || products === null) return [];
    if (!Array.isArray(products)) throw invalid(event, 'properties.products', 'Expected an array of products');
    const bought = new Map<string, string | null>();
    products.forEach((value, index) => {
      const product = readObject(value);
      const productId = product && (readId(product.product_id) ?? readId(product.sku));
      if (!productId) throw invalid(event, `properties.products[${index}].product_id`, 'Required: product_id (or sku)');
      // One order line per product: an order listing a product twice bought it once.
      bought.set(productId, readText(product.category) ?? bought.get(productId) ?? null);
    });
    return identity === null ? [] : [...bought].map(([productId, category]) => signal('bought', productId, category));
  }
  return [];
}

function invalid(event: NudgeEvent, path: string, message: string): InvalidInterestEventError {
  return new InvalidInterestEventError(`Event ${event.event_id} (${event.event_name ?? event.kind}): ${path}: ${message}`, [{ path, message }], event);
}
