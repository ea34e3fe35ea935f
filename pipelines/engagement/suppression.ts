import type { Suppression } from '../decisions/decide.ts';
import { emailOf } from '../profiles/email-of.ts';
import { identityKey, type IdentityKey } from '../profiles/identity-key.ts';
import type { Profile } from '../profiles/profile.ts';
import { readSurvivingProfile } from '../profiles/surviving-profile.ts';

/**
 * Who the journeys must not email, and since when:
 *
 * - unsubscribed: the trait `email_unsubscribed_at` (the unsubscribe endpoint, or SendGrid's
 *   unsubscribe events), unless the person opted in again afterwards with an explicit Consent
 *   Updated event. An identify re-sending `email_marketing_consent: true` from a browser's cached
 *   traits does not count as opting in again.
 * - bounced: a hard bounce (or SendGrid dropping a known-bad address) of the address the person is
 *   written to now. The bounce belongs to the address: a person who gives a new one gets email again.
 * - complained: a spam report. Nothing lifts it: mailbox providers count every later email against
 *   the shop's reputation, and a person who wants email again can ask the shop to lift it by hand.
 *
 * The journey step decides with this, and the unsubscribe endpoint asks it whether a click still
 * has anything to change.
 */
export function suppressionOf(profile: Profile): Suppression | null {
  const suppression: Suppression = {};
  const complainedAt = instantTrait(profile, 'email_complained_at');
  if (complainedAt) suppression.complained_at = complainedAt;
  const unsubscribedAt = unsubscribedSince(profile);
  if (unsubscribedAt) suppression.unsubscribed_at = unsubscribedAt;
  const bouncedAt = instantTrait(profile, 'email_bounced_at');
  const bouncedAddress = profile.traits.email_bounced_address;
  if (bouncedAt && (typeof bouncedAddress !== 'string' || bouncedAddress === emailOf(profile))) suppression.bounced_at = bouncedAt;
  return Object.keys(suppression).length > 0 ? suppression : null;
}

function unsubscribedSince(profile: Profile): string | null {
  const unsubscribedAt = profile.traits.email_unsubscribed_at;
  const consent = profile.consent.email_marketing;
  if (typeof unsubscribedAt !== 'string') {
    return consent && consent.value === false && consent.source === 'unsubscribe' ? consent.at : null;
  }
  const optedInAgain = consent?.value === true && consent.source !== 'identify' && consent.at > unsubscribedAt;
  return optedInAgain ? null : unsubscribedAt;
}

function instantTrait(profile: Profile, name: string): string | null {
  const value = profile.traits[name];
  return typeof value === 'string' && value !== '' ? value : null;
}

/** Suppressed by a recorded unsubscribe (the trait), which nothing but an explicit opt-in lifts. */
export function isUnsubscribed(profile: Profile): boolean {
  return typeof profile.traits.email_unsubscribed_at === 'string' && unsubscribedSince(profile) !== null;
}

/**
 * Suppression that belongs to an address rather than a person: another person of nudge's (a guest
 * checkout, a second account, a shop that reassigned the address) hard-bounced or reported spam at
 * the address this email would go to. The mailbox is the same, so is the verdict. Found through the
 * `held:<address>` key suppress-person.ts links to the person it recorded the suppression on.
 */
export async function suppressionOfAddress(
  store: { findPersonId: (key: IdentityKey) => Promise<string | null>; getProfile: (personId: string) => Promise<Profile | null> },
  address: string,
  personId: string,
): Promise<Suppression | null> {
  const ownerId = await store.findPersonId(identityKey('held', address));
  if (!ownerId || ownerId === personId) return null;
  const owner = await readSurvivingProfile(store.getProfile, ownerId);
  if (!owner || owner.person_id === personId) return null;
  const lowered = address.trim().toLowerCase();
  const held: Suppression = {};
  const complainedAt = instantTrait(owner, 'email_complained_at');
  if (complainedAt && owner.traits.email_complained_address === lowered) held.complained_at = complainedAt;
  const bouncedAt = instantTrait(owner, 'email_bounced_at');
  if (bouncedAt && owner.traits.email_bounced_address === lowered) held.bounced_at = bouncedAt;
  return Object.keys(held).length > 0 ? held : null;
}
