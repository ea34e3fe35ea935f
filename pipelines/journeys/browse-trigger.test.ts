import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createJourneyHarness } from '../../test/support/journey-harness.ts';
import { CampaignDefinition } from '../campaigns/campaign-definition.ts';
import type { CatalogItem } from '../catalog/catalog-item.ts';
import type { NudgeEvent } from '../events/nudge-event.ts';
import { makeEvent } from '../profiles/event-fixtures.ts';
import type { Recommend } from './journey-trigger.ts';

// Review of issue 9: the browse follow-up step over the harness's stores.
const browse = CampaignDefinition.parse({
  id: 'browse-abandonment',
  name: 'Browse follow-up',
  trigger: { kind: 'browse_abandoned', session: '1h', items: 2 },
  wait: '10m',
  exit_events: ['product_added', 'checkout_started', 'order_completed'],
  recommendations: 3,
  subjects: [{ id: 'a', subject: 'Still looking?' }],
  sender: { name: 'Shop', email: 'shop@example.com' },
  postal_address: '1 Main St',
});

const at = (minute: number) => `2026-03-01T12:${String(minute).padStart(2, '0')}:00.000Z`;
const product = (id: string, name: string): NudgeEvent =>
  makeEvent('catalog_updated', { occurred_at: at(0), user_id: 'shop', properties: { product_id: id, name, price: 50, currency: 'EUR', stock: 9, category: 'Camping', url: `https://shop.example/p/${id}` } });

describe('browse follow-up step (review)', () => {
  test('recommendations never show a product the person bought before the session', async () => {
    const all: CatalogItem[] = [];
    // A recommender that honours its contract: it leaves out exactly what `exclude` names.
    const recommend: Recommend = async ({ exclude, limit }) => all.filter((item) => !exclude.has(item.product_id)).slice(0, limit).map((item) => ({ item }));
    const { catalog, interests, fold, clock, sweep, sent, rendered } = createJourneyHarness({ definitions: [browse], recommend });
    await catalog.applyUpdates([product('tent-1', 'Tent'), product('lamp-1', 'Camp Lamp'), product('stove-1', 'Stove')]);
    all.push(...(await catalog.getItems(['lamp-1', 'stove-1'])).values());
    // Yesterday's order (recorded by recordInterest), then today's session: one view of the tent.
    await interests.record([makeEvent('order_completed', { occurred_at: '2026-02-28T12:00:00.000Z', user_id: 'u-1', properties: { order_id: 'o-1', products: [{ product_id: 'lamp-1' }] } })], new Map());
    const view = makeEvent('product_viewed', { occurred_at: at(1), user_id: 'u-1', properties: { product_id: 'tent-1', name: 'Tent', url: 'https://shop.example/p/tent-1' } });
    await fold([makeEvent('identify', { occurred_at: at(0), user_id: 'u-1', email: 'ann@example.com', traits: { email: 'ann@example.com', email_marketing_consent: true } }), view]);
    await interests.record([view], new Map());
    clock.set(at(15));
    await sweep();
    assert.equal(sent.length, 1);
    const shown = (rendered[0]!.recommendations ?? []).map((item) => item.product_id);
    assert.ok(!shown.includes('lamp-1'), `the lamp she bought is recommended: ${JSON.stringify(shown)}`);
  });
});
