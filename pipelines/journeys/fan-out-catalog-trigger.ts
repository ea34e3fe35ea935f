import { z } from 'zod';
import { catalogTriggerKey } from './catalog-trigger-key.ts';
import { boughtSinceInterest } from './catalog-trigger.ts';
import type { FiredCatalogTrigger } from './detect-catalog-triggers.ts';
import { journeyTimerId, type JourneyTimer } from './journey-timer.ts';
import type { CampaignDefinition } from '../campaigns/campaign-definition.ts';
import { parseDuration } from '../campaigns/duration.ts';
import type { InterestStore } from '../product-interest/interest-store.ts';
import type { IdentityKey } from '../profiles/identity-key.ts';
import type { ProfileStore } from '../profiles/profile-store.ts';

/** The bus topic fan-out pages travel on (Pub/Sub topic of the same name on GCP). */
export const JOURNEY_FANOUT_TOPIC = 'journey-fanout';

const Instant = z.iso.datetime({ offset: false });

/**
 * One page of a catalog trigger's audience, as a bus message: which trigger, where the previous
 * page stopped, and how many people are armed so far (the back-in-stock cap). Each page arms at
 * most `pageSize` people in small transactions and publishes the next page, so a restock with
 * 10,000 waiting people is never one transaction or one function call.
 */
export const FanOutPage = z.object({
  trigger: z.union([
    z.object({ kind: z.literal('back_in_stock'), campaign_id: z.string().min(1), product_id: z.string().min(1), event_id: z.string().min(1), stock: z.number().int().positive() }),
    z.object({ kind: z.literal('price_drop'), campaign_id: z.string().min(1), product_id: z.string().min(1), event_id: z.string().min(1), previous_price: z.number().positive(), stock: z.null() }),
  ]),
  /** When nudge received the catalog update: timers are due at fired_at + the campaign's wait. */
  fired_at: Instant,
  cursor: z.string().nullable(),
  armed: z.number().int().nonnegative(),
});
export type FanOutPage = z.infer<typeof FanOutPage>;

export const fanOutDefaults = {
  /** Interested identities read per page (one bus message). */
  pageSize: 200,
  /** People armed per profile-store transaction (Firestore: 500 writes per transaction). */
  armPerTransaction: 100,
};

/** The first page of a fired trigger. */
export function firstFanOutPage(trigger: FiredCatalogTrigger, firedAt: string): FanOutPage {
  const base = { campaign_id: trigger.campaign_id, product_id: trigger.product_id, event_id: trigger.event_id };
  return {
    trigger: trigger.kind === 'back_in_stock' ? { kind: 'back_in_stock', ...base, stock: trigger.stock ?? 1 } : { kind: 'price_drop', ...base, previous_price: trigger.previous_price, stock: null },
    fired_at: firedAt,
    cursor: null,
    armed: 0,
  };
}

export type FanOutResult = { armed: number; skipped_bought: number; unknown_identities: number; next: FanOutPage | null; reason?: string };

/**
 * Arms the journey timers of one page of a trigger's audience and says what comes next. The
 * audience: identities whose interest in the product is within the campaign's lookback (back in
 * stock: only interest shown while it was out of stock, or asked for), first come first, minus
 * those who bought it after their interest, each resolved to the person it belongs to now (merges
 * followed). A back-in-stock run stops at stock × stock_factor people.
 *
 * Idempotent: a timer already armed for (campaign, person, product) is left as it is, and a timer
 * that has already sent is stopped by the send ledger; a redelivered page arms nobody twice.
 */
export function createFanOutCatalogTrigger(deps: {
  interests: Pick<InterestStore, 'listInterested'>;
  store: Pick<ProfileStore, 'findPersonId' | 'transact'>;
  campaigns: ReadonlyMap<string, CampaignDefinition>;
  settings?: Partial<typeof fanOutDefaults>;
  /** A timer was armed for this instant (the embedded host wakes its sweep then). */
  onArmed?: (dueAt: Date) => void;
}): (page: FanOutPage) => Promise<FanOutResult> {
  const settings = { ...fanOutDefaults, ...deps.settings };
  return async (page) => {
    const campaign = deps.campaigns.get(page.trigger.campaign_id);
    const none = (reason: string): FanOutResult => ({ armed: 0, skipped_bought: 0, unknown_identities: 0, next: null, reason });
    if (!campaign || campaign.trigger.kind !== page.trigger.kind) return none('campaign_not_loaded');
    const quota = campaign.trigger.kind === 'back_in_stock' ? Math.ceil((page.trigger.stock ?? 0) * campaign.trigger.stock_factor) - page.armed : Number.POSITIVE_INFINITY;
    if (quota <= 0) return none('cap_reached');
    const lookbackMs = parseDuration(campaign.trigger.lookback);
    const since = new Date(Date.parse(page.fired_at) - lookbackMs).toISOString();
    const listed = await deps.interests.listInterested(page.trigger.product_id, {
      since,
      outOfStockOnly: page.trigger.kind === 'back_in_stock',
      after: page.cursor,
      limit: Math.min(settings.pageSize, quota),
    });
    const wanted = listed.interests.filter((interest) => !boughtSinceInterest([interest]));
    const persons: string[] = [];
    let unknown = 0;
    // One lookup per identity, all at once (a page is 200 round trips to Firestore otherwise); the
    // loop below keeps first-come order.
    const resolved = await Promise.all(wanted.map((interest) => deps.store.findPersonId(interest.identity as IdentityKey)));
    for (const person of resolved) {
      if (person === null) unknown += 1;
      else if (!persons.includes(person)) persons.push(person);
    }
    const triggerKey = catalogTriggerKey(page.trigger);
    // One timer per person and product, whatever the restock or drop: stock that flaps 0 → 1 → 0 → 1
    // (or a price that dips twice) within the wait finds the first timer still armed and adds none.
    const timerKey = JSON.stringify([page.trigger.kind, page.trigger.product_id]);
    const dueAt = new Date(Date.parse(page.fired_at) + parseDuration(campaign.wait)).toISOString();
    const toArm = persons.slice(0, Number.isFinite(quota) ? quota : persons.length);
    let armed = 0;
    for (let start = 0; start < toArm.length; start += settings.armPerTransaction) {
      const chunk = toArm.slice(start, start + settings.armPerTransaction);
      armed += await deps.store.transact(async (tx) => {
        const timers = chunk.map((person): JourneyTimer => ({
          timer_id: journeyTimerId(campaign.id, person, timerKey),
          campaign_id: campaign.id,
          person_id: person,
          trigger_key: triggerKey,
          step: 0,
          due_at: dueAt,
          armed_at: page.fired_at,
          armed_by_event_id: page.trigger.event_id,
        }));
        const existing = await tx.getTimers(timers.map((timer) => timer.timer_id));
        const fresh = timers.filter((timer) => !existing.has(timer.timer_id));
        for (const timer of fresh) tx.putTimer(timer);
        return fresh.length;
      });
    }
    if (armed > 0) deps.onArmed?.(new Date(dueAt));
    const total = page.armed + toArm.length;
    const capLeft = Number.isFinite(quota) ? quota - toArm.length > 0 : true;
    const next = listed.next !== null && capLeft ? { ...page, cursor: listed.next, armed: total } : null;
    return { armed, skipped_bought: listed.interests.length - wanted.length, unknown_identities: unknown, next };
  };
}
