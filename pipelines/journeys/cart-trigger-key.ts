import { createHash } from 'node:crypto';
import type { Cart } from '../profiles/profile.ts';

type CartFilling = Pick<Cart, 'cart_id' | 'items' | 'opened_after_event_id'>;

/**
 * What one person's cart journey is about: one filling of one cart. A cart id ("default" when the
 * shop sends none) holds a new cart after each order or emptying, and each gets its own first
 * email; the event that closed the previous filling names the next one (Cart.opened_after_event_id).
 * It stays the same when an earlier-stamped add arrives late or a merge joins a second device's
 * open cart, so a cart already emailed is not taken for a new one. Null for a cart with nothing in
 * it. Timers are per person, so this key need not be unique across people: the send key is.
 */
export function cartTriggerKey(cart: CartFilling | null): string | null {
  if (!cart || cart.items.length === 0) return null;
  return fillingKey(cart);
}

const fillingKey = (cart: CartFilling) => JSON.stringify([cart.cart_id, cart.opened_after_event_id]);

/**
 * What the send ids of a cart journey are built from (delivery/send-id.ts): one filling of one
 * cart, the same for every person it ends up with. After an order or an emptying the closing
 * event's id does it (event ids are unique across people). A cart id's first filling has none, so
 * the recipient does: the person who survives a merge of two devices has the same address, and two
 * shoppers' "default" carts are told apart by theirs. The address enters only as a hash, so the
 * key (and the send id) carries no personal data. Without an address nothing is sent, and the
 * person id keeps skip decisions of different people apart.
 */
export function cartSendKey(cart: CartFilling, recipient: { email: string | null; person_id: string }): string {
  if (cart.opened_after_event_id !== null) return fillingKey(cart);
  const who = recipient.email === null ? `person:${recipient.person_id}` : `email:${createHash('sha256').update(recipient.email).digest('hex')}`;
  return JSON.stringify([cart.cart_id, null, who]);
}
