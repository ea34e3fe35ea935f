import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decide, type DecideInput, type DecisionPerson } from './decide.ts';
import { Decision } from './decision.ts';
import { isInHoldout } from './holdout.ts';
import { DecisionPolicy, defaultDecisionPolicy } from './policy.ts';

const policy = defaultDecisionPolicy;
const candidates = Array.from({ length: 200 }, (_, i) => `person-${i}`);
/** A person the default policy never holds out, and one it always does. */
const treated = candidates.find((id) => !isInHoldout(policy.holdoutSalt, id, policy.holdoutPercent))!;
const heldOut = candidates.find((id) => isInHoldout(policy.holdoutSalt, id, policy.holdoutPercent))!;

/** Noon UTC: outside the default quiet hours. */
const noon = new Date('2026-06-01T12:00:00.000Z');

function inputWith(person: Partial<DecisionPerson> = {}, rest: Partial<DecideInput> = {}): DecideInput {
  let n = 0;
  return {
    campaign_id: 'cart-abandonment',
    step: 0,
    send_id: 'send-1',
    person: { person_id: treated, email: 'ann@example.com', consent: true, suppression: null, timezone: null, sends_today_local: 0, ...person },
    cart: { status: 'open', items_count: 2 },
    policy,
    now: noon,
    newId: () => `decision-${++n}`,
    ...rest,
  };
}

describe('decide: one reason per case', () => {
  const cases: [string, DecideInput, Decision['outcome'], Decision['reason'], string | null][] = [
    ['eligible: email, consent, open cart with items, noon', inputWith(), 'send', 'eligible', null],
    ['no email address', inputWith({ email: null }), 'skip', 'no_email', null],
    ['an empty email address', inputWith({ email: '  ' }), 'skip', 'no_email', null],
    ['consent never recorded', inputWith({ consent: null }), 'skip', 'no_consent', null],
    ['consent declined', inputWith({ consent: false }), 'skip', 'no_consent', null],
    ['unsubscribed', inputWith({ suppression: { unsubscribed_at: '2026-05-01T00:00:00.000Z' } }), 'skip', 'suppressed_unsubscribed', null],
    ['bounced', inputWith({ suppression: { bounced_at: '2026-05-01T00:00:00.000Z' } }), 'skip', 'suppressed_bounced', null],
    ['complained', inputWith({ suppression: { complained_at: '2026-05-01T00:00:00.000Z' } }), 'skip', 'suppressed_complained', null],
    ['a suppression record with nothing set', inputWith({ suppression: { unsubscribed_at: null, bounced_at: null } }), 'send', 'eligible', null],
    ['cart emptied', inputWith({}, { cart: { status: 'open', items_count: 0 } }), 'skip', 'cart_empty', null],
    ['cart gone', inputWith({}, { cart: null }), 'skip', 'cart_empty', null],
    ['cart ordered', inputWith({}, { cart: { status: 'ordered', items_count: 2 } }), 'skip', 'cart_converted', null],
    ['checkout started', inputWith({}, { cart: { status: 'checked_out', items_count: 2 } }), 'skip', 'cart_checked_out', null],
    ['a campaign not about a cart', inputWith({}, { cart: undefined }), 'send', 'eligible', null],
    ['control group', inputWith({ person_id: heldOut }), 'holdout', 'holdout', null],
    ['quiet hours: 23:00 UTC waits for 08:00', inputWith({}, { now: new Date('2026-06-01T23:00:00.000Z') }), 'defer', 'quiet_hours', '2026-06-02T08:00:00.000Z'],
    ['capped: two emails already today', inputWith({ sends_today_local: 2 }), 'skip', 'frequency_capped', null],
    ['one email today is under the cap', inputWith({ sends_today_local: 1 }), 'send', 'eligible', null],
    ['browse: added to a cart since the views', inputWith({}, { cart: undefined, trigger_exit: 'in_cart_journey' }), 'skip', 'in_cart_journey', null],
    ['back in stock: bought since', inputWith({}, { cart: undefined, trigger_exit: 'already_bought' }), 'skip', 'already_bought', null],
    ['back in stock: sold out again', inputWith({}, { cart: undefined, trigger_exit: 'sold_out_again' }), 'skip', 'sold_out_again', null],
    ['price drop: the price went back up', inputWith({}, { cart: undefined, trigger_exit: 'price_back_up' }), 'skip', 'price_back_up', null],
    ['nothing left to show', inputWith({}, { cart: undefined, trigger_exit: 'nothing_to_show' }), 'skip', 'nothing_to_show', null],
    ['another journey emailed within the window', inputWith({ recent_journey: 'journey_window' }), 'skip', 'journey_window', null],
    ['this campaign emailed within resend_after', inputWith({ recent_journey: 'campaign_repeat' }), 'skip', 'campaign_repeat', null],
    ['no recent journey email', inputWith({ recent_journey: null }), 'send', 'eligible', null],
    ['back in stock: the shopper ordered during the wait (an exit event)', inputWith({}, { cart: undefined, trigger_exit: 'exited' }), 'skip', 'exited', null],
  ];
  for (const [why, input, outcome, reason, deferUntil] of cases) {
    test(why, () => {
      const decision = decide(input);
      assert.deepEqual(
        { outcome: decision.outcome, reason: decision.reason, defer_until: decision.defer_until },
        { outcome, reason, defer_until: deferUntil },
      );
      assert.deepEqual(Decision.parse(decision), decision, 'a valid warehouse row');
    });
  }

  test('every reason is covered by the table above', () => {
    const covered = new Set(cases.map((c) => c[3]));
    assert.deepEqual([...covered].sort(), [...(Decision.shape.reason.options as readonly string[])].sort());
  });
});

