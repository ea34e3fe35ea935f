import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isUnsubscribed, suppressionOf, suppressionOfAddress } from './suppression.ts';
import { makeEvent } from '../profiles/event-fixtures.ts';
import { mergeProfiles } from '../profiles/merge-profiles.ts';
import { emptyProfile, type ConsentValue, type Profile } from '../profiles/profile.ts';
import { profileFromEvent } from '../profiles/profile-from-event.ts';

const UNSUBSCRIBED = '2026-03-01T10:00:00.000Z';
const BEFORE = '2026-03-01T09:00:00.000Z';
const AFTER = '2026-03-01T11:00:00.000Z';

/** A person with the unsubscribe trait (or another value in its place) and a consent record. */
function person(unsubscribedAt: string | null | undefined, consent: ConsentValue | null): Profile {
  const profile = emptyProfile('person-1', BEFORE);
  const traits: Profile['traits'] = unsubscribedAt === undefined ? {} : { email_unsubscribed_at: unsubscribedAt };
  return { ...profile, traits, consent: { email_marketing: consent } };
}
const consent = (value: boolean, source: string, at: string): ConsentValue => ({ value, source, at });

describe('suppressionOf: who the journeys must not email', () => {
  const cases: { name: string; profile: Profile; expected: ReturnType<typeof suppressionOf> }[] = [
    { name: 'never unsubscribed, consent given', profile: person(undefined, consent(true, 'identify', BEFORE)), expected: null },
    { name: 'never unsubscribed, no consent recorded', profile: person(undefined, null), expected: null },
    {
      name: 'declined in the preference center, never unsubscribed: not suppressed (decide says no_consent)',
      profile: person(undefined, consent(false, 'preference-center', BEFORE)),
      expected: null,
    },
    {
      name: 'only the unsubscribe consent event is folded so far (its trait still on the bus): suppressed from that event',
      profile: person(undefined, consent(false, 'unsubscribe', UNSUBSCRIBED)),
      expected: { unsubscribed_at: UNSUBSCRIBED },
    },
    {
      name: 'a trait cleared to null by an identify, with the unsubscribe consent event: still suppressed',
      profile: person(null, consent(false, 'unsubscribe', UNSUBSCRIBED)),
      expected: { unsubscribed_at: UNSUBSCRIBED },
    },
    {
      name: 'never unsubscribed, consent given by a form whose source is labelled "unsubscribe": consent, not suppression',
      profile: person(undefined, consent(true, 'unsubscribe', BEFORE)),
      expected: null,
    },
    { name: 'unsubscribed, no consent record', profile: person(UNSUBSCRIBED, null), expected: { unsubscribed_at: UNSUBSCRIBED } },
    {
      name: 'unsubscribed, then an identify re-sent cached traits with consent true: still suppressed',
      profile: person(UNSUBSCRIBED, consent(true, 'identify', AFTER)),
      expected: { unsubscribed_at: UNSUBSCRIBED },
    },
    {
      name: 'unsubscribed, then an explicit Consent Updated opt-in: lifted',
      profile: person(UNSUBSCRIBED, consent(true, 'preference-center', AFTER)),
      expected: null,
    },
    {
      name: 'an explicit opt-in from before the unsubscribe does not lift it',
      profile: person(UNSUBSCRIBED, consent(true, 'preference-center', BEFORE)),
      expected: { unsubscribed_at: UNSUBSCRIBED },
    },
    {
      name: 'an explicit opt-in stamped at the very instant of the unsubscribe is not "afterwards"',
      profile: person(UNSUBSCRIBED, consent(true, 'preference-center', UNSUBSCRIBED)),
      expected: { unsubscribed_at: UNSUBSCRIBED },
    },
    {
      name: 'unsubscribed, then an explicit decline later: suppressed since the unsubscribe',
      profile: person(UNSUBSCRIBED, consent(false, 'preference-center', AFTER)),
      expected: { unsubscribed_at: UNSUBSCRIBED },
    },
  ];
  for (const { name, profile, expected } of cases) {
    test(name, () => assert.deepEqual(suppressionOf(profile), expected));
  }
});

