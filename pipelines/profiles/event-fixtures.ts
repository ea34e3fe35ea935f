import type { EventKind, NudgeEvent } from '../events/nudge-event.ts';

/**
 * NudgeEvents for tests: `makeEvent('product_added', { properties: {...} })`. Fills every
 * required field with something plausible; event_name follows the kind's Segment name.
 */
const eventNames: Partial<Record<EventKind, string>> = {
  product_viewed: 'Product Viewed',
  products_searched: 'Products Searched',
  product_list_viewed: 'Product List Viewed',
  product_added: 'Product Added',
  product_removed: 'Product Removed',
  cart_viewed: 'Cart Viewed',
  checkout_started: 'Checkout Started',
  order_completed: 'Order Completed',
  catalog_updated: 'Catalog Updated',
  consent_updated: 'Consent Updated',
  other: 'Something Else Happened',
};

let sequence = 0;

export function makeEvent(kind: EventKind, overrides: Partial<NudgeEvent> = {}): NudgeEvent {
  sequence += 1;
  const type = kind === 'identify' ? 'identify' : kind === 'alias' ? 'alias' : kind === 'page' ? 'page' : 'track';
  const occurredAt = overrides.occurred_at ?? '2026-03-01T10:00:00.000Z';
  return {
    event_id: `evt-${String(sequence).padStart(6, '0')}`,
    type,
    kind,
    event_name: eventNames[kind] ?? (kind === 'page' ? 'Home' : null),
    anonymous_id: 'anon-1',
    user_id: null,
    email: null,
    previous_id: null,
    properties: {},
    traits: {},
    context: {},
    occurred_at: occurredAt,
    received_at: overrides.received_at ?? occurredAt,
    source: 'http',
    source_id: 'test',
    hops: {},
    schema_version: 1,
    ...overrides,
  };
}
