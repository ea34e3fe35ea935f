import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isUnsubscribed, suppressionOf } from './suppression.ts';
import { emptyProfile, type ConsentValue, type Profile } from '../profiles/profile.ts';

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
