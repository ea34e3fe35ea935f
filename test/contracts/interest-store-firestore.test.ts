import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FieldValue, Timestamp } from '@google-cloud/firestore';
import { createFirestoreInterestStore, interestDocumentId, PRODUCT_INTERESTS_COLLECTION } from '../../functions/gcp/firestore-interest-store.ts';
import { T, viewed } from '../../pipelines/product-interest/interest-fixtures.ts';
import { DEFAULT_INTEREST_RETENTION_MS } from '../../pipelines/product-interest/interest-retention.ts';
import { createManualClock } from '../../pipelines/shared/clock.ts';
import { uniqueCollectionPrefix, useSharedFirestoreEmulator } from '../support/firestore-emulator.ts';
import { runInterestStoreContract } from './interest-store.contract.ts';

const { skip, connect } = useSharedFirestoreEmulator('Firestore interest contract');

runInterestStoreContract(
  'firestore (emulator)',
  async () => {
    const { client } = await connect();
    return {
      createNamespace: async (retention) => {
        const collectionPrefix = uniqueCollectionPrefix('interest');
        return { open: async () => createFirestoreInterestStore({ firestore: client, collectionPrefix, ...retention }) };
      },
    };
  },
  skip ? { skip } : {},
);

describe('firestore interest store specifics', { skip: skip ?? false }, () => {
  test('records are native documents under product_interests/{sha256 of product and identity}', async () => {
    const { client } = await connect();
    const collectionPrefix = uniqueCollectionPrefix('specifics');
    const store = createFirestoreInterestStore({ firestore: client, collectionPrefix, clock: createManualClock(T(60)) });
    await store.record([viewed('sku/1', { at: T(1), id: 'e1' })], new Map([['sku/1', 0]]));
    const id = interestDocumentId('sku/1', 'anon:anon-1');
    assert.match(id, /^[0-9a-f]{64}$/);
    const snap = await client.collection(`${collectionPrefix}${PRODUCT_INTERESTS_COLLECTION}`).doc(id).get();
    assert.equal(snap.get('product_id'), 'sku/1');
    assert.equal(snap.get('first_come_at'), T(1));
    assert.equal(snap.get('latest_out_of_stock_interest_at'), T(1));
    assert.deepStrictEqual(snap.get('recent_event_ids'), [{ event_id: 'e1', at: T(1) }], 'event ids are an array of maps, not a JSON string');
    const expireAt: unknown = snap.get('expire_at');
    assert.ok(expireAt instanceof Timestamp, 'expire_at is a Timestamp: the TTL policy ignores any other type');
    assert.equal(expireAt.toDate().toISOString(), new Date(Date.parse(T(1)) + DEFAULT_INTEREST_RETENTION_MS).toISOString());
  });

  test('a document written before retention (no expire_at) is judged by the expiry its activity implies', async () => {
    const { client } = await connect();
    const collectionPrefix = uniqueCollectionPrefix('legacy');
    const clock = createManualClock(T(60));
    const store = createFirestoreInterestStore({ firestore: client, collectionPrefix, clock, retentionMs: 7 * 86_400_000 });
    await store.record([viewed('p', { at: T(1), id: 'e1' })], new Map());
    await client.collection(`${collectionPrefix}${PRODUCT_INTERESTS_COLLECTION}`).doc(interestDocumentId('p', 'anon:anon-1')).update({ expire_at: FieldValue.delete() });
    assert.equal((await store.getInterests(['anon:anon-1'])).length, 1);
    clock.set(new Date(Date.parse(T(1)) + 7 * 86_400_000));
    assert.deepStrictEqual(await store.getInterests(['anon:anon-1']), []);
    assert.deepStrictEqual((await store.listInterested('p', { since: T(0), outOfStockOnly: false, after: null, limit: 5 })).interests, []);
  });
});
