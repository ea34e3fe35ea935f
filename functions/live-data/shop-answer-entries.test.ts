import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createInMemoryCatalogStore } from '../../pipelines/catalog/in-memory-catalog-store.ts';
import { systemClock } from '../../pipelines/shared/clock.ts';
import { answerProducts, startTestShopServer, type TestShopServer } from '../../test/support/shop-api-test-server.ts';
import { createCatalogLiveData } from './catalog-live-data.ts';
import { createShopApiLiveData } from './shop-api-live-data.ts';

// docs/live-data.md: "Products nobody asked for are ignored" and "A product that breaks the table
// above … falls back alone; the others in the answer are used". A shop that returns its own product
// objects (as the doc invites) with one numeric or missing id loses the whole answer instead.
describe('one malformed product the shop was not asked for', () => {
  let server: TestShopServer;
  before(async () => {
    server = await startTestShopServer();
  });
  after(() => server.close());

  for (const [label, stray] of [
    ['a numeric id', { id: 12345, name: 'Other', price: 1, stock: 1 }],
    ['no id at all', { name: 'Gift card' }],
  ] as const) {
    test(`an extra product with ${label} does not discard the asked-for product's fresh answer`, async () => {
      server.script(answerProducts(() => [stray, { id: 'sku-1', name: 'Jacket', price: 99, currency: 'EUR', stock: 2 }]));
      const live = createShopApiLiveData({
        baseUrl: server.baseUrl,
        token: null,
        fallback: createCatalogLiveData({ catalog: createInMemoryCatalogStore(), clock: systemClock }),
        clock: systemClock,
        log: () => {},
        settings: { cacheTtlMs: 0 },
      });
      const result = await live(['sku-1'], { deadline: new Date(Date.now() + 800) });
      assert.deepEqual(result.fallbacks, [], 'sku-1 was answered correctly; the stray product should be ignored');
      assert.equal(result.items.get('sku-1')?.price, 99);
      assert.equal(result.items.get('sku-1')?.source, 'shop_api');
    });
  }
});
