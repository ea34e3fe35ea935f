import { cartTriggerKey } from './cart-trigger-key.ts';
import { journeyTimerId, type JourneyTimer } from './journey-timer.ts';
import type { CampaignDefinition } from '../campaigns/campaign-definition.ts';
import { parseDuration } from '../campaigns/duration.ts';
import type { EventKind, NudgeEvent } from '../events/nudge-event.ts';
import type { PersonFolded } from '../profiles/fold-events.ts';
import { cartIdOfEvent, eventStampTime } from '../profiles/profile-from-event.ts';

export type TimerPlan = { put: JourneyTimer[]; remove: string[] };

/** Events that change what is in a cart: they (re)start the wait. */
const cartActivity: ReadonlySet<EventKind> = new Set(['product_added', 'product_removed', 'cart_viewed']);

/**
 * What a fold means for the cart-abandonment timers of one person. Runs inside the profile
 * transaction, so the timer and the cart it is about always agree. Decided from the resulting
 * cart, not from which kinds of event the batch held:
 * - the cart is gone, empty, checked out or ordered → cancel its timer (the cart view already
 *   weighs an order against the adds around it, so [add A, order, add B] leaves B's cart open);
 * - an exit event (e.g. checkout) that came after the cart's last activity → cancel;
 * - this fold received activity for the open cart → (re)arm step 0 at the time nudge RECEIVED
 *   that activity + wait. Received, not occurred: a device clock an hour slow must not skip the
 *   wait. Re-arming pushes the reminder back;
 * - the cart filled again after an order or emptying is a new trigger key, so its timer (and its
 *   send ids) are new and the old one is cancelled;
 * - a fold without cart activity (an identify that merged two people) arms nothing: the timers
 *   already armed for that cart keep running and send once, whoever survives (the send id is
 *   keyed on the cart filling, not the person: cartSendKey).
 * Pure: decided from the profile before and after and the events, so redelivery plans the same.
 */
export function planCartTimers(campaigns: readonly CampaignDefinition[], change: PersonFolded): TimerPlan {
  const plan: TimerPlan = { put: [], remove: [] };
  const after = change.after.cart;
  const beforeKey = cartTriggerKey(change.before?.cart ?? null);
  const afterKey = cartTriggerKey(after);
  const open = after !== null && afterKey !== null && after.status === 'open' && after.items.length > 0;
  const activity = open ? change.events.filter((event) => cartActivity.has(event.kind) && cartIdOfEvent(event) === after.cart_id) : [];
  for (const campaign of campaigns) {
    if (campaign.trigger.kind !== 'cart_abandoned') continue;
    const timerOf = (key: string) => journeyTimerId(campaign.id, change.person_id, key);
    const keys = [...new Set([beforeKey, afterKey].filter((key): key is string => key !== null))];
    if (!open || exitedAfter(campaign, change.events, after.updated_at)) {
      plan.remove.push(...keys.map(timerOf));
      continue;
    }
    if (beforeKey !== null && beforeKey !== afterKey) plan.remove.push(timerOf(beforeKey));
    const latest = latestReceived(activity);
    if (!latest) continue;
    plan.put.push({
      timer_id: timerOf(afterKey),
      campaign_id: campaign.id,
      person_id: change.person_id,
      trigger_key: afterKey,
      step: 0,
      due_at: new Date(Date.parse(latest.received_at) + parseDuration(campaign.wait)).toISOString(),
      armed_at: latest.received_at,
      armed_by_event_id: latest.event_id,
    });
  }
  return plan;
}

/** An exit event of this batch that happened after the cart's last activity. */
function exitedAfter(campaign: CampaignDefinition, events: readonly NudgeEvent[], cartUpdatedAt: string): boolean {
  return events.some((event) => campaign.exit_events.includes(event.kind) && (eventStampTime(event) ?? '') > cartUpdatedAt);
}

/** The event nudge received last (a wait counts from receipt, never from a device clock); null for none. */
export function latestReceived(events: readonly NudgeEvent[]): NudgeEvent | null {
  return events.reduce<NudgeEvent | null>((latest, event) => (!latest || event.received_at >= latest.received_at ? event : latest), null);
}