describe('decide: the order of the checks', () => {
  test('each gate wins over everything after it', () => {
    const everything = { email: null, consent: false, suppression: { complained_at: '2026-05-01T00:00:00.000Z' }, person_id: heldOut, sends_today_local: 9 };
    const late = new Date('2026-06-01T23:00:00.000Z');
    const ordered = { status: 'ordered' as const, items_count: 0 };
    const chain: [Partial<DecisionPerson>, Decision['reason']][] = [
      [everything, 'no_email'],
      [{ ...everything, email: 'ann@example.com' }, 'suppressed_complained'],
      [{ ...everything, email: 'ann@example.com', suppression: null }, 'no_consent'],
      [{ ...everything, email: 'ann@example.com', consent: true, suppression: null }, 'cart_converted'],
    ];
    for (const [person, reason] of chain) assert.equal(decide(inputWith(person, { cart: ordered, now: late })).reason, reason);
    const open = { email: 'ann@example.com', consent: true, suppression: null, sends_today_local: 9 };
    // Holdout before quiet hours and the cap: the control group is drawn from everyone eligible.
    assert.equal(decide(inputWith({ ...open, person_id: heldOut }, { now: late })).outcome, 'holdout');
    // Quiet hours before the cap: the deferred decision is judged again against that day's count.
    assert.equal(decide(inputWith({ ...open, person_id: treated }, { now: late })).reason, 'quiet_hours');
    assert.equal(decide(inputWith({ ...open, person_id: treated })).reason, 'frequency_capped');
    // The journey rules come last: a capped day reads as capped, a held-out person as held out.
    assert.equal(decide(inputWith({ ...open, person_id: treated, recent_journey: 'journey_window' })).reason, 'frequency_capped');
    assert.equal(decide(inputWith({ ...open, person_id: heldOut, sends_today_local: 0, recent_journey: 'journey_window' })).outcome, 'holdout');
    // A trigger's exit is judged where the cart's is: after consent, before the holdout.
    assert.equal(decide(inputWith({ ...open, person_id: heldOut }, { cart: undefined, trigger_exit: 'already_bought' })).reason, 'already_bought');
    assert.equal(decide(inputWith({ ...open, consent: false }, { cart: undefined, trigger_exit: 'already_bought' })).reason, 'no_consent');
  });

  test('the worst suppression is the reason: complained, then unsubscribed, then bounced', () => {
    const at = '2026-05-01T00:00:00.000Z';
    assert.equal(decide(inputWith({ suppression: { unsubscribed_at: at, bounced_at: at, complained_at: at } })).reason, 'suppressed_complained');
    assert.equal(decide(inputWith({ suppression: { unsubscribed_at: at, bounced_at: at } })).reason, 'suppressed_unsubscribed');
  });

  test('an ordered cart is converted even when it also reads empty', () => {
    assert.equal(decide(inputWith({}, { cart: { status: 'ordered', items_count: 0 } })).reason, 'cart_converted');
  });
});

