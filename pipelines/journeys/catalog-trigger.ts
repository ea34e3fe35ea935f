import { createHash } from 'node:crypto';
import { readCatalogTriggerKey } from './catalog-trigger-key.ts';
import { interestIdentitiesOf, type JourneyTrigger } from './journey-trigger.ts';
import { toProductData } from './product-data.ts';
import { emailEnvelope, readRecommendedProducts } from './recommended-products.ts';
import { chooseOffer } from '../content/choose-offer.ts';
import type { ProductData } from '../content/email-data.ts';
import type { LiveDataFallback } from '../content/live-data.ts';
import type { DecisionReason } from '../decisions/decision.ts';
import type { EventKind } from '../events/nudge-event.ts';
import type { ProductInterest } from '../product-interest/product-interest.ts';
import type { Profile } from '../profiles/profile.ts';

/**
 * Back in stock and price drop: the email is about one product, as it is now. Opened with the
 * product's live data, so the step skips when it sold out again (or, for a drop, when the price is
 * no longer down by the campaign's minimum) — the shopper is never sent to a page that
 * contradicts the email. Never to someone who bought the product after showing interest in it.
 *
 * One send per restock or drop per recipient: the send key is the trigger key and the address
 * (hashed, as for a cart's first filling), so two devices merged into one person get one email.
 */
export const openCatalogTrigger: JourneyTrigger = async ({ timer, definition, profile, email, now, deadline }, deps) => {
  const trigger = readCatalogTriggerKey(timer.trigger_key);
  if (!trigger) throw new Error(`openCatalogTrigger: timer ${timer.timer_id} has no catalog trigger key`);
  const fallbacks: LiveDataFallback[] = [];
  // All the person's interests: this product's say whether they bought it since; the others keep
  // whatever they ever bought out of the recommendations.
  const allInterests = deps.interests ? await deps.interests.getInterests(interestIdentitiesOf(profile)) : [];
  const interests = allInterests.filter((interest) => interest.product_id === trigger.product_id);
  const live = await deps.liveData([trigger.product_id], { deadline });
  fallbacks.push(...live.fallbacks);
  const item = live.items.get(trigger.product_id) ?? null;
  const exit = ((): DecisionReason | null => {
    if (boughtSinceInterest(interests)) return 'already_bought';
    if (!item) return 'nothing_to_show';
    if (item.stock !== null && item.stock <= 0) return 'sold_out_again';
    if (trigger.kind === 'price_drop' && definition.trigger.kind === 'price_drop') {
      if (item.price === null || item.price > trigger.previous_price * (1 - definition.trigger.min_drop_percent / 100) + 1e-9) return 'price_back_up';
    }
    return null;
  })();
  const who = email === null ? `person:${profile.person_id}` : `email:${createHash('sha256').update(email).digest('hex')}`;

  return {
    sendKey: JSON.stringify([timer.trigger_key, who]),
    judge: (person) => ({ trigger_exit: exit ?? (exitEventSince(person, definition.exit_events, timer.armed_at) ? 'exited' : null) }),
    build: async ({ email: address, unsubscribeUrl, codeFor }) => {
      const shown = toProductData(trigger.product_id, item, null, deps.shop);
      if (!shown) return { exit: 'nothing_to_show' };
      const product: ProductData =
        trigger.kind === 'price_drop' && shown.price !== null
          ? { ...shown, previous_price: trigger.previous_price, drop_percent: dropPercentOf(trigger.previous_price, shown.price) }
          : shown;
      const inCart = profile.cart && profile.cart.status === 'open' ? profile.cart.items.map((line) => line.product_id) : [];
      const bought = allInterests.filter((interest) => interest.bought_at !== null).map((interest) => interest.product_id);
      const recommendations = await readRecommendedProducts(deps, { seedIds: [trigger.product_id], exclude: new Set([trigger.product_id, ...inCart, ...bought]), limit: definition.recommendations, deadline }, fallbacks);
      const offer = chooseOffer(definition.offers, { cart_value: product.price ?? 0, currency: product.currency, has_ordered_before: profile.orders.count > 0, codeFor }, now);
      return { data: { ...emailEnvelope(profile, address, unsubscribeUrl, deps.shop), item: product, recommendations, offer } };
    },
    fallbacks: () => fallbacks,
  };
};

/**
 * The cut in whole percent, rounded down, at least 1. The same hair of tolerance as the detection
 * (detect-catalog-triggers.ts): 19.90 → 17.91 is 9.999…% in floating point and shows as 10%.
 */
export function dropPercentOf(previousPrice: number, price: number): number {
  return Math.max(1, Math.floor(((previousPrice - price) / previousPrice) * 100 + 1e-9));
}

/** The person bought the product after their latest view, add or request of it. */
export function boughtSinceInterest(interests: readonly ProductInterest[]): boolean {
  const latestInterest = interests.reduce<string | null>((latest, interest) => {
    for (const at of [interest.last_viewed_at, interest.last_carted_at, interest.requested_at]) if (at !== null && (latest === null || at > latest)) latest = at;
    return latest;
  }, null);
  return interests.some((interest) => interest.bought_at !== null && (latestInterest === null || interest.bought_at >= latestInterest));
}

/**
 * Whether one of the campaign's exit events reached the person since the journey started, read
 * from the profile (catalog journeys are armed by the fan-out, not by the shopper's fold, so no
 * fold cancels their timers): an order, a checkout, or cart activity stamped at or after `since`.
 * These are the exit events a catalog campaign may declare (campaign-definition.ts).
 */
export function exitEventSince(profile: Pick<Profile, 'orders' | 'state' | 'cart'>, exitEvents: readonly EventKind[], since: string): boolean {
  const at = (instant: string | null | undefined) => instant !== null && instant !== undefined && instant >= since;
  if (exitEvents.includes('order_completed') && at(profile.orders.last_order_at)) return true;
  if (exitEvents.includes('checkout_started') && (at(profile.state.carts_checked_out?.at) || (profile.cart?.status === 'checked_out' && at(profile.cart.updated_at)))) return true;
  return cartActivityExits.some((kind) => exitEvents.includes(kind)) && at(profile.cart?.updated_at);
}

const cartActivityExits: readonly EventKind[] = ['product_added', 'product_removed', 'cart_viewed'];
