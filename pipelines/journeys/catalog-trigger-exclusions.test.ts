import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createJourneyHarness } from '../../test/support/journey-harness.ts';
import { CampaignDefinition } from '../campaigns/campaign-definition.ts';
import type { CatalogItem } from '../catalog/catalog-item.ts';
import type { NudgeEvent } from '../events/nudge-event.ts';
import { makeEvent } from '../profiles/event-fixtures.ts';
import { createFanOutCatalogTrigger, firstFanOutPage } from './fan-out-catalog-trigger.ts';
import type { Recommend } from './journey-trigger.ts';

// Review of issue 9: the back-in-stock step, armed by the real fan-out over the harness's stores.
const backInStock = CampaignDefinition.parse({
  id: 'back-in-stock',
  name: 'Back in stock',
  trigger: { kind: 'back_in_stock', lookback: '30d', stock_factor: 3 },
  wait: '2m',
  exit_events: ['order_completed'],
  recommendations: 3,
  subjects: [{ id: 'a', subject: 'It is back' }],
  sender: { name: 'Shop', email: 'shop@example.com' },
  postal_address: '1 Main St',
});

const at = (minute: number) => `2026-03-01T12:${String(minute).padStart(2, '0')}:00.000Z`;
const product = (id: string, name: string, stock: number, minute = 0): NudgeEvent =>
  makeEvent('catalog_updated', {
    occurred_at: at(minute),
    user_id: 'shop',
    properties: { product_id: id, name, price: 50, currency: 'EUR', stock, category: 'Camping', url: `https://shop.example/p/${id}` },
  });

async function armedRestock(options: { recommend?: Recommend } = {}) {
  const harness = createJourneyHarness({ definitions: [backInStock], ...(options.recommend ? { recommend: options.recommend } : {}) });
  const { catalog, interests, fold, store } = harness;
  await catalog.applyUpdates([product('tent-1', 'Tent', 0), product('lamp-1', 'Camp Lamp', 9), product('stove-1', 'Stove', 9)]);
  await fold([makeEvent('identify', { occurred_at: at(0), user_id: 'u-1', traits: { email: 'ann@example.com', email_marketing_consent: true } })]);
  // Last week she bought the lamp; today she looked at the tent while it was sold out.
  await interests.record([makeEvent('order_completed', { occurred_at: at(1), user_id: 'u-1', properties: { order_id: 'o-1', products: [{ product_id: 'lamp-1' }] } })], new Map([['lamp-1', 9]]));
  await interests.record([makeEvent('product_viewed', { occurred_at: at(2), user_id: 'u-1', properties: { product_id: 'tent-1' } })], new Map([['tent-1', 0]]));
  const fanOut = createFanOutCatalogTrigger({ interests, store, campaigns: new Map([[backInStock.id, backInStock]]) });
  const result = await fanOut(firstFanOutPage({ kind: 'back_in_stock', campaign_id: backInStock.id, product_id: 'tent-1', event_id: 'restock-1', stock: 5 }, at(5)));
  assert.equal(result.armed, 1, 'the viewer is armed');
  await catalog.applyUpdates([product('tent-1', 'Tent', 5, 5)]);
  return harness;
}

describe('back in stock step (review)', () => {
  test('recommendations never show a product the person bought (docs/journeys.md "What is never shown")', async () => {
    const all: CatalogItem[] = [];
    // A recommender that honours its contract: it leaves out exactly what `exclude` names.
    const recommend: Recommend = async ({ exclude, limit }) => all.filter((item) => !exclude.has(item.product_id)).slice(0, limit).map((item) => ({ item }));
    const harness = await armedRestock({ recommend });
    all.push(...(await harness.catalog.getItems(['lamp-1', 'stove-1'])).values());
    harness.clock.set(at(10));
    await harness.sweep();
    assert.equal(harness.sent.length, 1);
    const shown = (harness.rendered[0]!.recommendations ?? []).map((item) => item.product_id);
    assert.ok(!shown.includes('lamp-1'), `the lamp she bought is recommended: ${JSON.stringify(shown)}`);
  });

  test("the campaign's exit event (order_completed) folded during the wait ends the journey", async () => {
    const harness = await armedRestock();
    // She buys the tent in the shop before the email goes: the order reaches her profile.
    await harness.fold([makeEvent('order_completed', { occurred_at: at(6), user_id: 'u-1', properties: { order_id: 'o-2', total: 50, products: [{ product_id: 'tent-1', price: 50, quantity: 1 }] } })]);
    harness.clock.set(at(10));
    await harness.sweep();
    assert.equal(harness.sent.length, 0, 'exit_events: [order_completed] is declared by the campaign but never applied to catalog-driven timers');
  });
});
