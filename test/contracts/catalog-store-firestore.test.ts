import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CATALOG_ITEMS_COLLECTION, createFirestoreCatalogStore } from '../../functions/gcp/firestore-catalog-store.ts';
import { catalogEvent } from '../../pipelines/catalog/catalog-fixtures.ts';
import { uniqueCollectionPrefix, useSharedFirestoreEmulator } from '../support/firestore-emulator.ts';
import { runCatalogStoreContract } from './catalog-store.contract.ts';

const { skip, connect } = useSharedFirestoreEmulator('Firestore catalog contract');

runCatalogStoreContract(
  'firestore (emulator)',
  async () => {
    const { client } = await connect();
    return {
      createNamespace: async () => {
        const collectionPrefix = uniqueCollectionPrefix('catalog');
        return { open: async () => createFirestoreCatalogStore({ firestore: client, collectionPrefix }) };
      },
    };
  },
  skip ? { skip } : {},
);

describe('firestore catalog store specifics', { skip: skip ?? false }, () => {
  test('items are native documents under catalog_items/{encoded product id}', async () => {
    const { client } = await connect();
    const collectionPrefix = uniqueCollectionPrefix('specifics');
    const store = createFirestoreCatalogStore({ firestore: client, collectionPrefix });
    await store.applyUpdates([catalogEvent({ product_id: 'sku/1', stock: 2, price: 19.99 }, { event_id: 'e1', occurred_at: '2026-03-01T10:00:00.000Z' })]);

    assert.equal(CATALOG_ITEMS_COLLECTION, 'catalog_items');
    const snap = await client.collection(`${collectionPrefix}catalog_items`).doc('sku%2F1').get();
    assert.equal(snap.exists, true);
    assert.equal(snap.get('product_id'), 'sku/1');
    assert.equal(snap.get('price'), 19.99);
    assert.deepStrictEqual(snap.get('clocks.stock'), { at: '2026-03-01T10:00:00.000Z', event_id: 'e1' }, 'clocks are nested maps, not a JSON string');
  });

  test('findItems in stock only reads on past a page of sold-out items, in product_id order', async () => {
    const { client } = await connect();
    const store = createFirestoreCatalogStore({ firestore: client, collectionPrefix: uniqueCollectionPrefix('paging') });
    // limit 1 reads pages of 50: the first 55 items are sold out, so the answer is on the second page.
    const ids = Array.from({ length: 60 }, (_, i) => `sku-${String(i).padStart(3, '0')}`);
    await store.applyUpdates(ids.map((id, i) => catalogEvent({ product_id: id, stock: i < 55 ? 0 : 1, category: 'k' }, { event_id: `p${i}` })));
    assert.deepStrictEqual((await store.findItems({ category: 'k', inStockOnly: true, limit: 1 })).map((item) => item.product_id), ['sku-055']);
    assert.deepStrictEqual((await store.findItems({ category: null, inStockOnly: true, limit: 10 })).map((item) => item.product_id), ids.slice(55));
  });
});
