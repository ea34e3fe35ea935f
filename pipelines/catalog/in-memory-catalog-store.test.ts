import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runCatalogStoreContract } from '../../test/contracts/catalog-store.contract.ts';
import { catalogEvent } from './catalog-fixtures.ts';
import { emptyCatalogItem } from './catalog-item.ts';
import { createInMemoryCatalogStore } from './in-memory-catalog-store.ts';

// The fake other stages test against must keep the real adapters' contract.
runCatalogStoreContract('in-memory', async () => ({
  createNamespace: async () => {
    const store = createInMemoryCatalogStore();
    return { open: async () => store };
  },
}));

describe('createInMemoryCatalogStore', () => {
  test('starts from the items it is given, and later updates merge into them', async () => {
    const seeded = { ...emptyCatalogItem('p1', '2026-03-01T09:00:00.000Z'), stock: 4, clocks: { ...emptyCatalogItem('p1', '2026-03-01T09:00:00.000Z').clocks, stock: { at: '2026-03-01T09:00:00.000Z', event_id: 'seed' } } };
    const store = createInMemoryCatalogStore([seeded]);
    assert.deepStrictEqual(await store.getItems(['p1']), new Map([['p1', seeded]]));
    await store.applyUpdates([catalogEvent({ product_id: 'p1', stock: 9 }, { event_id: 'old', occurred_at: '2026-03-01T08:00:00.000Z' })]);
    assert.equal((await store.getItems(['p1'])).get('p1')?.stock, 4, 'older than the seed: ignored');
  });
});
