import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { makeEvent } from '../profiles/event-fixtures.ts';
import type { Profile } from '../profiles/profile.ts';
import { compareProfile } from './compare-profile.ts';
import { emptyHistory, readPersonHistory, type PersonHistory } from './person-history.ts';
import { refoldHistory } from './refold-history.ts';

const T = '2026-03-01T10:00:00.000Z';
const ev = (kind: Parameters<typeof makeEvent>[0], minute: number, properties: Record<string, unknown> = {}, extra: Parameters<typeof makeEvent>[1] = {}) => {
  const at = `2026-03-01T10:${String(minute).padStart(2, '0')}:00.000Z`;
  return makeEvent(kind, { occurred_at: at, received_at: at, properties, ...extra });
};

/** A person who added two products, ordered, added one more, gave an address and a consent. */
function person(): Profile {
  return refoldHistory('p-1', [
    ev('product_added', 1, { product_id: 'a', price: 2, quantity: 2 }),
    ev('order_completed', 2, { total: 19.99 }),
    ev('product_added', 3, { product_id: 'b', price: 1 }),
    ev('identify', 4, {}, { type: 'identify', email: 'p@example.com', traits: { email_marketing_consent: true } }),
  ], T);
}

/** The history that agrees with person(). */
function agreeing(): PersonHistory {
  return {
    person_id: 'p-1',
    events_count: 4,
    orders_count: 1,
    orders_revenue: 19.99,
    last_order_at: '2026-03-01T10:02:00.000Z',
    email_marketing: true,
    consent_at: '2026-03-01T10:04:00.000Z',
    emails: ['p@example.com'],
    last_seen_at: '2026-03-01T10:04:00.000Z',
    cart_id: 'default',
    cart_items: [{ product_id: 'b', quantity: 1 }],
  };
}

