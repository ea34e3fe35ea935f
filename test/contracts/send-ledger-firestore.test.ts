import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { Firestore } from '@google-cloud/firestore';
import { SEND_LEDGER_COLLECTION, createFirestoreSendLedger } from '../../functions/gcp/firestore-send-ledger.ts';
import { findFirestoreEmulator, startFirestoreEmulator, uniqueCollectionPrefix, type FirestoreEmulator } from '../support/firestore-emulator.ts';
import { CONTRACT_LEASE_MS, runSendLedgerContract } from './send-ledger.contract.ts';

const found = findFirestoreEmulator();
const skip = 'missing' in found ? `firestore emulator not available (${found.missing}): Firestore send ledger contract not run` : undefined;
if (skip) console.log(`# SKIP firestore emulator not available: Firestore send ledger contract not run (${'missing' in found ? found.missing : ''})`);

// One emulator and one client for the whole file; tests stay apart by collection prefix.
let started: Promise<{ emulator: FirestoreEmulator; client: Firestore }> | undefined;
const connect = () => (started ??= startFirestoreEmulator().then((emulator) => ({ emulator, client: emulator.createClient() })));
after(async () => {
  if (!started) return;
  const { emulator, client } = await started;
  await client.terminate();
  await emulator.stop();
});

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
