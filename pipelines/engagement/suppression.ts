import type { Suppression } from '../decisions/decide.ts';
import type { Profile } from '../profiles/profile.ts';

/**
 * Unsubscribed = the trait `email_unsubscribed_at` (set by the unsubscribe endpoint), unless the
 * person opted in again afterwards with an explicit Consent Updated event. An identify re-sending
 * `email_marketing_consent: true` from a browser's cached traits does not count as opting in again.
 * The journey step decides with this, and the unsubscribe endpoint asks it whether a click still
 * has anything to change.
 */
export function suppressionOf(profile: Profile): Suppression | null {
  const unsubscribedAt = profile.traits.email_unsubscribed_at;
  const consent = profile.consent.email_marketing;
  if (typeof unsubscribedAt !== 'string') {
    return consent && consent.value === false && consent.source === 'unsubscribe' ? { unsubscribed_at: consent.at } : null;
  }
  const optedInAgain = consent?.value === true && consent.source !== 'identify' && consent.at > unsubscribedAt;
  return optedInAgain ? null : { unsubscribed_at: unsubscribedAt };
}

/** Suppressed by a recorded unsubscribe (the trait), which nothing but an explicit opt-in lifts. */
export function isUnsubscribed(profile: Profile): boolean {
  return typeof profile.traits.email_unsubscribed_at === 'string' && suppressionOf(profile) !== null;
}
