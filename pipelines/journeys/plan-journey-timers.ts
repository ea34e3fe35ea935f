import { planBrowseTimers } from './plan-browse-timers.ts';
import { planCartTimers, type TimerPlan } from './plan-cart-timers.ts';
import type { CampaignDefinition } from '../campaigns/campaign-definition.ts';
import type { PersonFolded } from '../profiles/fold-events.ts';

/**
 * Every timer a fold arms or cancels, for the journeys a shopper's own events drive (cart,
 * browse). Catalog-driven journeys (back in stock, price drop) are armed by their fan-out instead
 * (fan-out-catalog-trigger.ts). Runs inside the profile transaction (fold-events.ts).
 */
export function planJourneyTimers(campaigns: readonly CampaignDefinition[], change: PersonFolded): TimerPlan {
  const cart = planCartTimers(campaigns, change);
  const browse = planBrowseTimers(campaigns, change);
  return { put: [...cart.put, ...browse.put], remove: [...cart.remove, ...browse.remove] };
}