describe('decide: the person\'s own clock', () => {
  const at = (iso: string, timezone: string | null, sends = 0, p: DecisionPolicy = policy) => decide(inputWith({ timezone, sends_today_local: sends }, { now: new Date(iso), policy: p }));

  test('Tokyo at 23:30 UTC is 08:30 local: send, while a UTC person is deferred', () => {
    assert.equal(at('2026-06-01T23:30:00.000Z', 'Asia/Tokyo').outcome, 'send');
    assert.equal(at('2026-06-01T23:30:00.000Z', null).defer_until, '2026-06-02T08:00:00.000Z');
  });
  test('Tokyo at 15:30 UTC is 00:30 local: deferred to 08:00 JST (23:00 UTC)', () => {
    assert.equal(at('2026-06-01T15:30:00.000Z', 'Asia/Tokyo').defer_until, '2026-06-01T23:00:00.000Z');
  });
  test('DST nights defer to 08:00 local in the new offset', () => {
    assert.equal(at('2026-03-28T22:00:00.000Z', 'Europe/Berlin').defer_until, '2026-03-29T06:00:00.000Z');
    assert.equal(at('2026-10-24T21:00:00.000Z', 'Europe/Berlin').defer_until, '2026-10-25T07:00:00.000Z');
    assert.equal(at('2026-03-08T04:00:00.000Z', 'America/New_York').defer_until, '2026-03-08T12:00:00.000Z');
    assert.equal(at('2026-11-01T03:00:00.000Z', 'America/New_York').defer_until, '2026-11-01T13:00:00.000Z');
  });
  test('an invalid timezone trait falls back to the policy zone', () => {
    const berlin = DecisionPolicy.parse({ defaultTimeZone: 'Europe/Berlin' });
    // 20:00 UTC = 22:00 CEST: quiet in Berlin, not in UTC.
    assert.equal(at('2026-06-01T20:00:00.000Z', 'Mars/Olympus', 0, berlin).defer_until, '2026-06-02T06:00:00.000Z');
    assert.equal(at('2026-06-01T20:00:00.000Z', 'Mars/Olympus').outcome, 'send');
  });
});

describe('decide: policy knobs', () => {
  test('no quiet hours, no cap, no holdout: everyone eligible is sent to at any hour', () => {
    const open = DecisionPolicy.parse({ quietHours: null, frequencyCapPerDay: null, holdoutPercent: 0 });
    const decision = decide(inputWith({ person_id: heldOut, sends_today_local: 50 }, { policy: open, now: new Date('2026-06-01T03:00:00.000Z') }));
    assert.equal(decision.outcome, 'send');
  });
  test('a cap of 5 allows the third email', () => {
    assert.equal(decide(inputWith({ sends_today_local: 2 }, { policy: DecisionPolicy.parse({ frequencyCapPerDay: 5 }) })).outcome, 'send');
  });
  test('defaults: cap 2, quiet 21:00–08:00, 10% holdout, UTC', () => {
    assert.deepEqual(
      { cap: policy.frequencyCapPerDay, quiet: policy.quietHours, holdout: policy.holdoutPercent, zone: policy.defaultTimeZone },
      { cap: 2, quiet: { start: '21:00', end: '08:00' }, holdout: 10, zone: 'UTC' },
    );
  });
  test('a bad policy is refused with the field named', () => {
    const result = DecisionPolicy.safeParse({ quietHours: { start: '9pm', end: '08:00' }, defaultTimeZone: 'Nowhere/Town', holdoutPercent: 120 });
    assert.equal(result.success, false);
    const paths = result.error!.issues.map((issue) => issue.path.join('.')).sort();
    assert.deepEqual(paths, ['defaultTimeZone', 'holdoutPercent', 'quietHours.start']);
  });
});

describe('decide: the record', () => {
  test('carries the ids, the step, the variant and the decision time', () => {
    const decision = decide(inputWith({}, { step: 1, send_id: 'send-42', variant_id: 'subject-b', trigger_key: '["cart-9",null]' }));
    assert.deepEqual(decision, {
      decision_id: 'decision-1',
      send_id: 'send-42',
      campaign_id: 'cart-abandonment',
      person_id: treated,
      step: 1,
      outcome: 'send',
      reason: 'eligible',
      defer_until: null,
      decided_at: '2026-06-01T12:00:00.000Z',
      variant_id: 'subject-b',
      trigger_key: '["cart-9",null]',
      live_data_fallbacks: null,
    });
    const withFallbacks = decide(inputWith({}, { live_data_fallbacks: '[{"product_id":"p1","used":"catalog","reason":"timeout"}]' }));
    assert.equal(withFallbacks.live_data_fallbacks, '[{"product_id":"p1","used":"catalog","reason":"timeout"}]');
  });
  test('the same input decides the same way (pure), with a fresh id each call', () => {
    const ids = ['a', 'b'];
    const first = decide({ ...inputWith(), newId: () => ids.shift()! });
    const second = decide({ ...inputWith(), newId: () => ids.shift()! });
    assert.deepEqual({ ...first, decision_id: 'x' }, { ...second, decision_id: 'x' });
    assert.notEqual(first.decision_id, second.decision_id);
  });
});
