import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { NudgeEvent } from '../events/nudge-event.ts';
import { makeEvent } from '../profiles/event-fixtures.ts';
import type { PersonHistory } from './person-history.ts';
import { historyGapOf, referencedEventIds } from './history-gap.ts';
import { refoldHistory } from './refold-history.ts';

const T = '2026-03-01T10:00:00.000Z';
const ev = (kind: Parameters<typeof makeEvent>[0], minute: number, properties: Record<string, unknown> = {}, extra: Parameters<typeof makeEvent>[1] = {}) => {
  const at = `2026-03-01T10:${String(minute).padStart(2, '0')}:00.000Z`;
  return makeEvent(kind, { occurred_at: at, received_at: at, properties, anonymous_id: 'anon-1', ...extra });
};

const events: NudgeEvent[] = [
  ev('product_added', 1, { product_id: 'a', price: 2 }),
  ev('order_completed', 2, { total: 2 }),
  ev('product_viewed', 3, { product_id: 'b' }),
  ev('product_added', 4, { product_id: 'b', price: 1 }),
];
const profile = refoldHistory('p-1', events, T);
const history = (over: Partial<PersonHistory> = {}): PersonHistory => ({
  person_id: 'p-1',
  events_count: 4,
  orders_count: 1,
  orders_revenue: 2,
  last_order_at: '2026-03-01T10:02:00.000Z',
  email_marketing: null,
  consent_at: null,
  emails: [],
  last_seen_at: '2026-03-01T10:04:00.000Z',
  cart_id: 'default',
  cart_items: [{ product_id: 'b', quantity: 1 }],
  ...over,
});

describe('historyGapOf: a profile holding more than the history is not fixed from it', () => {
  test('the state references every event it was folded from', () => {
    assert.deepEqual([...referencedEventIds(profile)].sort(), events.map((e) => e.event_id).sort());
  });
  const cases: { name: string; events: NudgeEvent[]; history: PersonHistory; gap: RegExp | null }[] = [
    { name: 'a complete history', events, history: history(), gap: null },
    { name: 'the history has MORE (a lost order in the profile): safe to fix', events: [...events, ev('order_completed', 5, { total: 3 })], history: history({ orders_count: 2, last_seen_at: '2026-03-01T10:05:00.000Z' }), gap: null },
    { name: 'the history lacks the order the profile applied', events: events.filter((e) => e.kind !== 'order_completed'), history: history({ orders_count: 0 }), gap: /^history incomplete: the profile applied 1 event/ },
    { name: 'the history lacks a view (a dead-lettered row)', events: events.filter((e) => e.kind !== 'product_viewed'), history: history(), gap: /^history incomplete: the profile applied 1 event/ },
    { name: 'the profile counts more orders (an older order lost, its stamp superseded)', events, history: history({ orders_count: 0 }), gap: /^history incomplete: the profile counts 1 orders, the history 0/ },
    { name: 'the profile saw the person later', events, history: history({ last_seen_at: '2026-03-01T10:03:00.000Z' }), gap: /^history incomplete: the profile saw/ },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const gap = historyGapOf(profile, c.history, c.events);
      if (c.gap === null) assert.equal(gap, null);
      else assert.match(gap ?? '', c.gap);
    });
  }
});
