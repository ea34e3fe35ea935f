import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventKinds, type EventKind } from './nudge-event.ts';
import { route } from './route.ts';
import type { TopicName } from './topics.ts';

// The routing table of the issue, spelled out independently of route.ts.
const expected: Record<EventKind, TopicName> = {
  product_added: 'events-priority',
  product_removed: 'events-priority',
  cart_viewed: 'events-priority',
  checkout_started: 'events-priority',
  order_completed: 'events-priority',
  identify: 'events-priority',
  alias: 'events-priority',
  consent_updated: 'events-priority',
  back_in_stock_requested: 'events-priority',
  product_viewed: 'events-browse',
  products_searched: 'events-browse',
  product_list_viewed: 'events-browse',
  page: 'events-browse',
  other: 'events-browse',
  catalog_updated: 'events-catalog',
};

for (const kind of eventKinds) {
  test(`route: ${kind} → ${expected[kind]}`, () => {
    assert.equal(route({ kind }), expected[kind]);
  });
}
