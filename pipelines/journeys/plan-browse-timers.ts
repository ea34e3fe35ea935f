import { journeyTimerId } from './journey-timer.ts';
import { latestReceived, type TimerPlan } from './plan-cart-timers.ts';
import type { CampaignDefinition } from '../campaigns/campaign-definition.ts';
import { parseDuration } from '../campaigns/duration.ts';
import type { PersonFolded } from '../profiles/fold-events.ts';
import { emailOf } from '../profiles/email-of.ts';
import { eventStampTime } from '../profiles/profile-from-event.ts';
import type { Profile } from '../profiles/profile.ts';

/** A person has one browse journey at a time: each view pushes it back, like cart activity. */
export const BROWSE_TRIGGER_KEY = 'browse';

/**
 * What a fold means for the browse follow-up of one person. Runs inside the profile transaction,
 * like planCartTimers:
 * - a product view in this fold (re)arms the timer at the time nudge RECEIVED the latest view
 *   + wait (received, not occurred: a slow device clock must not skip the wait) — for people with
 *   an email address only, and so also when a shopper who browsed gives their address;
 * - a cart change, a checkout or an order stamped at or after the person's latest view ends it:
 *   the cart journey takes over, or the shopper bought. Judged from the resulting profile as well
 *   as from the events, because a view reaches the browse topic later than an add reaches the
 *   priority topic (coalescing): a view folded after an add that came after it arms nothing.
 * Pure: decided from the profile after the fold and the events, so redelivery plans the same.
 */
export function planBrowseTimers(campaigns: readonly CampaignDefinition[], change: PersonFolded): TimerPlan {
  const plan: TimerPlan = { put: [], remove: [] };
  const lastViewedAt = latestViewTime(change.after);
  const views = change.events.filter((event) => event.kind === 'product_viewed');
  for (const campaign of campaigns) {
    if (campaign.trigger.kind !== 'browse_abandoned') continue;
    const timerId = journeyTimerId(campaign.id, change.person_id, BROWSE_TRIGGER_KEY);
    const exited = change.events.some((event) => campaign.exit_events.includes(event.kind) && (eventStampTime(event) ?? '') >= (lastViewedAt ?? ''));
    if (exited || (lastViewedAt !== null && movedOnSince(change.after, lastViewedAt))) {
      plan.remove.push(timerId);
      continue;
    }
    // Most views come from visitors nudge has no address for: a timer for each would only ever
    // decide no_email, at browse volume. A visitor who gives an address after browsing (logs in,
    // subscribes) is armed by that fold, counting the wait from it.
    if (lastViewedAt === null || emailOf(change.after) === null) continue;
    const gaveAddress = change.before === null || emailOf(change.before) === null;
    const latest = latestReceived(views) ?? (gaveAddress ? latestReceived(change.events) : null);
    if (!latest) continue;
    plan.put.push({
      timer_id: timerId,
      campaign_id: campaign.id,
      person_id: change.person_id,
      trigger_key: BROWSE_TRIGGER_KEY,
      step: 0,
      due_at: new Date(Date.parse(latest.received_at) + parseDuration(campaign.wait)).toISOString(),
      armed_at: latest.received_at,
      armed_by_event_id: latest.event_id,
    });
  }
  return plan;
}

/** The person's latest product view (event time), or null. */
export function latestViewTime(profile: Pick<Profile, 'recent_views'>): string | null {
  return profile.recent_views.reduce<string | null>((latest, view) => (latest === null || view.viewed_at > latest ? view.viewed_at : latest), null);
}

/**
 * The shopper acted on what they viewed: cart activity or an order at or after their latest view.
 * The browse email would then be the wrong one (the cart journey's, or none).
 */
export function movedOnSince(profile: Pick<Profile, 'cart' | 'orders'>, lastViewedAt: string): 'in_cart_journey' | 'already_bought' | null {
  if (profile.orders.last_order_at !== null && profile.orders.last_order_at >= lastViewedAt) return 'already_bought';
  const cart = profile.cart;
  if (cart && cart.status === 'open' && cart.items.length > 0 && cart.updated_at >= lastViewedAt) return 'in_cart_journey';
  return null;
}
