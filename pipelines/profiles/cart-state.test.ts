import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { applyEvent } from './apply-event.ts';
import { makeEvent } from './event-fixtures.ts';
import { emptyProfile, Profile } from './profile.ts';
import { compareStamps } from './stamp.ts';
import type { NudgeEvent } from '../events/nudge-event.ts';

/**
 * The cart view against a plain reference: walk the events in time order (ties by event id) and
 * keep a shopping cart by hand — add, remove, snapshot, an order empties it — noting the event
 * that last closed a filling (an order, or the change that emptied the cart): it names the
 * filling that follows. The fold must agree whatever order the events arrive in.
 */
type CartEventDraft =
  | { kind: 'product_added'; product: string; quantity?: number }
  | { kind: 'product_removed'; product: string; quantity?: number }
  | { kind: 'cart_viewed' | 'checkout_started'; products: { product: string; quantity?: number }[] }
  | { kind: 'order_completed' };

const productId = fc.constantFrom('p1', 'p2', 'p3');
const quantity = fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined });
const draft: fc.Arbitrary<CartEventDraft> = fc.oneof(
  fc.record({ kind: fc.constant('product_added' as const), product: productId, quantity }, { requiredKeys: ['kind', 'product'] }),
  fc.record({ kind: fc.constant('product_removed' as const), product: productId, quantity }, { requiredKeys: ['kind', 'product'] }),
  fc.record({
    kind: fc.constantFrom('cart_viewed' as const, 'checkout_started' as const),
    products: fc.array(fc.record({ product: productId, quantity }, { requiredKeys: ['product'] }), { maxLength: 3 }),
  }),
  fc.record({ kind: fc.constant('order_completed' as const) }),
);

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const history = fc
  .array(fc.record({ draft, minute: fc.integer({ min: 0, max: 20 }), id: fc.integer({ min: 0, max: 999 }) }), { minLength: 1, maxLength: 25 })
  .map((items) =>
    items.map(({ draft, minute, id }, index) => {
      const at = new Date(T0 + minute * 60_000).toISOString();
      return { draft, event: makeEvent(draft.kind, { event_id: `e${id}-${index}`, occurred_at: at, received_at: at, user_id: 'u1', properties: propertiesOf(draft) }) };
    }),
  );

function propertiesOf(draft: CartEventDraft): Record<string, unknown> {
  const line = (product: string, quantity?: number) => ({ product_id: product, name: product, price: 10, ...(quantity === undefined ? {} : { quantity }) });
  switch (draft.kind) {
    case 'product_added':
    case 'product_removed':
      return line(draft.product, draft.quantity);
    case 'cart_viewed':
    case 'checkout_started':
      return { products: draft.products.map(({ product, quantity }) => line(product, quantity)) };
    case 'order_completed':
      return { order_id: 'o1', products: [] };
  }
}

function referenceCart(events: { draft: CartEventDraft; event: NudgeEvent }[]) {
  const lines = new Map<string, number>();
  let closedBy: string | null = null;
  const inOrder = [...events].sort((x, y) => compareStamps({ at: x.event.occurred_at, event_id: x.event.event_id }, { at: y.event.occurred_at, event_id: y.event.event_id }));
  for (const { draft, event } of inOrder) {
    const wasEmpty = lines.size === 0;
    if (draft.kind === 'order_completed') {
      lines.clear();
      closedBy = event.event_id;
      continue;
    }
    if (draft.kind === 'product_added') lines.set(draft.product, (lines.get(draft.product) ?? 0) + (draft.quantity ?? 1));
    else if (draft.kind === 'product_removed') {
      const left = draft.quantity === undefined ? 0 : (lines.get(draft.product) ?? 0) - draft.quantity;
      if (left > 0) lines.set(draft.product, left);
      else lines.delete(draft.product);
    } else {
      lines.clear();
      for (const { product, quantity } of draft.products) lines.set(product, (lines.get(product) ?? 0) + (quantity ?? 1));
    }
    if (!wasEmpty && lines.size === 0) closedBy = event.event_id;
  }
  return { items: [...lines].sort(([p], [q]) => (p < q ? -1 : 1)), openedAfter: lines.size > 0 ? closedBy : null };
}

