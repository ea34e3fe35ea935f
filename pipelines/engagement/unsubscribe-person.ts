import { createHash } from 'node:crypto';
import type { AcceptEventsInput } from '../events/accept-events.ts';
import type { NudgeEvent } from '../events/nudge-event.ts';
import { validatePayload } from '../events/validate-payload.ts';
import type { ProfileStore } from '../profiles/profile-store.ts';
import type { Profile } from '../profiles/profile.ts';
import { readSurvivingProfile } from '../profiles/surviving-profile.ts';
import { addressedIdentity } from './suppress-person.ts';
import { isUnsubscribed } from './suppression.ts';

/**
 * An unsubscribe (link or one-click) is the person withdrawing marketing consent, recorded as the
 * `Consent Updated` event it is (source "unsubscribe") plus the trait `email_unsubscribed_at`:
 * folded into the profile at once, so no email goes out after the click, and published like any
 * event so history shows it. Only a later explicit `Consent Updated {email_marketing: true}` lifts
 * it (suppression.ts).
 *
 * Every click takes effect, also a second one from the same email after the person opted in again:
 * the event ids are derived from the send AND from the consent state the click finds (its
 * "episode"). A request repeated within one click (a mail client re-posting RFC 8058's one-click
 * POST after a timeout, a 503 retried) finds either the same state — and publishes the same ids,
 * which every consumer dedupes — or the person already unsubscribed by it, and then changes
 * nothing. Published before folded: if the fold fails, the bus's own consumer folds it later, and
 * a retry finds the same episode.
 */
export function createUnsubscribePerson(deps: {
  store: Pick<ProfileStore, 'getProfile'>;
  foldEvents: (events: readonly NudgeEvent[]) => Promise<unknown>;
  acceptEvents: (input: AcceptEventsInput) => Promise<void>;
  newEventId: () => string;
}): (request: { person_id: string; send_id: string; at: Date }) => Promise<void> {
  return async ({ person_id, send_id, at }) => {
    const profile = await readSurvivingProfile(deps.store.getProfile, person_id);
    // No profile (or none to address): nobody left to email, so nothing to withdraw. Throwing would
    // answer 503 to the person's click for ever, and make SendGrid retry a whole webhook batch for a
    // day over a condition no retry can change (the other suppressions in it never applied).
    const identity = profile ? addressedIdentity(profile) : null;
    if (!profile || !identity) return;
    // Already unsubscribed and not opted in since: this click (or its repeat) has nothing to change.
    if (isUnsubscribed(profile)) return;
    const episode = episodeOf(profile);
    const call = {
      type: 'track',
      event: 'Consent Updated',
      messageId: `unsubscribe-${send_id}-${episode}`,
      timestamp: at.toISOString(),
      properties: { email_marketing: false, source: 'unsubscribe' },
      ...identity,
    };
    // The trait outlives consent flips: analytics.js re-sends cached traits (including an old
    // email_marketing_consent: true) on every identify, which must not silently re-subscribe.
    const trait = { type: 'identify', messageId: `unsubscribe-trait-${send_id}-${episode}`, timestamp: at.toISOString(), traits: { email_unsubscribed_at: at.toISOString() }, ...identity };
    const { events, rejected } = validatePayload({ batch: [call, trait] }, 'batch', { receivedAt: at, source: 'unsubscribe', sourceId: null, newEventId: deps.newEventId });
    if (events.length !== 2) throw new Error(`unsubscribe: could not build the consent events: ${JSON.stringify(rejected[0]?.errors ?? [])}`);
    await deps.acceptEvents({ events, rejected: [], stage: 'unsubscribe', sourceId: null, receivedAt: at });
    await deps.foldEvents(events);
  };
}

/**
 * The consent state an unsubscribe overrides: the last unsubscribe (if any) and the consent
 * recorded since. An opt-in after an unsubscribe changes it, so the next click gets new ids.
 */
function episodeOf(profile: Profile): string {
  const consent = profile.consent.email_marketing;
  const state = [profile.traits.email_unsubscribed_at ?? null, consent?.value ?? null, consent?.source ?? null, consent?.at ?? null];
  return createHash('sha256').update(JSON.stringify(state)).digest('hex').slice(0, 16);
}
