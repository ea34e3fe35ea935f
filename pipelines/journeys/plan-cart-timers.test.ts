import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { planCartTimers } from './plan-cart-timers.ts';
import { CampaignDefinition } from '../campaigns/campaign-definition.ts';
import { makeEvent } from '../profiles/event-fixtures.ts';
import { emptyProfile, type Cart, type Profile } from '../profiles/profile.ts';

const campaign = CampaignDefinition.parse({
  id: 'cart-abandonment',
  name: 'Cart abandonment',
  trigger: { kind: 'cart_abandoned' },
  wait: '30m',
  exit_events: ['checkout_started', 'order_completed'],
  subjects: [{ id: 'a', subject: 'Your cart' }],
  sender: { name: 'Shop', email: 'shop@example.com' },
  postal_address: '1 Main St',
});

function withCart(cart: Partial<Cart> | null): Profile {
  const profile = emptyProfile('p-1', '2026-03-01T09:00:00.000Z');
  if (!cart) return profile;
  return {
    ...profile,
    cart: {
      cart_id: 'c-1',
      items: [{ product_id: 'sku-1', name: 'Jacket', price: 100, quantity: 1, image_url: null, url: null, category: null }],
      value: 100,
      currency: 'EUR',
      status: 'open',
      updated_at: '2026-03-01T10:00:00.000Z',
      ...cart,
    } as Cart,
  };
}

describe('planCartTimers', () => {
  test('arms step 0 at last cart activity + wait when an open cart changes', () => {
    const added = makeEvent('product_added');
    const plan = planCartTimers([campaign], { person_id: 'p-1', before: withCart(null), after: withCart({}), events: [added] });
    assert.deepEqual(plan.remove, []);
    assert.equal(plan.put.length, 1);
    assert.deepEqual(
      { ...plan.put[0] },
      { timer_id: 'cart-abandonment:p-1:c-1', campaign_id: 'cart-abandonment', person_id: 'p-1', trigger_key: 'c-1', step: 0, due_at: '2026-03-01T10:30:00.000Z', armed_at: '2026-03-01T10:00:00.000Z', armed_by_event_id: added.event_id },
    );
  });

  test('re-arming after another change pushes the same timer back', () => {
    const before = withCart({});
    const after = withCart({ updated_at: '2026-03-01T10:10:00.000Z' });
    const plan = planCartTimers([campaign], { person_id: 'p-1', before, after, events: [makeEvent('product_added')] });
    assert.equal(plan.put[0]?.timer_id, 'cart-abandonment:p-1:c-1');
    assert.equal(plan.put[0]?.due_at, '2026-03-01T10:40:00.000Z');
  });

  test('an event that does not change the cart leaves the timer alone', () => {
    const plan = planCartTimers([campaign], { person_id: 'p-1', before: withCart({}), after: withCart({}), events: [makeEvent('product_viewed')] });
    assert.deepEqual(plan, { put: [], remove: [] });
  });

  for (const [name, after, kind] of [
    ['an order', withCart({ status: 'ordered' }), 'order_completed'],
    ['a checkout', withCart({ status: 'checked_out' }), 'checkout_started'],
    ['an emptied cart', withCart({ items: [] }), 'product_removed'],
  ] as const) {
    test(`${name} cancels the timer`, () => {
      const plan = planCartTimers([campaign], { person_id: 'p-1', before: withCart({}), after, events: [makeEvent(kind)] });
      assert.deepEqual(plan, { put: [], remove: ['cart-abandonment:p-1:c-1'] });
    });
  }

  test('an exit event cancels even when the cart still looks open', () => {
    const plan = planCartTimers([campaign], { person_id: 'p-1', before: withCart({}), after: withCart({ updated_at: '2026-03-01T10:05:00.000Z' }), events: [makeEvent('checkout_started')] });
    assert.deepEqual(plan, { put: [], remove: ['cart-abandonment:p-1:c-1'] });
  });

  test('a new cart replaces the old cart timer', () => {
    const plan = planCartTimers([campaign], { person_id: 'p-1', before: withCart({}), after: withCart({ cart_id: 'c-2', updated_at: '2026-03-01T11:00:00.000Z' }), events: [makeEvent('product_added')] });
    assert.deepEqual(plan.remove, ['cart-abandonment:p-1:c-1']);
    assert.equal(plan.put[0]?.timer_id, 'cart-abandonment:p-1:c-2');
  });
});
