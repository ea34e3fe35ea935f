import type { Cart } from '../profiles/profile.ts';

/**
 * What a cart journey is about: one filling of one cart. A cart id ("default" when the shop
 * sends none) holds a new cart after each order or emptying, and each gets its own first email;
 * the event that filled it names it. Event ids are unique across people, so the key — and the
 * send ids built from it — stay the same whichever person survives an identity merge. Null for a
 * cart with nothing in it.
 */
export function cartTriggerKey(cart: Pick<Cart, 'cart_id' | 'opened_by_event_id'> | null): string | null {
  if (!cart || cart.opened_by_event_id === null) return null;
  return JSON.stringify([cart.cart_id, cart.opened_by_event_id]);
}
