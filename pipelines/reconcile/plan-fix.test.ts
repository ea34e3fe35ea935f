import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { suppressionOf } from '../engagement/suppression.ts';
import type { NudgeEvent } from '../events/nudge-event.ts';
import { applyEvent } from '../profiles/apply-event.ts';
import { makeEvent } from '../profiles/event-fixtures.ts';
import { planFix } from './plan-fix.ts';
import { refoldHistory } from './refold-history.ts';

const T = '2026-03-01T09:00:00.000Z';
const at = (minute: number) => `2026-03-01T10:${String(minute).padStart(2, '0')}:00.000Z`;
const ev = (kind: NudgeEvent['kind'], minute: number, overrides: Partial<NudgeEvent> = {}) => makeEvent(kind, { occurred_at: at(minute), received_at: at(minute), ...overrides });

const added = ev('product_added', 1, { properties: { product_id: 'a', price: 5 } });
const order1 = ev('order_completed', 2, { properties: { total: 10 } });
const order2 = ev('order_completed', 3, { properties: { total: 2.5 } });
const viewed = ev('product_viewed', 4, { properties: { product_id: 'v', name: 'Viewed' } });
const trait = ev('identify', 5, { type: 'identify', traits: { plan: 'gold' } });
const fold = (events: NudgeEvent[]) => refoldHistory('p-1', events, T);

