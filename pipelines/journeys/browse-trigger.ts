import { interestIdentitiesOf, type JourneyTrigger } from './journey-trigger.ts';
import { latestViewTime, movedOnSince } from './plan-browse-timers.ts';
import { toProductData } from './product-data.ts';
import { emailEnvelope, readRecommendedProducts } from './recommended-products.ts';
import { parseDuration } from '../campaigns/duration.ts';
import { chooseOffer } from '../content/choose-offer.ts';
import type { ProductData } from '../content/email-data.ts';
import type { LiveDataFallback } from '../content/live-data.ts';
import type { ProductInterest } from '../product-interest/product-interest.ts';
import type { RecentView } from '../profiles/profile.ts';

/**
 * Browse follow-up: the shopper viewed products, added nothing, ordered nothing, and went quiet.
 * The email shows the session's most-viewed items — views within the trigger's `session` before
 * the latest one, ranked by how often the shopper viewed each (interest store; recency breaks
 * ties) — minus anything in their cart (the cart journey's email is about those), bought since, or
 * sold out now (back in stock speaks for those),
 * then recommendations around them and the campaign's offer.
 *
 * One send per arming view (the timer's armed_by_event_id): a timer fired twice sends once, and
 * browsing again later is a new email — which the campaign's resend_after and the journey window
 * keep rare.
 */
export const openBrowseTrigger: JourneyTrigger = async ({ timer, definition, profile, now, deadline }, deps) => {
  if (definition.trigger.kind !== 'browse_abandoned') throw new Error(`openBrowseTrigger: campaign ${definition.id} is ${definition.trigger.kind}`);
  const trigger = definition.trigger;
  const fallbacks: LiveDataFallback[] = [];
  const lastViewedAt = latestViewTime(profile);
  const sessionStart = lastViewedAt === null ? null : new Date(Date.parse(lastViewedAt) - parseDuration(trigger.session)).toISOString();
  const sessionViews = sessionStart === null ? [] : profile.recent_views.filter((view) => view.viewed_at >= sessionStart);
  // Every product the person has shown interest in, not only this session's: whatever they ever
  // bought (within the interest store's retention) is never recommended back to them.
  const allInterests = deps.interests && sessionViews.length > 0 ? await deps.interests.getInterests(interestIdentitiesOf(profile)) : [];
  const sessionIds = new Set(sessionViews.map((view) => view.product_id));
  const interests = allInterests.filter((interest) => sessionIds.has(interest.product_id));
  const everBought = allInterests.filter((interest) => interest.bought_at !== null).map((interest) => interest.product_id);
  const inCart = new Set(profile.cart && profile.cart.status === 'open' ? profile.cart.items.map((item) => item.product_id) : []);
  const bought = boughtAfterViewing(sessionViews, interests);
  const candidates = rankViews(sessionViews.filter((view) => !inCart.has(view.product_id) && !bought.has(view.product_id)), interests);

  return {
    sendKey: JSON.stringify([timer.trigger_key, timer.armed_by_event_id ?? timer.armed_at]),
    // ["browse", arming view's event id]: joins to the events table, so an analyst sees the session.
    triggerKey: JSON.stringify([timer.trigger_key, timer.armed_by_event_id ?? timer.armed_at]),
    judge: (person) => {
      const last = latestViewTime(person);
      if (last === null) return { trigger_exit: 'nothing_to_show' };
      return { trigger_exit: movedOnSince(person, last) };
    },
    build: async ({ email, unsubscribeUrl, codeFor }) => {
      if (candidates.length === 0) return { exit: sessionViews.some((view) => inCart.has(view.product_id)) ? 'in_cart_journey' : bought.size > 0 ? 'already_bought' : 'nothing_to_show' };
      // Live data for every candidate first: a viewed item that sold out since is left out (the
      // back-in-stock journey speaks for it) and the next most viewed takes its place.
      const live = await deps.liveData(candidates.map((view) => view.product_id), { deadline });
      fallbacks.push(...live.fallbacks);
      const shown = candidates.map((view) => toProductData(view.product_id, live.items.get(view.product_id) ?? null, view, deps.shop)).filter((item): item is ProductData => item !== null);
      const items = shown.filter((item) => item.available).slice(0, trigger.items);
      if (items.length === 0) return { exit: shown.length > 0 ? 'sold_out_again' : 'nothing_to_show' };
      const exclude = new Set([...inCart, ...bought, ...everBought, ...sessionViews.map((view) => view.product_id)]);
      const recommendations = await readRecommendedProducts(deps, { seedIds: items.map((item) => item.product_id), exclude, limit: definition.recommendations, deadline }, fallbacks);
      const first = items[0]!;
      const offer = chooseOffer(definition.offers, { cart_value: first.price ?? 0, currency: first.currency, has_ordered_before: profile.orders.count > 0, codeFor }, now);
      return { data: { ...emailEnvelope(profile, email, unsubscribeUrl, deps.shop), items, recommendations, offer } };
    },
    fallbacks: () => fallbacks,
  };
};

/** Products the shopper bought after viewing them (an order, then looking again, still counts as bought). */
function boughtAfterViewing(views: readonly RecentView[], interests: readonly ProductInterest[]): Set<string> {
  const bought = new Set<string>();
  for (const view of views) {
    if (interests.some((interest) => interest.product_id === view.product_id && interest.bought_at !== null && interest.bought_at >= view.viewed_at)) bought.add(view.product_id);
  }
  return bought;
}

/** Most viewed first (summed over the person's identities), then most recently viewed, then product id. */
function rankViews(views: readonly RecentView[], interests: readonly ProductInterest[]): RecentView[] {
  const count = (productId: string) => interests.filter((interest) => interest.product_id === productId).reduce((sum, interest) => sum + interest.view_count, 0);
  return [...views].sort((a, b) => count(b.product_id) - count(a.product_id) || (a.viewed_at < b.viewed_at ? 1 : a.viewed_at > b.viewed_at ? -1 : 0) || (a.product_id < b.product_id ? -1 : 1));
}