const fold = (events: readonly NudgeEvent[]): Profile => events.reduce((profile, event) => applyEvent(profile, event), emptyProfile('', '2026-01-01T00:00:00.000Z'));
const viewOf = (profile: Profile) => ({
  items: (profile.cart?.items ?? []).map((item): [string, number] => [item.product_id, item.quantity]).sort(([p], [q]) => (p < q ? -1 : 1)),
  openedAfter: profile.cart?.opened_after_event_id ?? null,
});

describe('cart view', () => {
  test('matches a cart kept by hand in time order, whatever order the events arrive in', () => {
    fc.assert(
      fc.property(history, fc.infiniteStream(fc.integer()), (events, shuffle) => {
        const arrival = [...events].map((item) => ({ item, key: shuffle.next().value })).sort((x, y) => x.key - y.key).map(({ item }) => item.event);
        assert.deepEqual(viewOf(fold(arrival)), referenceCart(events));
      }),
      { numRuns: 400 },
    );
  });

  test('a cart filled again after an order or an emptying is named by the event that closed the last one', () => {
    const at = (minute: number) => new Date(T0 + minute * 60_000).toISOString();
    const add = makeEvent('product_added', { event_id: 'add-1', occurred_at: at(1), received_at: at(1), user_id: 'u1', properties: { product_id: 'p1', quantity: 1 } });
    const order = makeEvent('order_completed', { event_id: 'order-1', occurred_at: at(2), received_at: at(2), user_id: 'u1', properties: { order_id: 'o1' } });
    const again = makeEvent('product_added', { event_id: 'add-2', occurred_at: at(3), received_at: at(3), user_id: 'u1', properties: { product_id: 'p2', quantity: 1 } });
    const removed = makeEvent('product_removed', { event_id: 'remove-2', occurred_at: at(4), received_at: at(4), user_id: 'u1', properties: { product_id: 'p2' } });
    const third = makeEvent('product_added', { event_id: 'add-3', occurred_at: at(5), received_at: at(5), user_id: 'u1', properties: { product_id: 'p3', quantity: 1 } });
    assert.equal(fold([add]).cart?.opened_after_event_id, null, 'the first filling');
    assert.equal(fold([add, order]).cart?.opened_after_event_id, null, 'an empty cart names nothing');
    assert.equal(fold([again, order, add]).cart?.opened_after_event_id, 'order-1');
    assert.equal(fold([third, removed, again, order, add]).cart?.opened_after_event_id, 'remove-2');
  });

  test('an earlier add arriving late keeps the name of the filling it joins', () => {
    const at = (minute: number) => new Date(T0 + minute * 60_000).toISOString();
    const add = (id: string, minute: number, product: string) =>
      makeEvent('product_added', { event_id: id, occurred_at: at(minute), received_at: at(minute), user_id: 'u1', properties: { product_id: product, quantity: 1 } });
    const order = makeEvent('order_completed', { event_id: 'order-1', occurred_at: at(2), received_at: at(2), user_id: 'u1', properties: { order_id: 'o1' } });
    const named = fold([order, add('add-5', 5, 'p1')]).cart?.opened_after_event_id;
    assert.equal(fold([order, add('add-5', 5, 'p1'), add('add-3', 3, 'p2')]).cart?.opened_after_event_id, named);
    assert.equal(named, 'order-1');
  });

  test('documents stored with a single `base` snapshot still read', () => {
    const legacy = { cart_id: 'default', base: { at: '2026-01-01T00:00:00.000Z', event_id: 'v1', items: [{ product_id: 'p1', quantity: 2 }] }, deltas: [], clears: [], lines: [], status: null, currency: null };
    const profile = emptyProfile('p', '2026-01-01T00:00:00.000Z');
    const parsed = Profile.parse({ ...profile, state: { ...profile.state, carts: [legacy] } });
    assert.deepEqual(parsed.state.carts[0]?.bases.map((base) => base.event_id), ['v1']);
    assert.deepEqual(applyEvent(parsed, makeEvent('page', { user_id: 'u1' })).cart?.items.map((item) => item.quantity), [2]);
  });
});