describe('planFix: the state behind each wrong field comes from the refolded history', () => {
  test('a lost order: counters, the last order and its clock, and the cart it emptied', () => {
    const current = fold([added, order1, viewed, trait]);
    const rebuilt = fold([added, order1, order2, viewed, trait]);
    const { profile, withheld } = planFix(current, rebuilt, ['orders.count', 'orders.revenue', 'orders.last_order_at']);
    assert.deepEqual(profile.orders, rebuilt.orders);
    assert.deepEqual(profile.clocks['order:last'], { at: at(3), event_id: order2.event_id });
    assert.equal(profile.state.carts_ordered?.event_id, order2.event_id);
    assert.equal(withheld.size, 0);
    // What was not judged stays: views, traits, identity, versions.
    assert.deepEqual([profile.recent_views, profile.traits, profile.version, profile.person_id], [current.recent_views, current.traits, current.version, 'p-1']);
  });

  test('later events merge into a fixed profile as into any other: a new order adds one, an older one does not move last_order_at', () => {
    const current = { ...fold([order1]), orders: { count: 7, revenue: 1, currency: null, last_order_at: at(2), last_order_id: null } };
    const fixed = planFix(current, fold([order1, order2]), ['orders.count', 'orders.revenue']).profile;
    const later = applyEvent(fixed, ev('order_completed', 9, { properties: { total: 1 } }));
    assert.deepEqual([later.orders.count, later.orders.revenue, later.orders.last_order_at], [3, 13.5, at(9)]);
    const lateOld = applyEvent(fixed, ev('order_completed', 0, { properties: { total: 1 } }));
    assert.equal(lateOld.orders.last_order_at, at(3));
  });

  test('a stale cart: the cart logs come from the history and the view is recomputed', () => {
    const removed = ev('product_removed', 6, { properties: { product_id: 'a' } });
    const current = fold([added]);
    const { profile } = planFix(current, fold([added, removed]), ['cart.items']);
    assert.deepEqual(profile.cart?.items, []);
    // And an add after the fix fills it again.
    assert.deepEqual(applyEvent(profile, ev('product_added', 8, { properties: { product_id: 'b' } })).cart?.items.map((item) => item.product_id), ['b']);
  });

  test('a stale cart the history emptied by an order: the order mark comes with the cart logs', () => {
    const current = fold([added]);
    const { profile } = planFix(current, fold([added, order1]), ['cart.items']);
    assert.equal(profile.state.carts_ordered?.event_id, order1.event_id);
    assert.deepEqual(profile.cart?.items, []);
    // Only the cart was asked for: the orders counter stays as it was.
    assert.equal(profile.orders.count, 0);
  });

  test('only orders.last_order_at asked for: the orders come from the history all the same', () => {
    const current = fold([order1]);
    const { profile } = planFix(current, fold([order1, order2]), ['orders.last_order_at']);
    assert.deepEqual([profile.orders.count, profile.orders.last_order_at], [2, at(3)]);
  });

  describe('each field alone: only its own state moves', () => {
    const older = ev('identify', 1, { type: 'identify', email: 'old@example.com', traits: { email_marketing_consent: true } });
    const current = fold([added, older]);
    const rebuilt = fold([added, older, order1, ev('identify', 6, { type: 'identify', email: 'new@example.com' }), ev('consent_updated', 7, { properties: { email_marketing: false, source: 'center' } }), viewed]);
    const view = (p: typeof current) => ({
      orders: [p.orders.count, p.orders.last_order_at],
      cart: (p.cart?.items ?? []).map((item) => item.product_id),
      consent: p.consent.email_marketing?.value ?? null,
      emails: p.identities.emails,
      last_seen_at: p.last_seen_at,
    });
    const before = view(current);
    const after = view(rebuilt);
    assert.notDeepEqual(before, after);
    const cases: [Parameters<typeof planFix>[2][number], (keyof typeof before)[]][] = [
      // An order empties the carts before it: the cart view follows the order mark.
      ['orders.count', ['orders', 'cart']],
      ['cart.items', ['cart']],
      ['consent.email_marketing', ['consent']],
      ['identities.emails', ['emails']],
      ['last_seen_at', ['last_seen_at']],
    ];
    for (const [field, moved] of cases) {
      test(field, () => {
        const fixed = view(planFix(current, rebuilt, [field]).profile);
        for (const key of Object.keys(before) as (keyof typeof before)[]) {
          assert.deepEqual(fixed[key], moved.includes(key) ? after[key] : before[key], `${key} after fixing ${field}`);
        }
      });
    }
  });

  test('an address the history never saw goes; the other clocks stay as they were', () => {
    const real = ev('identify', 1, { type: 'identify', email: 'real@example.com', traits: { email_marketing_consent: true } });
    const current = fold([real, ev('identify', 2, { type: 'identify', email: 'ghost@example.com' })]);
    const rebuilt = fold([real, ev('consent_updated', 3, { properties: { email_marketing: false } })]);
    const { profile } = planFix(current, rebuilt, ['identities.emails']);
    assert.deepEqual(profile.identities.emails, ['real@example.com']);
    const others = (clocks: typeof current.clocks) => Object.fromEntries(Object.entries(clocks).filter(([key]) => !key.startsWith('email:')));
    assert.deepEqual(others(profile.clocks), others(current.clocks));
  });

  test('addresses of a person unsubscribed (not tied to an address) are taken: the suppression stays', () => {
    const unsubscribed = ev('identify', 2, { type: 'identify', source: 'unsubscribe', email: 'a@example.com', traits: { email_unsubscribed_at: at(2) } });
    const current = fold([unsubscribed]);
    const rebuilt = fold([unsubscribed, ev('identify', 9, { type: 'identify', email: 'b@example.com' })]);
    const plan = planFix(current, rebuilt, ['identities.emails']);
    assert.deepEqual(plan.profile.identities.emails, ['b@example.com', 'a@example.com']);
    assert.equal(plan.withheld.size, 0);
    assert.notEqual(suppressionOf(plan.profile), null);
  });

  const consentCases: { name: string; profileSays: boolean | null; historySays: boolean | null; fixed: boolean }[] = [
    { name: 'profile yes, history no: fixed (less email)', profileSays: true, historySays: false, fixed: true },
    { name: 'profile yes, history never said: fixed (less email)', profileSays: true, historySays: null, fixed: true },
    { name: 'profile never said, history no: fixed (less email)', profileSays: null, historySays: false, fixed: true },
    { name: 'profile no, history yes: withheld (more email)', profileSays: false, historySays: true, fixed: false },
    { name: 'profile never said, history yes: withheld (more email)', profileSays: null, historySays: true, fixed: false },
    { name: 'profile no, history never said: withheld (more email)', profileSays: false, historySays: null, fixed: false },
  ];
  for (const { name, profileSays, historySays, fixed } of consentCases) {
    test(`consent: ${name}`, () => {
      const said = (value: boolean | null, minute: number) => (value === null ? [] : [ev('consent_updated', minute, { properties: { email_marketing: value, source: 'center' } })]);
      const current = fold(said(profileSays, 1));
      const rebuilt = fold(said(historySays, 2));
      const plan = planFix(current, rebuilt, ['consent.email_marketing']);
      assert.equal(plan.profile.consent.email_marketing?.value ?? null, fixed ? historySays : profileSays);
      assert.equal(plan.withheld.has('consent.email_marketing'), !fixed);
      const clockOf = (profile: typeof current) => (Object.hasOwn(profile.clocks, 'consent:email_marketing') ? profile.clocks['consent:email_marketing'] : 'no clock');
      assert.deepEqual(clockOf(plan.profile), clockOf(fixed ? rebuilt : current));
    });
  }

  test('addresses that would lift a bounce are withheld; the suppression stays', () => {
    const bounced = ev('identify', 3, { type: 'identify', email: 'dead@example.com', source: 'sendgrid-webhook', traits: { email_bounced_at: at(3), email_bounced_address: 'dead@example.com' } });
    const current = fold([bounced]);
    assert.notEqual(suppressionOf(current), null);
    const rebuilt = fold([bounced, ev('identify', 9, { type: 'identify', email: 'live@example.com' })]);
    const plan = planFix(current, rebuilt, ['identities.emails']);
    assert.deepEqual(plan.profile.identities.emails, ['dead@example.com']);
    assert.match(plan.withheld.get('identities.emails') ?? '', /suppression/);
  });

  test('addresses of an unsuppressed person are taken from the history', () => {
    const current = fold([ev('identify', 1, { type: 'identify', email: 'old@example.com' })]);
    const rebuilt = fold([ev('identify', 1, { type: 'identify', email: 'old@example.com' }), ev('identify', 9, { type: 'identify', email: 'new@example.com' })]);
    assert.deepEqual(planFix(current, rebuilt, ['identities.emails']).profile.identities.emails, ['new@example.com', 'old@example.com']);
  });

  test('last_seen_at comes from the history; nothing asked, nothing changed', () => {
    const current = fold([added]);
    const rebuilt = fold([added, viewed]);
    assert.equal(planFix(current, rebuilt, ['last_seen_at']).profile.last_seen_at, at(4));
    assert.deepEqual(planFix(current, rebuilt, []).profile, current);
  });
});
