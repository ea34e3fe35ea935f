import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SEND_LEDGER_COLLECTION, createFirestoreSendLedger } from '../../functions/gcp/firestore-send-ledger.ts';
import { uniqueCollectionPrefix, useSharedFirestoreEmulator } from '../support/firestore-emulator.ts';
import { CONTRACT_LEASE_MS, runSendLedgerContract } from './send-ledger.contract.ts';

const { skip, connect } = useSharedFirestoreEmulator('Firestore send ledger contract');

runSendLedgerContract(
  'firestore (emulator)',
  async () => {
    const { client } = await connect();
    return {
      createNamespace: async () => {
        const collectionPrefix = uniqueCollectionPrefix('ledger');
        return { open: async () => createFirestoreSendLedger({ firestore: client, collectionPrefix, leaseMs: CONTRACT_LEASE_MS }) };
      },
    };
  },
  skip ? { skip } : {},
);

describe('firestore send ledger specifics', { skip: skip ?? false }, () => {
  test('entries are native documents under send_ledger/{send_id}; pending_since exists only while claimed', async () => {
    const { client } = await connect();
    const collectionPrefix = uniqueCollectionPrefix('specifics');
    const ledger = createFirestoreSendLedger({ firestore: client, collectionPrefix });
    const claimed_at = new Date('2026-03-01T10:00:00.000Z');
    await ledger.claim('s1', { campaign_id: 'cart', person_id: 'p1', step: 1, claimed_at });

    assert.equal(SEND_LEDGER_COLLECTION, 'send_ledger');
    const doc = client.collection(`${collectionPrefix}send_ledger`).doc('s1');
    let snap = await doc.get();
    assert.equal(snap.get('status'), 'claimed');
    assert.equal(snap.get('step'), 1);
    assert.equal(snap.get('pending_since'), claimed_at.toISOString());

    await ledger.markSent('s1', { provider: 'sendgrid', provider_message_id: 'm1', sent_at: claimed_at });
    snap = await doc.get();
    assert.equal(snap.get('status'), 'sent');
    assert.equal(snap.get('pending_since'), undefined);
  });
});
