import { z } from 'zod';

/**
 * A durable timer that moves one person through one step of a journey, e.g. "send the cart
 * reminder for cart c-9 of person p-1 at 10:30". One timer per (campaign, person, trigger key):
 * re-arming overwrites it, so a shopper who keeps adding items pushes the reminder back instead
 * of collecting several. Timers live with the profiles (SQLite embedded, Firestore on GCP) so they
 * are armed and cancelled in the same transaction that folds the event.
 */
export const JourneyTimer = z.object({
  /** `${campaign_id}:${person_id}:${trigger_key}`, see journeyTimerId(). */
  timer_id: z.string(),
  campaign_id: z.string(),
  person_id: z.string(),
  /** What the journey is about: for a cart, one filling of it (cart-trigger-key.ts); each filling gets its own emails. */
  trigger_key: z.string(),
  /** 0 = first email, 1 = first follow-up, … */
  step: z.number().int().min(0),
  due_at: z.iso.datetime({ offset: false }),
  armed_at: z.iso.datetime({ offset: false }),
  /** The event that armed it (for tracing; no personal data). */
  armed_by_event_id: z.string().nullable(),
});
export type JourneyTimer = z.infer<typeof JourneyTimer>;

export function journeyTimerId(campaignId: string, personId: string, triggerKey: string): string {
  return `${campaignId}:${personId}:${triggerKey}`;
}
