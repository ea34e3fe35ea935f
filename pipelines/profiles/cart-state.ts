import { mergeLatestBy, unionBy } from './collections.ts';
import type { Cart, CartItem, CartState, CartStatus, EventStamp, Profile } from './profile.ts';
import type { ProfileConfig } from './profile-config.ts';
import { compareStamps, daysBefore, isAfter, laterOf, roundMicros, stampOf } from './stamp.ts';

/**
 * Carts as a mergeable structure: quantities are sums of signed deltas keyed by event id (so
 * out-of-order delivery converges), everything else is last-writer-wins. Orders and checkouts
 * without a cart_id (the Segment spec gives Order Completed none) are kept once, profile-wide,
 * and applied to every cart when the view is derived, so a cart that shows up later is judged
 * against them too.
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
  // over the union (what dropSuperseded removes is older than something that stays in it), so
  // every merge order expires the same pieces.
  const newest = [...byId.values()].reduce<EventStamp | null>(
    (latest, cart) => laterOf(latest, lastActivity(cart)),
    laterOf(carts_ordered, carts_checked_out),
  );
  const merged = [...byId.values()].map((cart) => dropSuperseded(cart, carts_ordered));
  const expiresBefore = newest ? daysBefore(newest.at, config.cartTtlDays) : null;
  const carts = merged
    .map((cart) => (expiresBefore ? dropExpired(cart, expiresBefore) : cart))
    .filter((cart) => lastActivity(cart) !== null)
    .sort((x, y) => (x.cart_id < y.cart_id ? -1 : x.cart_id > y.cart_id ? 1 : 0));
  return { carts, carts_ordered, carts_checked_out };
}

export function emptyCart(cartId: string): CartState {
  return { cart_id: cartId, base: null, deltas: [], clears: [], lines: [], status: null, currency: null };
}

function mergeCart(a: CartState, b: CartState): CartState {
  return {
    cart_id: a.cart_id,
    base: laterOf(a.base, b.base),
    deltas: unionBy(a.deltas, b.deltas, (d) => `${d.event_id}\u0000${d.product_id}`),
    clears: mergeLatestBy(a.clears, b.clears, (c) => c.product_id),
    lines: mergeLatestBy(a.lines, b.lines, (l) => l.product_id),
    status: laterOf(a.status, b.status),
    currency: laterOf(a.currency, b.currency),
  };
}

/** Drops what a later base, order or clear has made irrelevant; keeps the delta list short. */
function dropSuperseded(cart: CartState, ordered: EventStamp | null): CartState {
  const base = cart.base && isAfter(cart.base, ordered) ? cart.base : null;
  const reset = laterOf(base ? stampOf(base) : null, ordered);
  const clears = cart.clears.filter((clear) => isAfter(clear, reset));
  const clearOf = new Map(clears.map((clear) => [clear.product_id, clear]));
  const deltas = cart.deltas.filter((delta) => isAfter(delta, reset) && isAfter(delta, clearOf.get(delta.product_id)));
  return { ...cart, base, clears, deltas };
}

function dropExpired(cart: CartState, before: string): CartState {
  const fresh = <T extends EventStamp>(piece: T): boolean => piece.at >= before;
  return {
    cart_id: cart.cart_id,
    base: cart.base && fresh(cart.base) ? cart.base : null,
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
  see(cart.base);
  see(cart.status);
  see(cart.currency);
  for (const piece of [...cart.deltas, ...cart.clears, ...cart.lines]) see(piece);
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
  const items = cartItems(cart);
  const value = roundMicros(items.reduce((sum, item) => sum + (item.price ?? 0) * item.quantity, 0));
  return {
    cart_id: cart.cart_id,
    items,
    value,
    currency: cart.currency?.value ?? null,
    status: cartStatus(cart, state),
    updated_at: activity.at,
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

/** Lines with a positive quantity, in the order they entered the cart. */
function cartItems(cart: CartState): CartItem[] {
  const clearOf = new Map(cart.clears.map((clear) => [clear.product_id, clear]));
  const tally = new Map<string, { quantity: number; since: EventStamp }>();
  const add = (productId: string, quantity: number, stamp: EventStamp) => {
    const seen = tally.get(productId);
    if (!seen) tally.set(productId, { quantity, since: stamp });
    else tally.set(productId, { quantity: seen.quantity + quantity, since: compareStamps(stamp, seen.since) < 0 ? stamp : seen.since });
  };
  if (cart.base) {
    for (const item of cart.base.items) if (!clearOf.has(item.product_id)) add(item.product_id, item.quantity, stampOf(cart.base));
  }
  for (const delta of cart.deltas) add(delta.product_id, delta.quantity, stampOf(delta));
  const details = new Map(cart.lines.map((line) => [line.product_id, line]));
  return [...tally.entries()]
    .filter(([, line]) => line.quantity > 0)
    .sort(([p, x], [q, y]) => compareStamps(x.since, y.since) || (p < q ? -1 : p > q ? 1 : 0))
    .map(([productId, { quantity }]) => {
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
}
