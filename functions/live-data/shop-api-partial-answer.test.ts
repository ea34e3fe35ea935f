import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createCatalogLiveData } from './catalog-live-data.ts';
import { createShopApiLiveData } from './shop-api-live-data.ts';
import { CampaignDefinition } from '../../pipelines/campaigns/campaign-definition.ts';
import { catalogEvent } from '../../pipelines/catalog/catalog-fixtures.ts';
import { createInMemoryCatalogStore } from '../../pipelines/catalog/in-memory-catalog-store.ts';
import { catalogTriggerKey } from '../../pipelines/journeys/catalog-trigger-key.ts';
import { openCatalogTrigger } from '../../pipelines/journeys/catalog-trigger.ts';
import { emptyProfile } from '../../pipelines/profiles/profile.ts';
import { createManualClock } from '../../pipelines/shared/clock.ts';

// Review of issue 9: docs/live-data.md says every field but `id` is optional, and shows
// `{ "id": "sku-2", "stock": 0 }` as a valid product. A shop API that answers the live fields
// only (price, stock: what changes) is within the contract; the catalog still knows the name.
const priceDrop = CampaignDefinition.parse({
  id: 'price-drop',
  name: 'Price drop',
  trigger: { kind: 'price_drop', min_drop_percent: 10, lookback: '14d' },
  wait: '2m',
  exit_events: ['order_completed'],
  subjects: [{ id: 'a', subject: 'Price drop' }],
  sender: { name: 'Shop', email: 'shop@example.com' },
  postal_address: '1 Main St',
});

describe('shop API answering price and stock only (review)', () => {
  test('a price-drop email still goes, with the name and link the catalog knows', async () => {
    const clock = createManualClock('2026-03-01T12:00:00.000Z');
    const catalog = createInMemoryCatalogStore();
    await catalog.applyUpdates([catalogEvent({ product_id: 'tent-1', name: 'Tent', price: 40, currency: 'EUR', stock: 5, url: 'https://shop.example/p/tent-1' })]);
    const fetchStub = (async () => new Response(JSON.stringify({ products: [{ id: 'tent-1', price: 40, currency: 'EUR', stock: 5 }] }), { status: 200, headers: { 'content-type': 'application/json' } })) as typeof fetch;
    const liveData = createShopApiLiveData({ baseUrl: 'https://shop.example/api/nudge', token: null, fallback: createCatalogLiveData({ catalog, clock }), clock, fetch: fetchStub });
    const key = catalogTriggerKey({ kind: 'price_drop', product_id: 'tent-1', event_id: 'drop-1', previous_price: 50 });
    const now = clock.now();
    const run = await openCatalogTrigger(
      {
        timer: { timer_id: `price-drop:p-1:${key}`, campaign_id: 'price-drop', person_id: 'p-1', trigger_key: key, step: 0, due_at: now.toISOString(), armed_at: now.toISOString(), armed_by_event_id: 'drop-1' },
        definition: priceDrop,
        profile: emptyProfile('p-1', now.toISOString()),
        email: 'ann@example.com',
        now,
        deadline: new Date(now.getTime() + 800),
      },
      { liveData, shop: { name: 'Shop', url: 'https://shop.example', cart_url: 'https://shop.example/cart', currency: 'EUR', postal_address: null, hosts: ['shop.example'] } },
    );
    assert.equal(run.judge(emptyProfile('p-1', now.toISOString())).trigger_exit, null, 'still down 20%, in stock');
    const built = await run.build({ email: 'ann@example.com', unsubscribeUrl: 'https://nudge.example/u', codeFor: () => 'X' });
    assert.ok('data' in built, `the email is skipped: ${JSON.stringify(built)} — the shop's answer hides the catalog's name`);
    assert.equal(built.data.item?.name, 'Tent');
  });
});
