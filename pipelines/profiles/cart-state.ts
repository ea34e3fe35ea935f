import { latestFirst, mergeLatestBy, unionBy } from './collections.ts';
import type { Cart, CartBase, CartClear, CartDelta, CartItem, CartState, CartStatus, EventStamp, Profile } from './profile.ts';
import type { ProfileConfig } from './profile-config.ts';
import { compareStamps, compareText, daysBefore, isAfter, laterOf, roundMicros, stampOf } from './stamp.ts';

/**
 * Carts as a mergeable structure. Each cart keeps a log of what happened to it since the
 * person's last order — snapshots (Cart Viewed, Checkout Started), signed quantity changes
 * (Product Added +q, Product Removed −q) and cleared lines — unioned by event on merge and
 * replayed in stamp order when the view is derived, so out-of-order delivery converges. Product
 * descriptions, status and currency are last-writer-wins. Orders and checkouts without a cart_id
 * (the Segment spec gives Order Completed none) are kept once, profile-wide: an order drops
 * everything logged at or before it, so a cart filled after an order starts from nothing.
 *
 * The log is not compacted by snapshots: the replay must see when the cart was last emptied (that
 * event names the cart's next filling and its journey, see Cart.opened_after_event_id), and a
 * snapshot hides it. Its size is bounded by the cart TTL and by two caps that keep the latest
 * entries — top-N by stamp of a union is the same whatever order the union was built in.
 */
export type CartsState = Pick<Profile['state'], 'carts' | 'carts_ordered' | 'carts_checked_out'>;

export const DEFAULT_CART_ID = 'default';

export function mergeCartsState(a: CartsState, b: CartsState, config: ProfileConfig): CartsState {
  const carts_ordered = laterOf(a.carts_ordered, b.carts_ordered);
  const carts_checked_out = laterOf(a.carts_checked_out, b.carts_checked_out);
  const byId = new Map<string, CartState>();
  for (const cart of [...a.carts, ...b.carts]) {
    const seen = byId.get(cart.cart_id);
    // Merging with an empty cart also puts a lone cart's lists in canonical order.
    byId.set(cart.cart_id, mergeCart(seen ?? emptyCart(cart.cart_id), cart));
  }
  // Expiry is relative to the newest cart activity, orders and checkouts included: a maximum
  // over the union (what dropOrdered removes is older than something that stays in it), so
  // every merge order expires the same pieces.
  const newest = [...byId.values()].reduce<EventStamp | null>(
    (latest, cart) => laterOf(latest, lastActivity(cart)),
    laterOf(carts_ordered, carts_checked_out),
  );
  const expiresBefore = newest ? daysBefore(newest.at, config.cartTtlDays) : null;
  const carts = [...byId.values()]
    .map((cart) => capLog(dropOrdered(cart, carts_ordered), config))
    .map((cart) => (expiresBefore ? dropExpired(cart, expiresBefore) : cart))
    .filter((cart) => lastActivity(cart) !== null)
    .sort((x, y) => compareText(x.cart_id, y.cart_id));
  return { carts, carts_ordered, carts_checked_out };
}

export function emptyCart(cartId: string): CartState {
  return { cart_id: cartId, bases: [], deltas: [], clears: [], lines: [], status: null, currency: null };
}

const stampKey = (piece: EventStamp) => `${piece.at}\u0000${piece.event_id}`;

function mergeCart(a: CartState, b: CartState): CartState {
  return {
    cart_id: a.cart_id,
    bases: unionBy(a.bases, b.bases, stampKey),
    deltas: unionBy(a.deltas, b.deltas, (d) => `${d.event_id}\u0000${d.product_id}`),
    clears: unionBy(a.clears, b.clears, (c) => `${c.event_id}\u0000${c.product_id}`),
    lines: mergeLatestBy(a.lines, b.lines, (l) => l.product_id),
    status: laterOf(a.status, b.status),
    currency: laterOf(a.currency, b.currency),
  };
}

/** An order empties every cart active before it: its log up to the order no longer matters. */
function dropOrdered(cart: CartState, ordered: EventStamp | null): CartState {
  if (!ordered) return cart;
  const after = <T extends EventStamp>(piece: T) => isAfter(piece, ordered);
  return { ...cart, bases: cart.bases.filter(after), deltas: cart.deltas.filter(after), clears: cart.clears.filter(after) };
}

function capLog(cart: CartState, config: ProfileConfig): CartState {
  const keep = <T extends EventStamp>(pieces: T[], max: number, keyOf: (piece: T) => string) =>
    pieces.length <= max ? pieces : latestFirst(pieces, max, keyOf).sort((x, y) => compareText(keyOf(x), keyOf(y)));
  return {
    ...cart,
    bases: keep(cart.bases, config.cartSnapshotsMax, stampKey),
    deltas: keep(cart.deltas, config.cartChangesMax, (d) => `${d.event_id}\u0000${d.product_id}`),
    clears: keep(cart.clears, config.cartChangesMax, (c) => `${c.event_id}\u0000${c.product_id}`),
  };
}

