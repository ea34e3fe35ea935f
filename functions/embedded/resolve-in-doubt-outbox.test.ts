import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { createResolveInDoubt } from '../../pipelines/delivery/resolve-in-doubt.ts';
import { sendId } from '../../pipelines/delivery/send-id.ts';
import { createManualClock } from '../../pipelines/shared/clock.ts';
import { outboxEvidence } from './outbox-evidence.ts';
import { createOutboxMailer } from './outbox-mailer.ts';
import { createSqliteSendLedger } from './sqlite-send-ledger.ts';
import { outgoingEmail as email } from '../../test/support/outgoing-email.ts';

const root = mkdtempSync(join(tmpdir(), 'nudge-in-doubt-'));
after(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;

const LEASE_MS = 5 * 60_000;

/** A data dir with a ledger and an outbox, as one embedded process holds them. */
function world() {
  const dataDir = join(root, `data-${++dirs}`);
  const clock = createManualClock('2026-03-01T10:00:00.000Z');
  const ledger = createSqliteSendLedger({ database: ':memory:', leaseMs: LEASE_MS });
  const mailer = createOutboxMailer({ dataDir, clock });
  const logs: Record<string, unknown>[] = [];
  const rows: { table: string; row: Record<string, unknown> }[] = [];
  const facts = { insertRows: async (table: string, inserted: readonly Record<string, unknown>[]) => void rows.push(...inserted.map((row) => ({ table, row }))) };
  const claim = (cart: string) => {
    const id = sendId('cart', cart, 0);
    return ledger.claim(id, { campaign_id: 'cart', person_id: 'person-1', step: 0, claimed_at: clock.now() }).then((outcome) => {
      assert.equal(outcome, 'claimed');
      return id;
    });
  };
  const resolver = (overrides: Partial<Parameters<typeof createResolveInDoubt>[0]> = {}) =>
    createResolveInDoubt({ ledger, findEvidence: outboxEvidence(dataDir), provider: 'outbox', facts, clock, olderThanMs: LEASE_MS, log: (line) => logs.push(line), ...overrides });
  return { dataDir, clock, ledger, mailer, logs, rows, facts, claim, resolver };
}

describe('resolving in-doubt sends on outbox evidence', () => {
  test('crash after the mailer wrote the file → sent (never mailed twice); crash before → retry (sent on the next claim)', async () => {
    const { clock, ledger, mailer, logs, rows, claim, resolver } = world();
    const mailed = await claim('cart-mailed');
    await mailer(email(mailed)); // …and the process died before markSent
    const lost = await claim('cart-lost'); // …and it died before the mailer was called

    clock.advance(LEASE_MS + 1);
    assert.equal(await ledger.claim(mailed, { campaign_id: 'cart', person_id: 'person-1', step: 0, claimed_at: clock.now() }), 'in_doubt');
    assert.deepStrictEqual(await resolver()(), { resolved_sent: 1, resolved_retry: 1 });

    const sent = await ledger.get(mailed);
    assert.equal(sent?.status, 'sent');
    assert.equal(sent?.resolution, 'sent');
    assert.equal(sent?.evidence, `outbox file outbox/${mailed}.eml exists`);
    const retry = await ledger.get(lost);
    assert.equal(retry?.status, 'retry');
    assert.equal(retry?.evidence, `no outbox file outbox/${lost}.eml`);

    // The send settled here is in email_sends like any other (issue 6, item 11); the lost one is not.
    assert.deepStrictEqual(
      rows.map(({ table, row }) => [table, row.send_id, row.status, row.provider, row.provider_message_id, row.sent_at, row.person_id, row.step]),
      [['email_sends', mailed, 'in_doubt_resolved', 'outbox', mailed, '2026-03-01T10:00:00.000Z', 'person-1', 0]],
    );

    const reclaim = (id: string) => ledger.claim(id, { campaign_id: 'cart', person_id: 'person-1', step: 0, claimed_at: clock.now() });
    assert.equal(await reclaim(mailed), 'already_sent');
    assert.equal(await reclaim(lost), 'claimed', 'the lost send is sent by the next claim');
    assert.equal(await ledger.countSentSince('person-1', new Date('2026-03-01T00:00:00.000Z')), 1);

    // Both were claimed at the same instant: findInDoubt orders them by send_id.
    assert.deepStrictEqual(
      logs.map((line) => [line.severity, line.message, line.send_id]).sort((a, b) => String(a[2]).localeCompare(String(b[2]))),
      [
        ['WARNING', 'send in doubt resolved: sent', mailed],
        ['WARNING', 'send in doubt resolved: retry', lost],
      ].sort((a, b) => a[2]!.localeCompare(b[2]!)),
    );
    assert.doesNotMatch(JSON.stringify(logs), /zoe|person-1/, 'no personal data in the log');
    assert.deepStrictEqual(await resolver()(), { resolved_sent: 0, resolved_retry: 0 }, 'a second run finds nothing');
  });

  test('claims younger than olderThanMs are left to their worker', async () => {
    const { clock, ledger, claim, resolver } = world();
    const id = await claim('cart-young');
    clock.advance(LEASE_MS);
    assert.deepStrictEqual(await resolver()(), { resolved_sent: 0, resolved_retry: 0 }, 'exactly olderThanMs old is not older');
    assert.equal((await ledger.get(id))?.status, 'claimed');
    clock.advance(1);
    assert.deepStrictEqual(await resolver()(), { resolved_sent: 0, resolved_retry: 1 });
  });

  test('a worker that finishes while its claim is being resolved keeps its own record', async () => {
    const { clock, ledger, logs, claim, resolver, dataDir } = world();
    const id = await claim('cart-slow');
    clock.advance(LEASE_MS + 1);
    const evidence = outboxEvidence(dataDir);
    const run = resolver({
      findEvidence: async (send_id) => {
        const found = await evidence(send_id); // no file yet: would say retry…
        await ledger.markSent(send_id, { provider: 'outbox', provider_message_id: send_id, sent_at: clock.now() }); // …but the worker gets there first
        return found;
      },
    });
    assert.deepStrictEqual(await run(), { resolved_sent: 0, resolved_retry: 0 });
    const entry = await ledger.get(id);
    assert.equal(entry?.status, 'sent');
    assert.equal(entry?.resolution, null);
    assert.deepStrictEqual(logs.map((line) => [line.message, line.send_id]), [['send in doubt: settled by its worker meanwhile', id]]);
  });

  test('an evidence lookup that fails leaves the send in doubt, logged, and the others are still resolved', async () => {
    const { clock, ledger, logs, claim, resolver, dataDir } = world();
    const broken = await claim('cart-a');
    const fine = await claim('cart-b');
    clock.advance(LEASE_MS + 1);
    const evidence = outboxEvidence(dataDir);
    const run = resolver({
      findEvidence: async (send_id) => {
        if (send_id === broken) throw new Error('disk unreadable');
        return evidence(send_id);
      },
    });
    assert.deepStrictEqual(await run(), { resolved_sent: 0, resolved_retry: 1 });
    assert.equal((await ledger.get(broken))?.status, 'claimed');
    assert.equal((await ledger.get(fine))?.status, 'retry');
    assert.deepStrictEqual(logs.find((line) => line.severity === 'ERROR'), { severity: 'ERROR', message: 'send in doubt: evidence lookup failed; left in doubt', send_id: broken, error: 'Error: disk unreadable' });
    assert.deepStrictEqual((await ledger.findInDoubt(clock.now())).map((entry) => entry.send_id), [broken]);
  });

  test('one run settles at most `limit` claims, oldest first', async () => {
    const { clock, ledger, claim, resolver } = world();
    const first = await claim('cart-1');
    clock.advance(1000);
    const second = await claim('cart-2');
    clock.advance(LEASE_MS + 1);
    assert.deepStrictEqual(await resolver({ limit: 1 })(), { resolved_sent: 0, resolved_retry: 1 });
    assert.equal((await ledger.get(first))?.status, 'retry');
    assert.equal((await ledger.get(second))?.status, 'claimed');
  });

  test('outboxEvidence rejects an id that could leave the outbox; olderThanMs must be positive', async () => {
    const { ledger, clock, dataDir } = world();
    await assert.rejects(outboxEvidence(dataDir)('../secret'), /invalid send_id/);
    assert.throws(() => createResolveInDoubt({ ledger, findEvidence: outboxEvidence(dataDir), provider: 'outbox', facts: { insertRows: async () => {} }, clock, olderThanMs: 0 }), /olderThanMs must be positive/);
  });
});