describe('compareProfile: each field the history disagrees on, with tolerances stated', () => {
  test('a profile that matches its history has no diff', () => {
    assert.deepEqual(compareProfile(person(), agreeing()), []);
  });

  const cases: { name: string; history: Partial<PersonHistory>; fields: string[] }[] = [
    { name: 'an order the profile never counted', history: { orders_count: 2 }, fields: ['orders.count'] },
    { name: 'revenue off by a cent', history: { orders_revenue: 20.0 }, fields: ['orders.revenue'] },
    { name: 'revenue within half a cent is the same money', history: { orders_revenue: 19.994 }, fields: [] },
    { name: 'revenue off by half a cent or more', history: { orders_revenue: 19.995 }, fields: ['orders.revenue'] },
    { name: 'last order a millisecond later', history: { last_order_at: '2026-03-01T10:02:00.001Z' }, fields: ['orders.last_order_at'] },
    { name: 'no order at all in the history', history: { last_order_at: null }, fields: ['orders.last_order_at'] },
    { name: 'a cart line with another quantity', history: { cart_items: [{ product_id: 'b', quantity: 2 }] }, fields: ['cart.items'] },
    { name: 'a cart the history says is empty', history: { cart_items: [] }, fields: ['cart.items'] },
    { name: 'consent withdrawn in the history', history: { email_marketing: false }, fields: ['consent.email_marketing'] },
    { name: 'consent never said in the history', history: { email_marketing: null }, fields: ['consent.email_marketing'] },
    { name: 'an address the profile lacks', history: { emails: ['new@example.com', 'p@example.com'] }, fields: ['identities.emails'] },
    { name: 'seen later than the profile knows', history: { last_seen_at: '2026-03-01T11:00:00.000Z' }, fields: ['last_seen_at'] },
  ];
  for (const { name, history, fields } of cases) {
    test(name, () => {
      assert.deepEqual(compareProfile(person(), { ...agreeing(), ...history }).map((diff) => diff.field), fields);
    });
  }

  test('instants are compared as instants: the same millisecond written another way agrees', () => {
    assert.deepEqual(compareProfile(person(), { ...agreeing(), last_order_at: '2026-03-01T10:02:00Z', last_seen_at: '2026-03-01T10:04:00.000000Z' }), []);
  });

  test('half a cent exactly is not the same money', () => {
    const nothing = refoldHistory('p-1', [], T);
    assert.deepEqual(compareProfile(nothing, { ...emptyHistory('p-1'), orders_revenue: 0.005 }).map((diff) => diff.field), ['orders.revenue']);
    assert.deepEqual(compareProfile(nothing, { ...emptyHistory('p-1'), orders_revenue: 0.0049 }), []);
  });

  test('sets and lines are compared whatever their order', () => {
    const profile = refoldHistory('p-1', [
      ev('product_added', 1, { product_id: 'z' }),
      ev('product_added', 2, { product_id: 'a', quantity: 2 }),
      ev('product_added', 3, { product_id: 'm' }),
      ev('identify', 4, {}, { type: 'identify', email: 'b@example.com' }),
      ev('identify', 5, {}, { type: 'identify', email: 'a@example.com' }),
      ev('identify', 6, {}, { type: 'identify', email: 'c@example.com' }),
    ], T);
    const history = {
      ...emptyHistory('p-1'),
      events_count: 6,
      last_seen_at: '2026-03-01T10:06:00.000Z',
      emails: ['b@example.com', 'c@example.com', 'a@example.com'],
      cart_id: 'default',
      cart_items: [{ product_id: 'm', quantity: 1 }, { product_id: 'z', quantity: 1 }, { product_id: 'a', quantity: 2 }],
    };
    assert.deepEqual(compareProfile(profile, history), []);
    const [diff] = compareProfile(profile, { ...history, cart_items: [{ product_id: 'z', quantity: 1 }, { product_id: 'a', quantity: 2 }] });
    assert.deepEqual(diff?.profile_value, [{ product_id: 'a', quantity: 2 }, { product_id: 'm', quantity: 1 }, { product_id: 'z', quantity: 1 }]);
    assert.deepEqual(diff?.history_value, [{ product_id: 'a', quantity: 2 }, { product_id: 'z', quantity: 1 }]);
  });

  test('the history lists more addresses than the profile keeps: the most recent emailsMax are compared', () => {
    const history = { ...agreeing(), emails: ['p@example.com', 'old@example.com'] };
    assert.deepEqual(compareProfile(person(), history, { emailsMax: 1 }), []);
    assert.deepEqual(compareProfile(person(), history, { emailsMax: 2 }).map((diff) => diff.field), ['identities.emails']);
  });

  test('values are reported as both sides state them (sorted sets, cart lines as id and quantity)', () => {
    const [diff] = compareProfile(person(), { ...agreeing(), cart_items: [{ product_id: 'z', quantity: 1 }, { product_id: 'b', quantity: 3 }] });
    assert.deepEqual(diff, {
      field: 'cart.items',
      profile_value: [{ product_id: 'b', quantity: 1 }],
      history_value: [{ product_id: 'b', quantity: 3 }, { product_id: 'z', quantity: 1 }],
    });
  });

  test('a person with nothing yet (no cart, no order, no consent, no address) agrees with an empty history', () => {
    assert.deepEqual(compareProfile(refoldHistory('p-1', [], T), emptyHistory('p-1')), []);
    assert.deepEqual(compareProfile(refoldHistory('p-1', [ev('page', 1)], T), { ...emptyHistory('p-1'), events_count: 1, last_seen_at: '2026-03-01T10:01:00.000Z' }), []);
  });

  test('by default the profile keeps five addresses: a sixth, older one in the history is no diff', () => {
    const emails = ['a', 'b', 'c', 'd', 'e', 'f'].map((name) => `${name}@example.com`);
    const profile = refoldHistory('p-1', emails.map((email, i) => ev('identify', 10 - i, {}, { type: 'identify', email })), T);
    assert.deepEqual(profile.identities.emails, emails.slice(0, 5));
    const history = { ...emptyHistory('p-1'), emails, events_count: 6, last_seen_at: '2026-03-01T10:10:00.000Z' };
    assert.deepEqual(compareProfile(profile, history), []);
  });

  test('a person without history disagrees on every field the profile has a value for', () => {
    assert.deepEqual(compareProfile(person(), emptyHistory('p-1')).map((diff) => diff.field), [
      'orders.count',
      'orders.revenue',
      'orders.last_order_at',
      'cart.items',
      'consent.email_marketing',
      'identities.emails',
      'last_seen_at',
    ]);
  });
});

describe('emptyHistory: nothing known', () => {
  test('every field empty', () => {
    assert.deepEqual(emptyHistory('p-9'), {
      person_id: 'p-9',
      events_count: 0,
      orders_count: 0,
      orders_revenue: 0,
      last_order_at: null,
      email_marketing: null,
      consent_at: null,
      emails: [],
      last_seen_at: null,
      cart_id: null,
      cart_items: [],
    });
  });
});

describe('readPersonHistory: a warehouse row is parsed, not trusted', () => {
  test('a row that is not even an object', () => {
    assert.throws(() => readPersonHistory(null), /person_history row for \(unknown\): \(row\):/);
    assert.throws(() => readPersonHistory({ orders_count: 1 }), /person_history row for \(unknown\): person_id:/);
  });
  test('a row of the right shape', () => {
    assert.deepEqual(readPersonHistory(agreeing()), agreeing());
  });
  test('instants must be UTC, as profiles write them', () => {
    assert.throws(() => readPersonHistory({ ...agreeing(), last_order_at: '2026-03-01T11:02:00+01:00' }), /last_order_at/);
  });
  test('a wrong type names the person and the field', () => {
    assert.throws(() => readPersonHistory({ ...agreeing(), orders_count: '2' }), /person_history row for p-1: orders_count:/);
    assert.throws(() => readPersonHistory({ ...agreeing(), cart_items: [{ product_id: 'b' }] }), /cart_items\.0\.quantity/);
  });
});