function dropExpired(cart: CartState, before: string): CartState {
  const fresh = <T extends EventStamp>(piece: T): boolean => piece.at >= before;
  return {
    cart_id: cart.cart_id,
    bases: cart.bases.filter(fresh),
    deltas: cart.deltas.filter(fresh),
    clears: cart.clears.filter(fresh),
    lines: cart.lines.filter(fresh),
    status: cart.status && fresh(cart.status) ? cart.status : null,
    currency: cart.currency && fresh(cart.currency) ? cart.currency : null,
  };
}

/** The latest stamp among the cart's own pieces; null for a cart with nothing left. */
export function lastActivity(cart: CartState): EventStamp | null {
  let latest: EventStamp | null = null;
  const see = (piece: EventStamp | null) => {
    if (piece) latest = laterOf(latest, stampOf(piece));
  };
  see(cart.status);
  see(cart.currency);
  for (const piece of [...cart.bases, ...cart.deltas, ...cart.clears, ...cart.lines]) see(piece);
  return latest;
}

/** The person's most recently active cart, as journeys and templates read it. */
export function deriveCartView(state: CartsState): Cart | null {
  let chosen: { cart: CartState; activity: EventStamp } | null = null;
  for (const cart of state.carts) {
    const activity = lastActivity(cart);
    if (!activity) continue;
    const order = chosen ? compareStamps(activity, chosen.activity) || (cart.cart_id > chosen.cart.cart_id ? 1 : -1) : 1;
    if (order > 0) chosen = { cart, activity };
  }
  if (!chosen) return null;
  const { cart, activity } = chosen;
  const { items, openedAfter } = replayCart(cart, state.carts_ordered?.event_id ?? null);
  const value = roundMicros(items.reduce((sum, item) => sum + (item.price ?? 0) * item.quantity, 0));
  return {
    cart_id: cart.cart_id,
    items,
    value,
    currency: cart.currency?.value ?? null,
    status: cartStatus(cart, state),
    updated_at: activity.at,
    opened_after_event_id: items.length > 0 ? openedAfter : null,
  };
}

function cartStatus(cart: CartState, state: CartsState): CartStatus {
  const candidates = [
    cart.status,
    state.carts_checked_out && { ...state.carts_checked_out, value: 'checked_out' as const },
    state.carts_ordered && { ...state.carts_ordered, value: 'ordered' as const },
  ];
  return candidates.reduce((latest, candidate) => laterOf(latest, candidate), null)?.value ?? 'open';
}

type LogEntry = { stamp: EventStamp; rank: number; apply: (lines: Map<string, Line>) => void };
type Line = { quantity: number; since: EventStamp };

/**
 * Replays the cart's log in stamp order (one event's snapshot before its changes): quantities
 * never go below zero, a snapshot sets them all, a clear empties one line. `openedAfter` is the
 * event that last emptied the cart (or, when none in the log did, the order everything logged
 * follows): it names the current filling. Not the event that filled it: an earlier-stamped add
 * arriving late, or a second device's cart joined by a merge, would rename a cart already emailed.
 */
function replayCart(cart: CartState, lastOrderEventId: string | null): { items: CartItem[]; openedAfter: string | null } {
  const entries: LogEntry[] = [
    ...cart.bases.map((base: CartBase): LogEntry => ({ stamp: stampOf(base), rank: 0, apply: (lines) => setSnapshot(lines, base) })),
    ...cart.deltas.map((delta: CartDelta): LogEntry => ({ stamp: stampOf(delta), rank: 1, apply: (lines) => addQuantity(lines, delta.product_id, delta.quantity, stampOf(delta)) })),
    ...cart.clears.map((clear: CartClear): LogEntry => ({ stamp: stampOf(clear), rank: 2, apply: (lines) => void lines.delete(clear.product_id) })),
  ].sort((x, y) => compareStamps(x.stamp, y.stamp) || x.rank - y.rank);
  const lines = new Map<string, Line>();
  let openedAfter = lastOrderEventId;
  for (const entry of entries) {
    const wasEmpty = lines.size === 0;
    entry.apply(lines);
    if (!wasEmpty && lines.size === 0) openedAfter = entry.stamp.event_id;
  }
  const details = new Map(cart.lines.map((line) => [line.product_id, line]));
  const items = [...lines.entries()]
    .sort(([p, x], [q, y]) => compareStamps(x.since, y.since) || compareText(p, q))
    .map(([productId, { quantity }]): CartItem => {
      const line = details.get(productId);
      return {
        product_id: productId,
        name: line?.name ?? null,
        price: line?.price ?? null,
        quantity,
        image_url: line?.image_url ?? null,
        url: line?.url ?? null,
        category: line?.category ?? null,
      };
    });
  return { items, openedAfter };
}

/** Lines hold positive quantities only: a line that reaches zero is gone. */
function addQuantity(lines: Map<string, Line>, productId: string, quantity: number, stamp: EventStamp): void {
  const seen = lines.get(productId);
  const next = (seen?.quantity ?? 0) + quantity;
  if (next <= 0) lines.delete(productId);
  else lines.set(productId, { quantity: next, since: seen?.since ?? stamp });
}

function setSnapshot(lines: Map<string, Line>, base: CartBase): void {
  const before = new Map(lines);
  lines.clear();
  for (const item of base.items) {
    if (item.quantity > 0) lines.set(item.product_id, { quantity: item.quantity, since: before.get(item.product_id)?.since ?? stampOf(base) });
  }
}
