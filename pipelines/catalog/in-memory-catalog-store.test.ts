import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runCatalogStoreContract } from '../../test/contracts/catalog-store.contract.ts';
import { catalogEvent } from './catalog-fixtures.ts';
import { createInMemoryCatalogStore } from './in-memory-catalog-store.ts';

// The fake other stages test against must keep the real adapters' contract.
runCatalogStoreContract('in-memory', async () => ({
  createNamespace: async () => {
    const store = createInMemoryCatalogStore();
    return { open: async () => store };
  },
}));

describe('createInMemoryCatalogStore', () => {
  test('starts from the items it is given', async () => {
    const [seeded] = (await (async () => {
      const source = createInMemoryCatalogStore();
      await source.applyUpdates([catalogEvent({ product_id: 'p1', stock: 4 }, { event_id: 'e1' })]);
      return [...(await source.getItems(['p1'])).values()];
    })());
    const store = createInMemoryCatalogStore([seeded!]);
    assert.deepStrictEqual(await store.getItems(['p1']), new Map([['p1', seeded]]));
  });
});
