import { buildCartEmailData } from './build-email-data.ts';
import { cartSendKey, cartTriggerKey } from './cart-trigger-key.ts';
import type { JourneyTrigger } from './journey-trigger.ts';
import type { LiveDataFallback } from '../content/live-data.ts';
import type { Cart, Profile } from '../profiles/profile.ts';

/**
 * Cart abandonment: the email is about one filling of one cart (cart-trigger-key.ts). The cart is
 * read from the profile at send time, prices and stock live (LiveData).
 */
export const openCartTrigger: JourneyTrigger = async ({ timer, definition, profile, email, now, deadline }, deps) => {
  const cart = timersCart(profile, timer.trigger_key);
  const fallbacks: LiveDataFallback[] = [];
  return {
    // Keyed on the cart filling, not the person: two devices merged into one person may each have
    // armed a timer for the same cart, before or after the email went out, and the ledger must see
    // them as one send (cart-trigger-key.ts). A timer whose cart is gone only records a skip.
    sendKey: cart ? cartSendKey(cart, { email, person_id: profile.person_id }) : JSON.stringify([timer.trigger_key, `person:${profile.person_id}`]),
    judge: (person) => {
      const current = timersCart(person, timer.trigger_key);
      return { cart: current ? { status: current.status, items_count: current.items.length } : null, trigger_exit: null };
    },
    build: async ({ email: address, unsubscribeUrl, codeFor }) => {
      const live = await deps.liveData(cart!.items.map((item) => item.product_id), { deadline });
      fallbacks.push(...live.fallbacks);
      return { data: buildCartEmailData({ definition, profile, email: address, cart: cart!, catalog: live.items, shop: deps.shop, unsubscribeUrl, now, codeFor }) };
    },
    fallbacks: () => fallbacks,
  };
};

/** The cart this timer is about, as it is now; null when the person's cart is another filling or gone. */
function timersCart(profile: Profile, triggerKey: string): Cart | null {
  return cartTriggerKey(profile.cart) === triggerKey ? profile.cart : null;
}
