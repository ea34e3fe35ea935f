import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { applyEvent } from './apply-event.ts';
import { makeEvent } from './event-fixtures.ts';
import { emptyProfile, type Profile } from './profile.ts';
import { repairProfile } from './repair-profile.ts';

const now = '2026-03-01T12:00:00.000Z';
const stored = (): Profile => {
  const profile = applyEvent(emptyProfile('p-1', now), makeEvent('product_added', { user_id: 'u-1', properties: { product_id: 'jacket', name: 'Jacket', price: 100, quantity: 2 } }));
  return applyEvent(profile, makeEvent('order_completed', { user_id: 'u-1', occurred_at: '2026-02-01T00:00:00.000Z', received_at: '2026-02-01T00:00:00.000Z', properties: { order_id: 'o-1', total: 50 } }));
};

describe('repairProfile', () => {
  test('a valid document comes back as it is, nothing dropped', () => {
    const doc = stored();
    assert.deepEqual(repairProfile('p-1', JSON.parse(JSON.stringify(doc)), now), { profile: doc, dropped: [] });
  });

  for (const [name, corrupt, dropped, check] of [
    ['a null counter is reset', (doc: Profile) => ({ ...doc, orders: { ...doc.orders, revenue: null } }), ['orders.revenue'], (p: Profile) => assert.equal(p.orders.revenue, 0)],
    ['a null in the cart view drops that view only', (doc: Profile) => ({ ...doc, cart: { ...doc.cart!, value: null } }), ['cart'], (p: Profile) => assert.equal(p.orders.count, 1)],
    [
      'a bad log entry drops that entry, not the cart',
      (doc: Profile) => ({ ...doc, state: { ...doc.state, carts: [{ ...doc.state.carts[0]!, deltas: [{ ...doc.state.carts[0]!.deltas[0]!, quantity: null }] }] } }),
      ['state.carts[0].deltas[0]'],
      (p: Profile) => assert.equal(p.state.carts[0]?.lines.length, 1),
    ],
    ['a wrong-typed trait map is reset', (doc: Profile) => ({ ...doc, traits: 'oops' }), ['traits'], (p: Profile) => assert.deepEqual(p.traits, {})],
  ] as const) {
    test(name, () => {
      const result = repairProfile('p-1', corrupt(stored()), now);
      assert.deepEqual(result.dropped, dropped);
      assert.equal(result.profile.person_id, 'p-1');
      assert.equal(result.profile.identities.user_id, 'u-1', 'the rest of the person is kept');
      check(result.profile);
    });
  }

  test('two bad entries of one log are both dropped and the good one between them kept, each named once', () => {
    const doc = stored();
    const cart = doc.state.carts[0]!;
    const good = cart.deltas[0]!;
    const bad = (n: number) => ({ ...good, event_id: `bad-${n}`, quantity: null });
    const corrupt = { ...doc, state: { ...doc.state, carts: [{ ...cart, deltas: [bad(0), good, bad(2)] }] }, cart: { ...doc.cart!, value: null, updated_at: null } };
    const result = repairProfile('p-1', corrupt, now);
    assert.deepEqual(result.profile.state.carts[0]?.deltas, [good]);
    assert.deepEqual([...result.dropped].sort(), ['cart', 'state.carts[0].deltas[0]', 'state.carts[0].deltas[2]']);
    assert.equal(result.profile.cart, null, 'the view is recomputed by the next merge');
  });

  test('something that is not a document at all becomes an empty profile of that person', () => {
    for (const doc of [null, 'text', 42, []]) {
      const result = repairProfile('p-1', doc, now);
      assert.deepEqual(result.profile, emptyProfile('p-1', now));
      assert.deepEqual(result.dropped, ['(whole document)']);
    }
  });
});
