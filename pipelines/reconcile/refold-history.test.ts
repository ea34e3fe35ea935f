import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { makeEvent } from '../profiles/event-fixtures.ts';
import { readHistoryEvents, refoldHistory } from './refold-history.ts';

const at = (minute: number) => `2026-03-01T10:${String(minute).padStart(2, '0')}:00.000Z`;

describe('readHistoryEvents: person_events rows are parsed as events', () => {
  test('a row is the event, without the person_id the query adds', () => {
    const event = makeEvent('order_completed', { properties: { total: 3 } });
    assert.deepEqual(readHistoryEvents([{ ...event, person_id: 'p-1' }]), [event]);
  });

  test('a row that is not an event names the event and the field', () => {
    const event = makeEvent('order_completed');
    assert.throws(() => readHistoryEvents([{ ...event, event_id: 'e-9', kind: 'refund', person_id: 'p-1' }]), /person_events row e-9: kind:/);
    assert.throws(() => readHistoryEvents([{ ...event, event_id: 'e-8', received_at: 'yesterday' }]), /person_events row e-8: received_at:/);
  });
});

describe('refoldHistory: the history through the profile fold', () => {
  test('order-independent, and the person is the one asked for', () => {
    const events = [
      makeEvent('product_added', { occurred_at: at(1), received_at: at(1), properties: { product_id: 'a' } }),
      makeEvent('order_completed', { occurred_at: at(2), received_at: at(2), properties: { total: 4 } }),
      makeEvent('product_added', { occurred_at: at(3), received_at: at(3), properties: { product_id: 'b' } }),
    ];
    const forward = refoldHistory('p-1', events, at(0));
    const backward = refoldHistory('p-1', [...events].reverse(), at(0));
    assert.deepEqual(backward, forward);
    assert.deepEqual([forward.person_id, forward.orders.count, forward.cart?.items.map((item) => item.product_id)], ['p-1', 1, ['b']]);
  });

  test('no events: an empty profile', () => {
    const profile = refoldHistory('p-2', [], at(0));
    assert.deepEqual([profile.person_id, profile.version, profile.orders.count, profile.cart, profile.last_seen_at], ['p-2', 0, 0, null, null]);
  });
});
