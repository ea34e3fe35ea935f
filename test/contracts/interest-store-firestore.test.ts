import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createFirestoreInterestStore, interestDocumentId, PRODUCT_INTERESTS_COLLECTION } from '../../functions/gcp/firestore-interest-store.ts';
import { T, viewed } from '../../pipelines/product-interest/interest-fixtures.ts';
import { uniqueCollectionPrefix, useSharedFirestoreEmulator } from '../support/firestore-emulator.ts';
import { runInterestStoreContract } from './interest-store.contract.ts';

const { skip, connect } = useSharedFirestoreEmulator('Firestore interest contract');

runInterestStoreContract(
  'firestore (emulator)',
  async () => {
    const { client } = await connect();
    return {
      createNamespace: async () => {
        const collectionPrefix = uniqueCollectionPrefix('interest');
        return { open: async () => createFirestoreInterestStore({ firestore: client, collectionPrefix }) };
      },
    };
  },
  skip ? { skip } : {},
);

describe('firestore interest store specifics', { skip: skip ?? false }, () => {
  test('records are native documents under product_interests/{sha256 of product and identity}', async () => {
    const { client } = await connect();
    const collectionPrefix = uniqueCollectionPrefix('specifics');
    const store = createFirestoreInterestStore({ firestore: client, collectionPrefix });
    await store.record([viewed('sku/1', { at: T(1), id: 'e1' })], new Map([['sku/1', 0]]));
    const id = interestDocumentId('sku/1', 'anon:anon-1');
    assert.match(id, /^[0-9a-f]{64}$/);
    const snap = await client.collection(`${collectionPrefix}${PRODUCT_INTERESTS_COLLECTION}`).doc(id).get();
    assert.equal(snap.get('product_id'), 'sku/1');
    assert.equal(snap.get('first_come_at'), T(1));
    assert.equal(snap.get('latest_out_of_stock_interest_at'), T(1));
    assert.deepStrictEqual(snap.get('recent_event_ids'), [{ event_id: 'e1', at: T(1) }], 'event ids are an array of maps, not a JSON string');
  });
});
