import type { CampaignDefinition } from '../campaigns/campaign-definition.ts';
import { parseDuration } from '../campaigns/duration.ts';
import type { PersonFolded } from '../profiles/fold-events.ts';
import { journeyTimerId, type JourneyTimer } from './journey-timer.ts';

export type TimerPlan = { put: JourneyTimer[]; remove: string[] };


/**
 * What a fold means for the cart-abandonment timers of one person. Runs inside the profile
 * transaction, so the timer and the cart it is about always agree:
 * - the cart changed and is open with items → (re)arm step 0 at last cart activity + wait
 *   (one timer per campaign, person and cart: re-arming pushes the reminder back);
 * - the cart is gone, empty, checked out or ordered, or an exit event arrived → cancel.
 * Pure: decided from the profile before and after, so redelivery plans the same thing.
 */
export function planCartTimers(campaigns: readonly CampaignDefinition[], change: PersonFolded): TimerPlan {
  const plan: TimerPlan = { put: [], remove: [] };
  const before = change.before?.cart ?? null;
  const after = change.after.cart;
  const cartIds = [...new Set([before?.cart_id, after?.cart_id].filter((id): id is string => typeof id === 'string'))];
  for (const campaign of campaigns) {
    if (campaign.trigger.kind !== 'cart_abandoned') continue;
    const exited = change.events.some((event) => campaign.exit_events.includes(event.kind));
    const open = after !== null && after.status === 'open' && after.items.length > 0;
    const changed = after !== null && (before === null || before.cart_id !== after.cart_id || before.updated_at !== after.updated_at);
    if (exited || !open) {
      for (const cartId of cartIds) plan.remove.push(journeyTimerId(campaign.id, change.person_id, cartId));
      continue;
    }
    if (!changed) continue;
    if (before && before.cart_id !== after.cart_id) plan.remove.push(journeyTimerId(campaign.id, change.person_id, before.cart_id));
    const lastCartEvent = [...change.events].reverse().find((event) => event.kind === 'product_added' || event.kind === 'product_removed' || event.kind === 'cart_viewed');
    plan.put.push({
      timer_id: journeyTimerId(campaign.id, change.person_id, after.cart_id),
      campaign_id: campaign.id,
      person_id: change.person_id,
      trigger_key: after.cart_id,
      step: 0,
      due_at: new Date(new Date(after.updated_at).getTime() + parseDuration(campaign.wait)).toISOString(),
      armed_at: after.updated_at,
      armed_by_event_id: lastCartEvent?.event_id ?? null,
    });
  }
  return plan;
}
