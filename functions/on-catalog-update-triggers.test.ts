import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { HttpRequest } from './http.ts';
import { createOnCatalogUpdateEntry } from './on-catalog-update.ts';
import { encodePushEnvelope } from './push-envelope.ts';
import { CampaignDefinition } from '../pipelines/campaigns/campaign-definition.ts';
import { catalogEvent } from '../pipelines/catalog/catalog-fixtures.ts';
import { createInMemoryCatalogStore } from '../pipelines/catalog/in-memory-catalog-store.ts';
import { encodeEventMessage } from '../pipelines/events/encode-message.ts';
import type { NudgeEvent } from '../pipelines/events/nudge-event.ts';
import type { FanOutPage } from '../pipelines/journeys/fan-out-catalog-trigger.ts';
import { createManualClock } from '../pipelines/shared/clock.ts';

// Review of issue 9: the catalog consumer reads the item, publishes the fan-out, then applies —
// outside one transaction. On GCP a push subscription delivers concurrently (instances and
// max_instance_request_concurrency), so two updates of one product can be in flight at once.
const NOW = '2026-03-01T12:00:00.000Z';
const backInStock = CampaignDefinition.parse({
  id: 'back-in-stock',
  name: 'Back in stock',
  trigger: { kind: 'back_in_stock', lookback: '30d', stock_factor: 3 },
  wait: '2m',
  exit_events: ['order_completed'],
  subjects: [{ id: 'a', subject: 'It is back' }],
  sender: { name: 'Shop', email: 'shop@example.com' },
  postal_address: '1 Main St',
});

const push = (event: NudgeEvent): HttpRequest => ({
  method: 'POST',
  path: '/',
  headers: { 'content-type': 'application/json' },
  query: new URLSearchParams(),
  rawBody: encodePushEnvelope({ data: encodeEventMessage(event).data, attributes: {}, messageId: event.event_id, publishTime: NOW, deliveryAttempt: 1 }, 'projects/p/subscriptions/on-catalog-update'),
});

describe('onCatalogUpdate triggers (review)', () => {
  test('one restock (0 → 5, then a sale 5 → 4) delivered concurrently fires back in stock once', async () => {
    const catalog = createInMemoryCatalogStore();
    await catalog.applyUpdates([catalogEvent({ product_id: 'tent-1', stock: 0, name: 'Tent' }, { event_id: 'sold-out', occurred_at: '2026-03-01T10:00:00.000Z' })]);
    const pages: FanOutPage[] = [];
    const entry = createOnCatalogUpdateEntry({
      catalog,
      deadLetters: { put: async () => {} } as never,
      clock: createManualClock(NOW),
      newId: () => 'dl',
      triggers: { campaigns: [backInStock], publishFanOut: async (published) => void pages.push(...published) },
    });
    const restock = catalogEvent({ product_id: 'tent-1', stock: 5 }, { event_id: 'restock', occurred_at: '2026-03-01T11:00:00.000Z' });
    const sale = catalogEvent({ product_id: 'tent-1', stock: 4 }, { event_id: 'sale', occurred_at: '2026-03-01T11:00:01.000Z' });
    const answers = await Promise.all([entry(push(restock)), entry(push(sale))]);
    assert.deepEqual(answers.map((answer) => answer.status), [204, 204]);
    assert.equal((await catalog.getItems(['tent-1'])).get('tent-1')?.stock, 4);
    // Each fired trigger has its own key (event id), hence its own send ids: every waiting person gets two emails.
    assert.deepEqual(pages.map((page) => page.trigger.event_id), ['restock'], 'the sale 5 → 4 is reported as a second restock');
  });
});
