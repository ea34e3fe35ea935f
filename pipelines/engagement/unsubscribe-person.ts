import type { AcceptEventsInput } from '../events/accept-events.ts';
import type { NudgeEvent } from '../events/nudge-event.ts';
import { validatePayload } from '../events/validate-payload.ts';
import type { ProfileStore } from '../profiles/profile-store.ts';
import { readSurvivingProfile } from '../profiles/surviving-profile.ts';

/**
 * An unsubscribe (link or one-click) is the person withdrawing marketing consent, recorded as the
 * `Consent Updated` event it is (source "unsubscribe") plus the trait `email_unsubscribed_at`:
 * folded into the profile at once, so no email goes out after the click, and published like any
 * event so history shows it. Event ids derive from the send, so a second click changes nothing.
 * Only a later explicit `Consent Updated {email_marketing: true}` lifts it (see suppressionOf).
 */
export function createUnsubscribePerson(deps: {
  store: Pick<ProfileStore, 'getProfile'>;
  foldEvents: (events: readonly NudgeEvent[]) => Promise<unknown>;
  acceptEvents: (input: AcceptEventsInput) => Promise<void>;
  newEventId: () => string;
}): (request: { person_id: string; send_id: string; at: Date }) => Promise<void> {
  return async ({ person_id, send_id, at }) => {
    const profile = await readSurvivingProfile(deps.store.getProfile, person_id);
    if (!profile) throw new Error(`unsubscribe: no profile for person ${person_id}`);
    const identity = profile.identities.user_id
      ? { userId: profile.identities.user_id }
      : profile.identities.anonymous_ids[0]
        ? { anonymousId: profile.identities.anonymous_ids[0] }
        : null;
    if (!identity) throw new Error(`unsubscribe: person ${person_id} has no user or anonymous id to address`);
    const call = {
      type: 'track',
      event: 'Consent Updated',
      messageId: `unsubscribe-${send_id}`,
      timestamp: at.toISOString(),
      properties: { email_marketing: false, source: 'unsubscribe' },
      ...identity,
    };
    // The trait outlives consent flips: analytics.js re-sends cached traits (including an old
    // email_marketing_consent: true) on every identify, which must not silently re-subscribe.
    const trait = { type: 'identify', messageId: `unsubscribe-trait-${send_id}`, timestamp: at.toISOString(), traits: { email_unsubscribed_at: at.toISOString() }, ...identity };
    const { events, rejected } = validatePayload({ batch: [call, trait] }, 'batch', { receivedAt: at, source: 'unsubscribe', sourceId: null, newEventId: deps.newEventId });
    if (events.length !== 2) throw new Error(`unsubscribe: could not build the consent events: ${JSON.stringify(rejected[0]?.errors ?? [])}`);
    await deps.foldEvents(events);
    await deps.acceptEvents({ events, rejected: [], stage: 'unsubscribe', sourceId: null, receivedAt: at });
  };
}
