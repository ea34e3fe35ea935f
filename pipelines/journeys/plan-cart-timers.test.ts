import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cartTriggerKey } from './cart-trigger-key.ts';
import { planCartTimers } from './plan-cart-timers.ts';
import { cartCampaign as campaign } from '../../test/support/journey-harness.ts';
import type { EventKind } from '../events/nudge-event.ts';
import { makeEvent } from '../profiles/event-fixtures.ts';
import { emptyProfile, type Cart, type Profile } from '../profiles/profile.ts';

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
      opened_after_event_id: 'evt-closed-1',
      ...cart,
    },
  };
}

const key = (cart: Partial<Cart> = {}) => cartTriggerKey(withCart(cart).cart)!;
const timerId = (cart: Partial<Cart> = {}) => `cart-abandonment:p-1:${key(cart)}`;
const cartEvent = (kind: EventKind, received = '2026-03-01T10:00:00.000Z', occurred = received) =>
  makeEvent(kind, { received_at: received, occurred_at: occurred, properties: { cart_id: 'c-1' } });

describe('planCartTimers', () => {
  test('arms step 0 at the time nudge received the cart activity + wait', () => {
    const added = cartEvent('product_added', '2026-03-01T10:00:00.000Z', '2026-03-01T09:00:00.000Z');
    const plan = planCartTimers([campaign], { person_id: 'p-1', before: withCart(null), after: withCart({}), events: [added] });
    assert.deepEqual(plan.remove, []);
    assert.deepEqual(plan.put, [
      { timer_id: timerId(), campaign_id: 'cart-abandonment', person_id: 'p-1', trigger_key: key(), step: 0, due_at: '2026-03-01T10:30:00.000Z', armed_at: '2026-03-01T10:00:00.000Z', armed_by_event_id: added.event_id },
    ]);
  });

  test('re-arming after more activity pushes the same timer back, from the latest received event', () => {
    const events = [cartEvent('product_added', '2026-03-01T10:10:00.000Z'), cartEvent('cart_viewed', '2026-03-01T10:05:00.000Z')];
    const plan = planCartTimers([campaign], { person_id: 'p-1', before: withCart({}), after: withCart({ updated_at: '2026-03-01T10:10:00.000Z' }), events });
    assert.equal(plan.put[0]?.timer_id, timerId());
    assert.equal(plan.put[0]?.due_at, '2026-03-01T10:40:00.000Z');
    assert.equal(plan.put[0]?.armed_by_event_id, events[0]!.event_id);
  });

  test('the latest received activity arms, whatever its place in the batch; of two received at once, the later sent', () => {
    const events = [cartEvent('product_removed', '2026-03-01T10:05:00.000Z'), cartEvent('product_added', '2026-03-01T10:10:00.000Z'), cartEvent('cart_viewed', '2026-03-01T10:10:00.000Z')];
    const plan = planCartTimers([campaign], { person_id: 'p-1', before: withCart({}), after: withCart({ updated_at: '2026-03-01T10:10:00.000Z' }), events });
    assert.equal(plan.put[0]?.due_at, '2026-03-01T10:40:00.000Z');
    assert.equal(plan.put[0]?.armed_by_event_id, events[2]!.event_id);
  });

  test('removing one of several products is cart activity: it pushes the reminder back', () => {
    const removed = cartEvent('product_removed', '2026-03-01T10:20:00.000Z');
    const plan = planCartTimers([campaign], { person_id: 'p-1', before: withCart({}), after: withCart({ updated_at: '2026-03-01T10:20:00.000Z' }), events: [removed] });
    assert.equal(plan.put[0]?.due_at, '2026-03-01T10:50:00.000Z');
  });

  test('an event that is not cart activity leaves the timer alone', () => {
    const plan = planCartTimers([campaign], { person_id: 'p-1', before: withCart({}), after: withCart({}), events: [makeEvent('product_viewed')] });
    assert.deepEqual(plan, { put: [], remove: [] });
  });

  test('activity on another cart id does not re-arm this one', () => {
    const other = makeEvent('product_added', { received_at: '2026-03-01T10:00:00.000Z', properties: { cart_id: 'c-9' } });
    const plan = planCartTimers([campaign], { person_id: 'p-1', before: withCart({}), after: withCart({}), events: [other] });
    assert.deepEqual(plan, { put: [], remove: [] });
  });

  test('a merge without cart activity arms nothing, even when the survivor gains a cart', () => {
    const plan = planCartTimers([campaign], { person_id: 'p-1', before: withCart(null), after: withCart({}), events: [makeEvent('identify')] });
    assert.deepEqual(plan, { put: [], remove: [] });
  });

  for (const [name, after, kind] of [
    ['an order', withCart({ status: 'ordered' }), 'order_completed'],
    ['a checkout', withCart({ status: 'checked_out' }), 'checkout_started'],
    ['an emptied cart', withCart({ items: [], opened_after_event_id: null }), 'product_removed'],
  ] as const) {
    test(`${name} cancels the timer`, () => {
      const plan = planCartTimers([campaign], { person_id: 'p-1', before: withCart({}), after, events: [cartEvent(kind)] });
      assert.deepEqual(plan, { put: [], remove: [timerId()] });
    });
  }

  test('an exit event after the last cart activity cancels even when the cart still looks open', () => {
    const exit = cartEvent('checkout_started', '2026-03-01T10:06:00.000Z');
    const events = [makeEvent('product_viewed', { received_at: '2026-03-01T10:06:00.000Z' }), exit];
    const plan = planCartTimers([campaign], { person_id: 'p-1', before: withCart({}), after: withCart({ updated_at: '2026-03-01T10:05:00.000Z' }), events });
    assert.deepEqual(plan, { put: [], remove: [timerId()] });
  });

  test('an exit event before the cart activity of the same batch does not cancel the cart it left open', () => {
    const events = [cartEvent('order_completed', '2026-03-01T10:06:00.000Z', '2026-03-01T10:04:00.000Z'), cartEvent('product_added', '2026-03-01T10:06:00.000Z', '2026-03-01T10:05:00.000Z')];
    const after = withCart({ updated_at: '2026-03-01T10:05:00.000Z', opened_after_event_id: events[0]!.event_id });
    const plan = planCartTimers([campaign], { person_id: 'p-1', before: withCart({}), after, events });
    assert.deepEqual(plan.remove, [timerId()], 'the ordered filling is cancelled');
    assert.deepEqual(plan.put.map((timer) => timer.trigger_key), [key({ opened_after_event_id: events[0]!.event_id })]);
  });

  test('a cart filled again (a new filling of the same cart id) replaces the old filling’s timer', () => {
    const refill = { opened_after_event_id: 'evt-closed-2', updated_at: '2026-03-01T11:00:00.000Z' };
    const plan = planCartTimers([campaign], { person_id: 'p-1', before: withCart({}), after: withCart(refill), events: [cartEvent('product_added', '2026-03-01T11:00:00.000Z')] });
    assert.deepEqual(plan.remove, [timerId()]);
    assert.deepEqual(plan.put.map((timer) => timer.timer_id), [timerId(refill)]);
  });
});
