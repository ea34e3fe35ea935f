import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Timestamp } from '@google-cloud/firestore';
import { APPLIED_EVENT_TTL_FIELD, createFirestoreProfileStore, encodeDocumentId, JOURNEY_TIMERS_COLLECTION } from '../../functions/gcp/firestore-profile-store.ts';
import { uniqueCollectionPrefix, useSharedFirestoreEmulator } from '../support/firestore-emulator.ts';
import { asProfile, runProfileStoreContract } from './profile-store.contract.ts';

const { skip, connect } = useSharedFirestoreEmulator('Firestore contract');

runProfileStoreContract(
  'firestore (emulator)',
  async () => {
    const { client } = await connect();
    return {
      createNamespace: async () => {
        const collectionPrefix = uniqueCollectionPrefix('contract');
        return { open: async () => createFirestoreProfileStore({ firestore: client, collectionPrefix }) };
      },
    };
  },
  skip ? { skip } : {},
);

describe('firestore profile store specifics', { skip: skip ?? false }, () => {
  test('documents are native maps under encoded ids, and applied events carry the TTL field', async () => {
    const { client } = await connect();
    const collectionPrefix = uniqueCollectionPrefix('specifics');
    const store = createFirestoreProfileStore({ firestore: client, collectionPrefix, appliedEventRetentionDays: 2 });
    const appliedAt = new Date('2026-03-01T12:00:00.000Z');
    await store.transact(async (tx) => {
      tx.putProfile(asProfile({ person_id: 'p/1', version: 1, merged_into: null, cart: { items: [{ sku: 'A', qty: 2 }] } }));
      tx.linkIdentities(['anon:a/b'], 'p/1');
      tx.markApplied(['evt/1'], 'p/1', appliedAt);
    });

    const profile = await client.collection(`${collectionPrefix}profiles`).doc(encodeDocumentId('p/1')).get();
    assert.deepStrictEqual(profile.get('cart.items'), [{ sku: 'A', qty: 2 }], 'stored as nested maps, not a JSON string');
    const identity = await client.collection(`${collectionPrefix}identities`).doc('anon%3Aa%2Fb').get();
    assert.deepStrictEqual(identity.data(), { key: 'anon:a/b', person_id: 'p/1' });
    const marker = await client.collection(`${collectionPrefix}applied_events`).doc(encodeDocumentId('evt/1')).get();
    assert.equal(APPLIED_EVENT_TTL_FIELD, 'expire_at');
    const expireAt = marker.get(APPLIED_EVENT_TTL_FIELD) as Timestamp;
    assert.ok(expireAt instanceof Timestamp, 'a TTL policy only acts on Timestamp values');
    assert.equal(expireAt.toDate().toISOString(), '2026-03-03T12:00:00.000Z');
    assert.equal((marker.get('applied_at') as Timestamp).toDate().toISOString(), appliedAt.toISOString());
  });

  test('timers are stored under encoded ids with due_at as a Timestamp and the timer as given', async () => {
    const { client } = await connect();
    const collectionPrefix = uniqueCollectionPrefix('timers');
    const store = createFirestoreProfileStore({ firestore: client, collectionPrefix });
    const timer = {
      timer_id: 'cart:p/1:c1',
      campaign_id: 'cart',
      person_id: 'p/1',
      trigger_key: 'c1',
      step: 2,
      due_at: '2026-03-01T12:00:00Z',
      armed_at: '2026-03-01T11:00:00.000Z',
      armed_by_event_id: 'e/1',
    };
    await store.transact(async (tx) => tx.putTimer(timer));
    const snap = await client.collection(`${collectionPrefix}${JOURNEY_TIMERS_COLLECTION}`).doc(encodeDocumentId('cart:p/1:c1')).get();
    const dueAt = snap.get('due_at') as Timestamp;
    assert.ok(dueAt instanceof Timestamp, 'the range query compares instants, so due_at must be a Timestamp');
    assert.equal(dueAt.toMillis(), Date.parse(timer.due_at));
    assert.equal(snap.get('person_id'), 'p/1');
    assert.equal(snap.get('timer_id'), 'cart:p/1:c1');
    assert.deepStrictEqual(snap.get('timer'), timer);
  });
});

describe('encodeDocumentId', () => {
  test('makes every id Firestore-legal; ids that fit stay readable', () => {
    for (const raw of ['anon:a/b', '.', '..', '__name__', '_x', 'email:jane.doe@example.com', 'user:50%+ü']) {
      const id = encodeDocumentId(raw);
      assert.ok(!id.includes('/') && id !== '.' && id !== '..' && !/^__.*__$/.test(id), `${raw} → ${id}`);
      assert.equal(decodeURIComponent(id), raw);
    }
    assert.equal(encodeDocumentId('email:jane.doe@example.com'), 'email%3Ajane.doe%40example.com');
    assert.throws(() => encodeDocumentId(''), /non-empty/);
    // Too long once encoded: a hash, distinct per id and unlike any encoded id.
    const long = encodeDocumentId('x'.repeat(1501));
    assert.match(long, /^%%[0-9a-f]{64}$/);
    assert.notEqual(encodeDocumentId('x'.repeat(1502)), long);
    assert.equal(encodeDocumentId('x'.repeat(1500)), 'x'.repeat(1500));
  });
});
