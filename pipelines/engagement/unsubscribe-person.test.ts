import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createUnsubscribePerson } from './unsubscribe-person.ts';
import { isUnsubscribed } from './suppression.ts';
import type { AcceptEventsInput } from '../events/accept-events.ts';
import type { NudgeEvent } from '../events/nudge-event.ts';
import { makeEvent } from '../profiles/event-fixtures.ts';
import { createFoldEvents } from '../profiles/fold-events.ts';
import { createInMemoryProfileStore } from '../profiles/in-memory-profile-store.ts';
import { createManualClock } from '../shared/clock.ts';

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000);

/** A person with consent, the unsubscribe pipeline over a real fold, and what it published. */
async function world(options: { failPublishOnce?: boolean } = {}) {
  const clock = createManualClock(at(0));
  const store = createInMemoryProfileStore();
  let ids = 0;
  const fold = createFoldEvents({ store, clock, newPersonId: () => `person-${++ids}` });
  const published: NudgeEvent[] = [];
  let failNext = options.failPublishOnce ?? false;
  const unsubscribe = createUnsubscribePerson({
    store,
    foldEvents: fold,
    acceptEvents: async (input: AcceptEventsInput) => {
      if (failNext) {
        failNext = false;
        throw new Error('bus unavailable');
      }
      published.push(...input.events);
    },
    newEventId: () => `generated-${++ids}`,
  });
  const receive = async (minutes: number, event: NudgeEvent) => {
    clock.set(at(minutes));
    return fold([{ ...event, occurred_at: at(minutes).toISOString(), received_at: at(minutes).toISOString() }]);
  };
  const first = await receive(0, makeEvent('identify', { user_id: 'u-1', anonymous_id: null, traits: { email: 'ann@example.com', email_marketing_consent: true } }));
  const person_id = first.person_ids[0]!;
  const profile = async () => (await store.getProfile(person_id))!;
  return { clock, store, fold, published, unsubscribe, receive, person_id, profile };
}

const optIn = () => makeEvent('consent_updated', { user_id: 'u-1', anonymous_id: null, properties: { email_marketing: true, source: 'preference-center' } });

describe('unsubscribe a person', () => {
  test('unsubscribe → opt in again → unsubscribe from the same email: suppressed again', async () => {
    const w = await world();
    await w.unsubscribe({ person_id: w.person_id, send_id: 'send-1', at: at(1) });
    assert.equal(isUnsubscribed(await w.profile()), true);

    await w.receive(2, optIn());
    assert.equal(isUnsubscribed(await w.profile()), false, 'the explicit opt-in lifts it');

    await w.unsubscribe({ person_id: w.person_id, send_id: 'send-1', at: at(3) });
    const profile = await w.profile();
    assert.equal(isUnsubscribed(profile), true, 'the second click from the same email takes effect');
    assert.equal(profile.consent.email_marketing?.value, false);
    assert.equal(profile.traits.email_unsubscribed_at, at(3).toISOString());
    assert.equal(new Set(w.published.map((event) => event.event_id)).size, 4, 'two clicks, two events each, all with their own ids');
  });

  test('a repeated POST of a click that already took effect changes nothing and publishes nothing new', async () => {
    const w = await world();
    await w.unsubscribe({ person_id: w.person_id, send_id: 'send-1', at: at(1) });
    await w.unsubscribe({ person_id: w.person_id, send_id: 'send-1', at: at(1.1) });
    assert.equal(w.published.length, 2);
    assert.equal((await w.profile()).traits.email_unsubscribed_at, at(1).toISOString());
  });

  test('a retried POST after a failure publishes the same event ids (deduped downstream), and takes effect', async () => {
    const w = await world({ failPublishOnce: true });
    await assert.rejects(w.unsubscribe({ person_id: w.person_id, send_id: 'send-1', at: at(1) }), /bus unavailable/);
    await w.unsubscribe({ person_id: w.person_id, send_id: 'send-1', at: at(1.2) });
    assert.equal(isUnsubscribed(await w.profile()), true);
    assert.deepEqual(
      w.published.map((event) => event.event_id.replace(/[0-9a-f]{16}$/, '…')),
      ['unsubscribe-send-1-…', 'unsubscribe-trait-send-1-…'],
    );
  });
});
