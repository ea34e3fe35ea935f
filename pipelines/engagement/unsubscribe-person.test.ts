import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createUnsubscribePerson } from './unsubscribe-person.ts';
import { isUnsubscribed, suppressionOf } from './suppression.ts';
import type { AcceptEventsInput } from '../events/accept-events.ts';
import { maxEventBytes } from '../events/limits.ts';
import type { NudgeEvent } from '../events/nudge-event.ts';
import { makeEvent } from '../profiles/event-fixtures.ts';
import { createFoldEvents } from '../profiles/fold-events.ts';
import { createInMemoryProfileStore } from '../profiles/in-memory-profile-store.ts';
import { emptyProfile } from '../profiles/profile.ts';
import { createManualClock } from '../shared/clock.ts';

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000);

/** A person with consent, the unsubscribe pipeline over a real fold, and what it published. */
async function world(options: { failPublishOnce?: boolean; ids?: { user_id: string | null; anonymous_id: string | null } } = {}) {
  const clock = createManualClock(at(0));
  const store = createInMemoryProfileStore();
  let ids = 0;
  const fold = createFoldEvents({ store, clock, newPersonId: () => `person-${++ids}` });
  const published: NudgeEvent[] = [];
  const accepted: AcceptEventsInput[] = [];
  let failNext = options.failPublishOnce ?? false;
  const unsubscribe = createUnsubscribePerson({
    store,
    foldEvents: fold,
    acceptEvents: async (input: AcceptEventsInput) => {
      if (failNext) {
        failNext = false;
        throw new Error('bus unavailable');
      }
      accepted.push(input);
      published.push(...input.events);
    },
    newEventId: () => `generated-${++ids}`,
  });
  const receive = async (minutes: number, event: NudgeEvent) => {
    clock.set(at(minutes));
    return fold([{ ...event, occurred_at: at(minutes).toISOString(), received_at: at(minutes).toISOString() }]);
  };
  const identity = options.ids ?? { user_id: 'u-1', anonymous_id: null };
  const first = await receive(0, makeEvent('identify', { ...identity, traits: { email: 'ann@example.com', email_marketing_consent: true } }));
  const person_id = first.person_ids[0]!;
  const profile = async () => (await store.getProfile(person_id))!;
  return { clock, store, fold, published, accepted, unsubscribe, receive, person_id, profile };
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

  test('the click is published as a Consent Updated (source unsubscribe) and the trait, at the click time, with no dead letters', async () => {
    const w = await world();
    await w.unsubscribe({ person_id: w.person_id, send_id: 'send-1', at: at(1) });
    assert.equal(w.accepted.length, 1);
    const [input] = w.accepted;
    assert.deepEqual({ ...input, events: input!.events.length }, { events: 2, rejected: [], stage: 'unsubscribe', sourceId: null, receivedAt: at(1) });
    const [consent, trait] = w.published;
    assert.deepEqual([consent?.kind, consent?.properties], ['consent_updated', { email_marketing: false, source: 'unsubscribe' }]);
    assert.deepEqual([trait?.type, trait?.traits], ['identify', { email_unsubscribed_at: at(1).toISOString() }]);
    for (const event of w.published) {
      assert.deepEqual([event.user_id, event.source, event.received_at], ['u-1', 'unsubscribe', at(1).toISOString()], 'history shows where and when');
    }
    // Sent as one batch at the click time; the door keeps their order by stamping the consent 1 ms before the trait.
    assert.equal(trait?.occurred_at, at(1).toISOString());
    assert.equal(consent?.occurred_at, new Date(at(1).getTime() - 1).toISOString());
    assert.deepEqual((await w.profile()).consent.email_marketing, { value: false, source: 'unsubscribe', at: consent?.occurred_at });
  });

  test('the consent event alone (folded before its trait, which travels on another topic) already holds the journeys back', async () => {
    const w = await world();
    const consentOnly = await world();
    await w.unsubscribe({ person_id: w.person_id, send_id: 'send-1', at: at(1) });
    await consentOnly.fold(w.published.filter((event) => event.kind === 'consent_updated'));
    const profile = await consentOnly.profile();
    assert.equal(profile.traits.email_unsubscribed_at, undefined);
    assert.deepEqual(suppressionOf(profile), { unsubscribed_at: w.published[0]?.occurred_at });
    assert.equal(isUnsubscribed(profile), false, 'a second click still writes the missing trait');
  });

  test('a person known only by an anonymous id (never logged in) is unsubscribed under that id', async () => {
    const w = await world({ ids: { user_id: null, anonymous_id: 'anon-7' } });
    await w.unsubscribe({ person_id: w.person_id, send_id: 'send-1', at: at(1) });
    assert.deepEqual(w.published.map((event) => [event.user_id, event.anonymous_id]), [[null, 'anon-7'], [null, 'anon-7']]);
    assert.equal(isUnsubscribed(await w.profile()), true);
  });

  test('a person with no consent record at all can still unsubscribe', async () => {
    const published: NudgeEvent[] = [];
    const unsubscribe = createUnsubscribePerson({
      store: { getProfile: async (person_id) => ({ ...emptyProfile(person_id, at(0).toISOString()), identities: { user_id: 'u-9', anonymous_ids: [], emails: [] } }) },
      foldEvents: async () => {},
      acceptEvents: async (input) => void published.push(...input.events),
      newEventId: () => 'generated',
    });
    await unsubscribe({ person_id: 'person-9', send_id: 'send-1', at: at(1) });
    assert.deepEqual(published.map((event) => event.kind), ['consent_updated', 'identify']);
  });

  test('a person who no longer exists (or has no id to address) has nothing to withdraw: done, nothing published', async () => {
    const w = await world();
    const publishedBefore = w.published.length;
    await w.unsubscribe({ person_id: 'person-unknown', send_id: 'send-1', at: at(1) });
    const anonymous = createUnsubscribePerson({
      store: { getProfile: async (person_id) => emptyProfile(person_id, at(0).toISOString()) },
      foldEvents: async () => {},
      acceptEvents: async (input) => void w.published.push(...input.events),
      newEventId: () => 'generated',
    });
    await anonymous({ person_id: 'person-9', send_id: 'send-1', at: at(1) });
    assert.equal(w.published.length, publishedBefore);
  });

  test('a click that cannot be recorded fails loudly and publishes nothing: events refused', async () => {
    const w = await world();
    const publishedBefore = w.published.length;

    // An event over the contract's size limit is refused by the door the click goes through.
    await assert.rejects(w.unsubscribe({ person_id: w.person_id, send_id: 'x'.repeat(maxEventBytes), at: at(1) }), /could not build the consent events: .*bytes/);
    assert.equal(w.published.length, publishedBefore);
    assert.equal(isUnsubscribed(await w.profile()), false);
  });
});