describe('isUnsubscribed: whether a click on an unsubscribe link still has anything to change', () => {
  test('the trait recorded and no opt-in since: nothing to change', () => {
    assert.equal(isUnsubscribed(person(UNSUBSCRIBED, consent(false, 'unsubscribe', UNSUBSCRIBED))), true);
    assert.equal(isUnsubscribed(person(UNSUBSCRIBED, consent(true, 'identify', AFTER))), true);
  });

  test('opted in again explicitly after the unsubscribe: the click must take effect again', () => {
    assert.equal(isUnsubscribed(person(UNSUBSCRIBED, consent(true, 'preference-center', AFTER))), false);
  });

  test('only the consent event folded, the trait missing: the click must still write the trait', () => {
    const profile = person(undefined, consent(false, 'unsubscribe', UNSUBSCRIBED));
    assert.notEqual(suppressionOf(profile), null, 'the journeys already hold back…');
    assert.equal(isUnsubscribed(profile), false, '…but the trait that outlives cached identifies is not there yet');
  });

  test('never unsubscribed: the click takes effect', () => {
    assert.equal(isUnsubscribed(person(undefined, consent(true, 'identify', BEFORE))), false);
  });
});

describe('suppressionOf: bounces and complaints recorded from the ESP', () => {
  const withTraits = (traits: Profile['traits'], emails: string[] = ['ann@example.com']): Profile => {
    const profile = emptyProfile('person-1', BEFORE);
    return { ...profile, traits, identities: { ...profile.identities, emails } };
  };

  test('a hard bounce of the address the person is written to suppresses them', () => {
    assert.deepEqual(suppressionOf(withTraits({ email_bounced_at: UNSUBSCRIBED, email_bounced_address: 'ann@example.com' })), { bounced_at: UNSUBSCRIBED });
  });

  test('a bounce of an address the person no longer uses does not: a new address gets email again', () => {
    assert.equal(suppressionOf(withTraits({ email_bounced_at: UNSUBSCRIBED, email_bounced_address: 'old@example.com' }, ['ann@example.com', 'old@example.com'])), null);
    assert.equal(suppressionOf(withTraits({ email_bounced_at: UNSUBSCRIBED, email_bounced_address: 'old@example.com', email: 'new@example.com' }, ['old@example.com'])), null);
  });

  test('a bounce without the address it was for suppresses (no way to tell it is stale)', () => {
    assert.deepEqual(suppressionOf(withTraits({ email_bounced_at: UNSUBSCRIBED })), { bounced_at: UNSUBSCRIBED });
  });

  test('a spam complaint suppresses whatever the address, and no consent lifts it', () => {
    const profile = { ...withTraits({ email_complained_at: UNSUBSCRIBED }), consent: { email_marketing: consent(true, 'preference-center', AFTER) } };
    assert.deepEqual(suppressionOf(profile), { complained_at: UNSUBSCRIBED });
  });

  test('several at once are all reported (decide names the strongest)', () => {
    const profile = withTraits({ email_complained_at: AFTER, email_unsubscribed_at: UNSUBSCRIBED, email_bounced_at: BEFORE, email_bounced_address: 'ann@example.com' });
    assert.deepEqual(suppressionOf(profile), { complained_at: AFTER, unsubscribed_at: UNSUBSCRIBED, bounced_at: BEFORE });
  });

  test('a trait that is not an instant (null, a number) suppresses nothing', () => {
    assert.equal(suppressionOf(withTraits({ email_complained_at: null, email_bounced_at: 5 })), null);
  });
});

