import type { AcceptEventsInput } from '../events/accept-events.ts';
import type { NudgeEvent } from '../events/nudge-event.ts';
import { validatePayload } from '../events/validate-payload.ts';
import { identityKey } from '../profiles/identity-key.ts';
import type { ProfileStore } from '../profiles/profile-store.ts';
import type { Profile } from '../profiles/profile.ts';
import { readSurvivingProfile } from '../profiles/surviving-profile.ts';

export type SuppressionRequest = {
  person_id: string;
  kind: 'bounced' | 'complained';
  /** When the ESP saw it. */
  at: Date;
  /** The address that bounced or complained: a bounce holds while the person is written to it, and either holds for anyone else written to it. */
  address: string | null;
  /** The ESP event's id: the published event's id derives from it, so a redelivered webhook changes nothing. */
  email_event_id: string;
};

/**
 * A hard bounce or a spam complaint, recorded on the person as the identify it is (traits
 * `email_bounced_at` + `email_bounced_address`, or `email_complained_at`; suppression.ts reads
 * them). As with an unsubscribe, the event is published like any event (history keeps it) and
 * folded at once, so the person's next decision already sees it. Only nudge's own endpoints may
 * write these traits (profiles/protected-traits.ts), hence the source.
 */
export function createSuppressPerson(deps: {
  store: Pick<ProfileStore, 'getProfile' | 'transact'>;
  foldEvents: (events: readonly NudgeEvent[]) => Promise<unknown>;
  acceptEvents: (input: AcceptEventsInput) => Promise<void>;
  newEventId: () => string;
}): (request: SuppressionRequest) => Promise<void> {
  return async (request) => {
    const profile = await readSurvivingProfile(deps.store.getProfile, request.person_id);
    // No profile (or none to address): nobody left to email, so nothing to suppress. Throwing would
    // make SendGrid retry the whole batch for a day over a condition no retry can change.
    const identity = profile ? addressedIdentity(profile) : null;
    if (!identity) return;
    const instant = request.at.toISOString();
    const traits = request.kind === 'bounced' ? { email_bounced_at: instant, email_bounced_address: request.address } : { email_complained_at: instant, email_complained_address: request.address };
    const call = { type: 'identify', messageId: `suppress-${request.kind}-${request.email_event_id}`, timestamp: instant, traits, ...identity };
    const { events, rejected } = validatePayload(call, 'identify', { receivedAt: request.at, source: 'sendgrid-webhook', sourceId: null, newEventId: deps.newEventId });
    if (events.length !== 1) throw new Error(`suppress: could not build the event: ${JSON.stringify(rejected[0]?.errors ?? [])}`);
    await deps.acceptEvents({ events, rejected: [], stage: 'sendgrid-webhook', sourceId: null, receivedAt: request.at });
    await deps.foldEvents(events);
    // The mailbox is held whoever is written to it next (a guest checkout, a second account).
    if (request.address) {
      const key = identityKey('held', request.address);
      await deps.store.transact(async (tx) => tx.linkIdentities([key], profile!.person_id));
    }
  };
}

/** The Segment identity an event about this person is addressed to: the user id, else an anonymous id. */
export function addressedIdentity(profile: Profile): { userId: string } | { anonymousId: string } | null {
  if (profile.identities.user_id) return { userId: profile.identities.user_id };
  const anonymousId = profile.identities.anonymous_ids[0];
  return anonymousId ? { anonymousId } : null;
}
