import { z } from 'zod';

/**
 * One decision about one send: the row of the warehouse table `decisions`
 * (sql/tables/decisions.sql), column for column. Every decision is written, skips included, so
 * "why did this person not get the email?" has an answer in SQL.
 */

/**
 * - send: email it now.
 * - skip: never, for this send (the reason says why).
 * - defer: not now; the journey re-arms the timer for `defer_until` and decides again then.
 * - holdout: control group. No email, but it counts as "would have sent" when measuring lift.
 */
export const DecisionOutcome = z.enum(['send', 'skip', 'defer', 'holdout']);
export type DecisionOutcome = z.infer<typeof DecisionOutcome>;

export const DecisionReason = z.enum([
  /** outcome send */
  'eligible',
  /** the profile has no email address */
  'no_email',
  /** no recorded opt-in to marketing email (never asked, or declined) */
  'no_consent',
  'suppressed_unsubscribed',
  'suppressed_bounced',
  'suppressed_complained',
  /** the cart has no items left */
  'cart_empty',
  /** the cart was ordered: a reminder now would be the exit bug */
  'cart_converted',
  /** checkout started: the cart-abandonment journey exits */
  'cart_checked_out',
  /** outcome holdout */
  'holdout',
  /** outcome defer */
  'quiet_hours',
  /** the person already had the day's allowance of emails (local day) */
  'frequency_capped',
  /** browse follow-up: the shopper added to a cart since the views — the cart journey takes over */
  'in_cart_journey',
  /** the shopper ordered since the views, or bought the product the email is about */
  'already_bought',
  /** back in stock, price drop: the product sold out again before the email went */
  'sold_out_again',
  /** price drop: the price is no longer down by the campaign's minimum */
  'price_back_up',
  /** nothing the email is about can be shown (no live data, no details, every item excluded) */
  'nothing_to_show',
  /** another journey emailed this person within the journey window (NUDGE_JOURNEY_WINDOW) */
  'journey_window',
  /** this campaign's first email reached the person within its resend_after */
  'campaign_repeat',
  /** back in stock, price drop: one of the campaign's exit events (an order, a checkout) came after the journey started */
  'exited',
]);
export type DecisionReason = z.infer<typeof DecisionReason>;

const Instant = z.iso.datetime({ offset: false });

export const Decision = z.object({
  decision_id: z.string().min(1),
  /** hash(campaign, person, trigger key, step): the send ledger's key. */
  send_id: z.string().min(1),
  campaign_id: z.string().min(1),
  person_id: z.string().min(1),
  /** Position of the step in the campaign definition: 0 is the first email. */
  step: z.number().int().nonnegative(),
  outcome: DecisionOutcome,
  reason: DecisionReason,
  /** outcome defer: when to decide again. null otherwise. */
  defer_until: Instant.nullable(),
  decided_at: Instant,
  /** Subject/content variant, when the caller assigned one before deciding. */
  variant_id: z.string().nullable(),
  /** What the journey is about (the timer's trigger key: for carts [cart_id, opened_after_event_id] as JSON). */
  trigger_key: z.string().nullable(),
  /**
   * Live data fallbacks taken while building the email, as a JSON array of {product_id, used,
   * reason} (content/live-data.ts); null when every item was read fresh (or nothing was read).
   */
  live_data_fallbacks: z.string().nullable().default(null),
});
export type Decision = z.infer<typeof Decision>;
