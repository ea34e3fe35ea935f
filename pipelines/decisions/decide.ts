import type { CartStatus } from '../profiles/profile.ts';
import type { Decision, DecisionOutcome, DecisionReason } from './decision.ts';
import { isInHoldout } from './holdout.ts';
import { nextAllowedInstant, resolveTimeZone } from './local-time.ts';
import type { DecisionPolicy } from './policy.ts';

/** Suppression as the engagement stage records it; any instant set means suppressed. */
export type Suppression = {
  unsubscribed_at?: string | null;
  bounced_at?: string | null;
  complained_at?: string | null;
};

/** What the decision needs to know about the person, read by the caller from the profile. */
export type DecisionPerson = {
  person_id: string;
  /** The address the email would go to (profile identities.emails[0]). */
  email: string | null;
  /** The recorded marketing opt-in: true only after an explicit opt-in; null = never recorded. */
  consent: boolean | null;
  suppression: Suppression | null;
  /** The `timezone` trait (IANA name); invalid or null falls back to the policy's zone. */
  timezone: string | null;
  /** Emails sent to the person since the start of their local day (see startOfLocalDay). */
  sends_today_local: number;
  /**
   * First-email rules between journeys, judged by the caller from the person's recent sends:
   * another campaign emailed them within the journey window, or this campaign's first email did
   * within its resend_after. Absent = neither.
   */
  recent_journey?: 'journey_window' | 'campaign_repeat' | null;
};

/** The cart the campaign is about, as it is now; null = a cart campaign whose cart is gone. */
export type DecisionCart = { status: CartStatus; items_count: number };

export type DecideInput = {
  campaign_id: string;
  step: number;
  send_id: string;
  person: DecisionPerson;
  /** Omitted for campaigns not about a cart. */
  cart?: DecisionCart | null;
  /**
   * The journey's own reason not to send, for triggers other than the cart (browse, back in
   * stock, price drop): judged by the trigger from the profile and live data. Null = still on.
   */
  trigger_exit?: DecisionReason | null;
  /** Recorded with the decision: live data fallbacks taken (JSON), see Decision. */
  live_data_fallbacks?: string | null;
  /** Recorded with the decision when the caller has already assigned a variant. */
  variant_id?: string | null;
  /** Recorded with the decision: what the journey is about (the timer's trigger key). */
  trigger_key?: string | null;
  policy: DecisionPolicy;
  now: Date;
  newId: () => string;
};

type Verdict = { outcome: DecisionOutcome; reason: DecisionReason; defer_until?: Date };

const skip = (reason: DecisionReason): Verdict => ({ outcome: 'skip', reason });

/** Worst first: a complaint is a spam report, an unsubscribe an explicit no, a bounce a dead address. */
function suppressionReason(suppression: Suppression | null): DecisionReason | null {
  if (!suppression) return null;
  if (suppression.complained_at) return 'suppressed_complained';
  if (suppression.unsubscribed_at) return 'suppressed_unsubscribed';
  if (suppression.bounced_at) return 'suppressed_bounced';
  return null;
}

function cartReason(cart: DecisionCart | null | undefined): DecisionReason | null {
  if (cart === undefined) return null;
  if (cart === null) return 'cart_empty';
  // Status before contents: an ordered cart is often also emptied, and "converted" is the truth.
  if (cart.status === 'ordered') return 'cart_converted';
  if (cart.status === 'checked_out') return 'cart_checked_out';
  return cart.items_count > 0 ? null : 'cart_empty';
}

/**
 * The checks, in order; the first that applies is the reason. Why this order:
 * 1. no email, 2. suppressed, 3. no consent — the hard gates, about the person alone. They come
 *    first so the reason logged is the one that would still block after everything else changed
 *    (an address is needed before anything else means something). Suppression before consent:
 *    an unsubscribe also withdraws consent, and "suppressed_unsubscribed" is the reason that
 *    says why (a later opt-in does not lift a bounce or a complaint).
 * 4. cart empty / converted / checked out, or another trigger's own exit (bought since, sold out
 *    again, price back up, in the cart journey now) — the email has nothing left to say. Before the holdout, so the control group only holds people who would really have
 *    been emailed (a converted cart is not "would have sent").
 * 5. holdout — drawn from exactly the population that passed 1–4, and before quiet hours and the
 *    cap: those depend on when the timer fires and on past sends, which differ between the groups
 *    by construction (held-out people get fewer emails, so they are capped less). Checking them
 *    first would make group membership depend on the treatment and bias the comparison.
 * 6. quiet hours — defer to the end of the window, never drop. Before the cap because a deferral
 *    is decided again at defer_until: an evening send moved to tomorrow morning is then judged
 *    against tomorrow's allowance instead of being dropped for today's.
 * 7. frequency cap — per local day; a skip (a reminder postponed by a day is a different email).
 * 8. journey window, then resend_after — first emails only, judged from past sends like the cap,
 *    so after the holdout for the same reason; after the cap so a capped day still reads as capped.
 */
function judge(input: DecideInput, timeZone: string): Verdict {
  const { person, policy, now } = input;
  if (!person.email || person.email.trim() === '') return skip('no_email');
  const suppressed = suppressionReason(person.suppression);
  if (suppressed) return skip(suppressed);
  if (person.consent !== true) return skip('no_consent');
  const cart = cartReason(input.cart) ?? input.trigger_exit ?? null;
  if (cart) return skip(cart);
  if (isInHoldout(policy.holdoutSalt, person.person_id, policy.holdoutPercent)) return { outcome: 'holdout', reason: 'holdout' };
  const deferUntil = policy.quietHours ? nextAllowedInstant(now, timeZone, policy.quietHours) : null;
  if (deferUntil) return { outcome: 'defer', reason: 'quiet_hours', defer_until: deferUntil };
  if (policy.frequencyCapPerDay !== null && person.sends_today_local >= policy.frequencyCapPerDay) return skip('frequency_capped');
  if (person.recent_journey) return skip(person.recent_journey);
  return { outcome: 'send', reason: 'eligible' };
}

/** Send, skip, defer or hold out — with the reason. Pure: time and ids come in with the input. */
export function decide(input: DecideInput): Decision {
  const verdict = judge(input, resolveTimeZone(input.person.timezone, input.policy.defaultTimeZone));
  return {
    decision_id: input.newId(),
    send_id: input.send_id,
    campaign_id: input.campaign_id,
    person_id: input.person.person_id,
    step: input.step,
    outcome: verdict.outcome,
    reason: verdict.reason,
    defer_until: verdict.defer_until?.toISOString() ?? null,
    decided_at: input.now.toISOString(),
    variant_id: input.variant_id ?? null,
    trigger_key: input.trigger_key ?? null,
    live_data_fallbacks: input.live_data_fallbacks ?? null,
  };
}