describe('suppression traits come only from nudge itself', () => {
  const identify = (source: string, traits: Record<string, unknown>) => makeEvent('identify', { source, traits });

  test('an identify from the door cannot clear an unsubscribe, a bounce or a complaint (the field is dropped and named)', () => {
    const dropped: string[] = [];
    const fragment = profileFromEvent(
      identify('http', { email_unsubscribed_at: null, email_complained_at: null, email_bounced_at: null, email_bounced_address: 'x@example.com', email_marketing_consent: true, first_name: 'Ann' }),
      undefined,
      (field) => dropped.push(field),
    );
    assert.deepEqual(fragment?.traits, { email_marketing_consent: true, first_name: 'Ann' });
    assert.deepEqual(dropped.sort(), ['traits.email_bounced_address', 'traits.email_bounced_at', 'traits.email_complained_at', 'traits.email_unsubscribed_at']);
  });

  test('folded over an unsubscribed person, such an identify leaves them suppressed', () => {
    // As the unsubscribe endpoint records it: a Consent Updated and the trait, then an identify from the door a day later.
    const at = (iso: string) => ({ occurred_at: iso, received_at: iso });
    const consentEvent = makeEvent('consent_updated', { event_id: 'u1', source: 'unsubscribe', properties: { email_marketing: false, source: 'unsubscribe' }, ...at(UNSUBSCRIBED) });
    const traitEvent = makeEvent('identify', { event_id: 'u2', source: 'unsubscribe', traits: { email_unsubscribed_at: UNSUBSCRIBED }, ...at(UNSUBSCRIBED) });
    const hostileEvent = makeEvent('identify', { event_id: 'h1', source: 'http', traits: { email_unsubscribed_at: null, email_marketing_consent: true }, ...at('2026-03-02T10:00:00.000Z') });
    const [first, ...rest] = [consentEvent, traitEvent, hostileEvent].map((event) => profileFromEvent(event)!);
    const merged = rest.reduce((sum, fragment) => mergeProfiles(sum, fragment), first!);
    assert.equal(merged.consent.email_marketing?.value, true, 'the cached consent is folded…');
    assert.deepEqual(suppressionOf(merged), { unsubscribed_at: UNSUBSCRIBED });
  });

  test('the unsubscribe endpoint and the SendGrid webhook may write them', () => {
    for (const source of ['unsubscribe', 'sendgrid-webhook']) {
      const fragment = profileFromEvent(identify(source, { email_complained_at: UNSUBSCRIBED }));
      assert.deepEqual(fragment?.traits, { email_complained_at: UNSUBSCRIBED }, source);
    }
  });
});

describe('suppressionOfAddress: a bounce or complaint at the mailbox, recorded on another person', () => {
  const at = '2026-03-01T10:00:00.000Z';
  const profileWith = (personId: string, traits: Profile['traits'], mergedInto: string | null = null): Profile => ({ ...emptyProfile(personId, BEFORE), traits, merged_into: mergedInto });
  const storeOf = (held: Record<string, string>, profiles: Profile[]) => ({
    findPersonId: async (key: string) => held[key] ?? null,
    getProfile: async (personId: string) => profiles.find((p) => p.person_id === personId) ?? null,
  });
  const cases: { name: string; held: Record<string, string>; profiles: Profile[]; expected: ReturnType<typeof suppressionOf> }[] = [
    { name: 'nobody held the address', held: {}, profiles: [], expected: null },
    { name: 'held by this very person (their own suppression decides)', held: { 'held:ann@example.com': 'me' }, profiles: [profileWith('me', { email_complained_at: at, email_complained_address: 'ann@example.com' })], expected: null },
    { name: 'held by a person since merged into this one', held: { 'held:ann@example.com': 'old' }, profiles: [profileWith('old', { email_complained_at: at, email_complained_address: 'ann@example.com' }, 'me'), profileWith('me', {})], expected: null },
    { name: 'another person complained at this address', held: { 'held:ann@example.com': 'other' }, profiles: [profileWith('other', { email_complained_at: at, email_complained_address: 'ann@example.com' })], expected: { complained_at: at } },
    { name: 'another person bounced at this address', held: { 'held:ann@example.com': 'other' }, profiles: [profileWith('other', { email_bounced_at: at, email_bounced_address: 'ann@example.com' })], expected: { bounced_at: at } },
    { name: 'both', held: { 'held:ann@example.com': 'other' }, profiles: [profileWith('other', { email_bounced_at: at, email_bounced_address: 'ann@example.com', email_complained_at: BEFORE, email_complained_address: 'ann@example.com' })], expected: { bounced_at: at, complained_at: BEFORE } },
    { name: 'the other person complained and bounced at other addresses', held: { 'held:ann@example.com': 'other' }, profiles: [profileWith('other', { email_complained_at: at, email_complained_address: 'old@example.com', email_bounced_at: at, email_bounced_address: 'old@example.com' })], expected: null },
    { name: 'the holder is gone', held: { 'held:ann@example.com': 'gone' }, profiles: [], expected: null },
    { name: 'an empty instant is no suppression', held: { 'held:ann@example.com': 'other' }, profiles: [profileWith('other', { email_complained_at: '', email_complained_address: 'ann@example.com' })], expected: null },
  ];
  for (const { name, held, profiles, expected } of cases) {
    test(name, async () => assert.deepEqual(await suppressionOfAddress(storeOf(held, profiles) as never, ' Ann@Example.com ', 'me'), expected));
  }
});
