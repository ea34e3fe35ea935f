import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { createSqliteSendLedger } from '../../functions/embedded/sqlite-send-ledger.ts';
import { CONTRACT_LEASE_MS, runSendLedgerContract } from './send-ledger.contract.ts';

const dir = mkdtempSync(join(tmpdir(), 'nudge-send-ledger-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const newFile = () => join(dir, `ledger-${++files}.db`);
const meta = { campaign_id: 'cart', person_id: 'p1', step: 0, claimed_at: new Date('2026-03-01T10:00:00.000Z') };

runSendLedgerContract('sqlite', async () => ({
  createNamespace: async () => {
    const file = newFile();
    return { open: async () => createSqliteSendLedger({ database: file, leaseMs: CONTRACT_LEASE_MS }) };
  },
}));

describe('sqlite send ledger specifics', () => {
  test('a claim survives close and reopen (a restart between claim and send leaves it in doubt, not lost)', async () => {
    const file = newFile();
    const first = createSqliteSendLedger({ database: file, leaseMs: 1000 });
    assert.equal(await first.claim('s1', meta), 'claimed');
    await first.close();

    const probe = new Database(file);
    assert.equal(probe.pragma('journal_mode', { simple: true }), 'wal');
    probe.close();
    const second = createSqliteSendLedger({ database: file, leaseMs: 1000 });
    assert.equal(await second.claim('s1', { ...meta, claimed_at: new Date('2026-03-01T10:00:01.000Z') }), 'in_doubt');
    assert.deepStrictEqual((await second.findInDoubt(new Date('2026-03-01T10:00:01.000Z'))).map((entry) => entry.send_id), ['s1']);
    await second.close();
  });

  test('leaves a handle it was given open, with one row per send in send_ledger', async () => {
    const db = new Database(':memory:');
    const ledger = createSqliteSendLedger({ database: db });
    await ledger.claim('s1', meta);
    await ledger.claim('s1', meta);
    await ledger.markSent('s1', { provider: 'outbox', provider_message_id: 's1', sent_at: meta.claimed_at });
    await ledger.close();
    assert.equal(db.open, true);
    assert.deepStrictEqual(db.prepare('SELECT send_id, status, provider FROM send_ledger').all(), [{ send_id: 's1', status: 'sent', provider: 'outbox' }]);
    db.close();
  });

  test('a row that is not a LedgerEntry fails loudly instead of being claimed over', async () => {
    const db = new Database(':memory:');
    const ledger = createSqliteSendLedger({ database: db });
    await ledger.claim('s1', meta);
    db.prepare("UPDATE send_ledger SET attempts = 0 WHERE send_id = 's1'").run();
    await assert.rejects(ledger.claim('s1', meta));
    await assert.rejects(ledger.get('s1'));
    db.close();
  });
});
