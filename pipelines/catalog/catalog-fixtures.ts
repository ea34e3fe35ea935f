import type { NudgeEvent } from '../events/nudge-event.ts';

/**
 * `Catalog Updated` NudgeEvents for tests:
 *   catalogEvent({ product_id: 'sku-1', stock: 3 }, { event_id: 'e1', occurred_at: '2026-03-01T10:00:00.000Z' })
 * Ids default to a sequence and times to a fixed instant, so tests that care set both.
 */
let sequence = 0;

export function catalogEvent(properties: Record<string, unknown>, overrides: Partial<NudgeEvent> = {}): NudgeEvent {
  sequence += 1;
  const occurredAt = overrides.occurred_at ?? '2026-03-01T10:00:00.000Z';
  return {
    event_id: `catalog-${String(sequence).padStart(6, '0')}`,
    type: 'track',
    kind: 'catalog_updated',
    event_name: 'Catalog Updated',
    anonymous_id: null,
    user_id: 'catalog-sync',
    email: null,
    previous_id: null,
    properties,
    traits: {},
    context: {},
    occurred_at: occurredAt,
    received_at: occurredAt,
    source: 'publish',
    source_id: 'shop-backend',
    hops: {},
    schema_version: 1,
    ...overrides,
  };
}
