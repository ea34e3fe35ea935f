import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EvidenceUnavailableError, createResolveInDoubt, resolveInDoubtDefaults, type ResolveInDoubtDeps, type SendEvidence } from './resolve-in-doubt.ts';
import { claimTransition, resolveTransition, type LedgerEntry, type SendLedger } from './send-ledger.ts';
import { createManualClock } from '../shared/clock.ts';
import type { WarehouseRow } from '../warehouse/warehouse.ts';

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const LEASE_MS = 5 * 60_000;
const iso = (ms: number) => new Date(T0 + ms).toISOString();

/**
 * The ledger port over the shared transition rules (send-ledger.ts), as both adapters run them:
 * findInDoubt lists `claimed` entries claimed before the cutoff, oldest first, at most `limit`.
 */
function memoryLedger() {
  const entries = new Map<string, LedgerEntry>();
  /** A first claim, as claimTransition writes it. */
  const claimAt = (send_id: string, claimedAtMs: number) => {
    const { outcome, write } = claimTransition(null, send_id, { campaign_id: 'cart', person_id: 'person-1', step: 0, claimed_at: new Date(T0 + claimedAtMs) }, LEASE_MS);
    assert.ok(outcome === 'claimed' && write, `claim of ${send_id}`);
    entries.set(send_id, write);
  };
  const ledger: Pick<SendLedger, 'findInDoubt' | 'resolveInDoubt' | 'get'> = {
    findInDoubt: async (olderThan, limit) => {
      const inDoubt = [...entries.values()]
        .filter((entry) => entry.status === 'claimed' && entry.claimed_at < olderThan.toISOString())
        .sort((a, b) => a.claimed_at.localeCompare(b.claimed_at) || a.send_id.localeCompare(b.send_id));
      return inDoubt.slice(0, limit ?? inDoubt.length);
    },
    resolveInDoubt: async (send_id, resolution, evidence, resolvedAt) => {
      const next = resolveTransition(entries.get(send_id) ?? null, send_id, resolution, evidence, resolvedAt);
      if (next) entries.set(send_id, next);
      return next !== undefined;
    },
    get: async (send_id) => entries.get(send_id) ?? null,
  };
  return { ledger, entries, claimAt };
}

/** A resolver over a memory ledger, evidence given per send_id, and the facts and logs it left. */
function world(evidence: Record<string, SendEvidence | Error> = {}, overrides: Partial<ResolveInDoubtDeps> = {}) {
  const clock = createManualClock(new Date(T0));
  const { ledger, entries, claimAt } = memoryLedger();
  const rows: { table: string; row: WarehouseRow }[] = [];
  const logs: Record<string, unknown>[] = [];
  const asked: string[] = [];
  const deps: ResolveInDoubtDeps = {
    ledger: ledger as SendLedger,
    findEvidence: async (send_id) => {
      asked.push(send_id);
      const found = evidence[send_id] ?? { sent: false, evidence: `no record of ${send_id}` };
      if (found instanceof Error) throw found;
      return found;
    },
    provider: 'sendgrid',
    facts: { insertRows: async (table, inserted) => void rows.push(...inserted.map((row) => ({ table, row }))) },
    clock,
    olderThanMs: LEASE_MS,
    log: (line) => logs.push(line),
    ...overrides,
  };
  const status = (send_id: string) => entries.get(send_id)?.status;
  return { clock, entries, claimAt, rows, logs, asked, deps, run: () => createResolveInDoubt(deps)(), status };
}

const unavailable = () => new EvidenceUnavailableError('Activity API answered 403');

describe('resolveInDoubt: configuration that would send twice is refused', () => {
  test('olderThanMs must be positive', () => {
    for (const olderThanMs of [0, -1, Number.NaN]) {
      assert.throws(() => createResolveInDoubt(world({}, { olderThanMs }).deps), /olderThanMs must be positive/, String(olderThanMs));
    }
  });

  test('a lease shorter than the evidence lag is refused, naming both; a lease equal to it is accepted', () => {
    assert.throws(() => createResolveInDoubt(world({}, { olderThanMs: 999, evidenceLagMs: 1000 }).deps), /lease \(999 ms\) is shorter than the sendgrid evidence lag \(1000 ms\).*at least 1000/);
    assert.doesNotThrow(() => createResolveInDoubt(world({}, { olderThanMs: 1000, evidenceLagMs: 1000 }).deps));
    assert.doesNotThrow(() => createResolveInDoubt(world({}, { olderThanMs: 1 }).deps), 'no lag given: the outbox, whose file exists before the mailer returns');
  });
});

describe('resolveInDoubt: the ESP evidence settles each claim', () => {
  test('email found → sent, with its email_sends row at the claim time; not found → retry, no row', async () => {
    const w = world({ 'send-a': { sent: true, evidence: 'activity: delivered', provider_message_id: 'sg-1' } });
    w.claimAt('send-a', 0);
    w.claimAt('send-b', 1000);
    w.clock.advance(LEASE_MS + 1001);
    assert.deepEqual(await w.run(), { resolved_sent: 1, resolved_retry: 1 });
    assert.equal(w.status('send-a'), 'sent');
    assert.equal(w.entries.get('send-a')?.evidence, 'activity: delivered');
    assert.equal(w.status('send-b'), 'retry');
    assert.equal(w.entries.get('send-b')?.evidence, 'no record of send-b');
    assert.equal(w.entries.get('send-b')?.updated_at, iso(LEASE_MS + 1001), 'resolved at the clock\u2019s now');
    assert.deepEqual(w.rows, [
      {
        table: 'email_sends',
        row: {
          send_id: 'send-a',
          campaign_id: 'cart',
          person_id: 'person-1',
          step: 0,
          variant_id: null,
          provider: 'sendgrid',
          provider_message_id: 'sg-1',
          status: 'in_doubt_resolved',
          subject: null,
          trigger_key: null,
          sent_at: iso(0),
          error: null,
        },
      },
    ]);
  });

  test('evidence without a message id gives a row with none', async () => {
    const w = world({ 'send-a': { sent: true, evidence: 'outbox file exists' } });
    w.claimAt('send-a', 0);
    w.clock.advance(LEASE_MS + 1);
    await w.run();
    assert.equal(w.rows[0]?.row.provider_message_id, null);
  });

  test('only claims older than the lease are looked at: a younger one may still be with its worker', async () => {
    const w = world();
    w.claimAt('send-old', 0);
    w.claimAt('send-young', 1);
    w.clock.advance(LEASE_MS + 1);
    assert.deepEqual(await w.run(), { resolved_sent: 0, resolved_retry: 1 });
    assert.deepEqual(w.asked, ['send-old'], 'the ESP is not even asked about the young one');
    assert.equal(w.status('send-young'), 'claimed');
  });

  test('one run settles a bounded batch, oldest first: by default resolveInDoubtDefaults.limit, or the limit given', async () => {
    const w = world();
    for (let i = 0; i <= resolveInDoubtDefaults.limit; i++) w.claimAt(`send-${String(i).padStart(4, '0')}`, i);
    w.clock.advance(LEASE_MS + resolveInDoubtDefaults.limit + 1);
    assert.deepEqual(await w.run(), { resolved_sent: 0, resolved_retry: resolveInDoubtDefaults.limit });
    assert.equal(w.status(`send-${String(resolveInDoubtDefaults.limit).padStart(4, '0')}`), 'claimed', 'the newest waits for the next run');

    const limited = world({}, { limit: 1 });
    limited.claimAt('send-2', 1);
    limited.claimAt('send-1', 0);
    limited.clock.advance(LEASE_MS + 2);
    assert.deepEqual(await limited.run(), { resolved_sent: 0, resolved_retry: 1 });
    assert.deepEqual([limited.status('send-1'), limited.status('send-2')], ['retry', 'claimed']);
  });

  test('the email_sends row is queued before the ledger changes: if queueing fails, the claim stays for the next run', async () => {
    const w = world({ 'send-a': { sent: true, evidence: 'found' } }, { facts: { insertRows: async () => Promise.reject(new Error('queue down')) } });
    w.claimAt('send-a', 0);
    w.clock.advance(LEASE_MS + 1);
    await assert.rejects(w.run(), /queue down/);
    assert.equal(w.status('send-a'), 'claimed');
  });

  test('a claim its worker settled meanwhile is left as the worker wrote it, not counted, and logged', async () => {
    const w = world();
    w.claimAt('send-a', 0);
    w.clock.advance(LEASE_MS + 1);
    w.deps.findEvidence = async (send_id) => {
      w.entries.set(send_id, { ...w.entries.get(send_id)!, status: 'sent', sent_at: iso(10) }); // the worker's markSent
      return { sent: false, evidence: 'not yet in the feed' };
    };
    assert.deepEqual(await w.run(), { resolved_sent: 0, resolved_retry: 0 });
    assert.equal(w.status('send-a'), 'sent');
    assert.deepEqual(w.logs, [{ severity: 'INFO', message: 'send in doubt: settled by its worker meanwhile', send_id: 'send-a' }]);
  });

  test('each resolution is logged as a warning with its evidence and claim time, and no personal data', async () => {
    const w = world({ 'send-a': { sent: true, evidence: 'activity: delivered' } });
    w.claimAt('send-a', 0);
    w.claimAt('send-b', 0);
    w.clock.advance(LEASE_MS + 1);
    await w.run();
    assert.deepEqual(w.logs, [
      { severity: 'WARNING', message: 'send in doubt resolved: sent', send_id: 'send-a', resolution: 'sent', evidence: 'activity: delivered', claimed_at: iso(0) },
      { severity: 'WARNING', message: 'send in doubt resolved: retry', send_id: 'send-b', resolution: 'retry', evidence: 'no record of send-b', claimed_at: iso(0) },
    ]);
    assert.doesNotMatch(JSON.stringify(w.logs), /person-1/);
  });

  test('log is optional: every path runs without it', async () => {
    const bound = LEASE_MS + 8;
    const w = world({ 'send-failing': new Error('timeout'), 'send-unreadable-old': unavailable(), 'send-unreadable-young': unavailable() }, { log: undefined, assumeSentWithoutEvidenceAfterMs: bound });
    w.claimAt('send-failing', 0);
    w.claimAt('send-unreadable-old', 0);
    w.claimAt('send-unreadable-young', 5);
    w.claimAt('send-settled-by-worker', 0);
    w.claimAt('send-retry', 0);
    w.clock.advance(LEASE_MS + 10);
    const findEvidence = w.deps.findEvidence;
    w.deps.findEvidence = async (send_id) => {
      if (send_id === 'send-settled-by-worker') w.entries.set(send_id, { ...w.entries.get(send_id)!, status: 'sent' });
      return findEvidence(send_id);
    };
    assert.deepEqual(await w.run(), { resolved_sent: 1, resolved_retry: 1 });
    assert.deepEqual(
      ['send-failing', 'send-unreadable-old', 'send-unreadable-young', 'send-settled-by-worker', 'send-retry'].map(w.status),
      ['claimed', 'sent', 'claimed', 'sent', 'retry'],
    );
  });
});

describe('resolveInDoubt: when the evidence cannot be had', () => {
  test('a lookup that fails this time leaves the send in doubt, logged; the others are still settled', async () => {
    const w = world({ 'send-a': new Error('ESP timeout') });
    w.claimAt('send-a', 0);
    w.claimAt('send-b', 1);
    w.clock.advance(LEASE_MS + 2);
    assert.deepEqual(await w.run(), { resolved_sent: 0, resolved_retry: 1 });
    assert.equal(w.status('send-a'), 'claimed');
    assert.equal(w.status('send-b'), 'retry');
    assert.deepEqual(w.logs[0], { severity: 'ERROR', message: 'send in doubt: evidence lookup failed; left in doubt', send_id: 'send-a', error: 'Error: ESP timeout' });
  });

  test('a passing failure is never assumed sent, however old the claim', async () => {
    const w = world({ 'send-a': new Error('ESP timeout') });
    w.claimAt('send-a', 0);
    w.clock.advance(resolveInDoubtDefaults.assumeSentWithoutEvidenceAfterMs * 10);
    assert.deepEqual(await w.run(), { resolved_sent: 0, resolved_retry: 0 });
    assert.equal(w.status('send-a'), 'claimed');
    assert.deepEqual(w.rows, []);
  });

  test('no access to the ESP record: waits, logged, until the claim is assumeSentWithoutEvidenceAfterMs old, then settled as sent with its row', async () => {
    const bound = resolveInDoubtDefaults.assumeSentWithoutEvidenceAfterMs;
    const w = world({ 'send-a': unavailable() });
    w.claimAt('send-a', 0);
    w.clock.set(new Date(T0 + bound - 1));
    assert.deepEqual(await w.run(), { resolved_sent: 0, resolved_retry: 0 });
    assert.equal(w.status('send-a'), 'claimed');
    assert.deepEqual(w.logs, [{ severity: 'ERROR', message: `send in doubt: the ESP's evidence cannot be read; assumed sent once ${bound} ms old`, send_id: 'send-a', error: 'Activity API answered 403' }]);

    w.logs.length = 0;
    w.clock.set(new Date(T0 + bound));
    assert.deepEqual(await w.run(), { resolved_sent: 1, resolved_retry: 0 });
    const entry = w.entries.get('send-a');
    assert.equal(entry?.status, 'sent');
    assert.equal(entry?.evidence, `assumed sent without evidence after ${bound} ms (a missed email beats a duplicate): Activity API answered 403`);
    assert.deepEqual(w.logs[0], { severity: 'ERROR', message: "send in doubt assumed sent: the ESP's evidence cannot be read", send_id: 'send-a', error: 'Activity API answered 403' });
    assert.deepEqual(w.rows.map(({ row }) => [row.send_id, row.status, row.provider_message_id, row.sent_at]), [['send-a', 'in_doubt_resolved', null, iso(0)]]);
  });

  test('the bound is measured from the claim, and can be set', async () => {
    const w = world({ 'send-old': unavailable(), 'send-new': unavailable() }, { assumeSentWithoutEvidenceAfterMs: 10 * 60_000 });
    w.claimAt('send-old', 0);
    w.claimAt('send-new', 5 * 60_000);
    w.clock.set(new Date(T0 + 10 * 60_000 + 1));
    assert.deepEqual(await w.run(), { resolved_sent: 1, resolved_retry: 0 });
    assert.deepEqual([w.status('send-old'), w.status('send-new')], ['sent', 'claimed']);
  });
});
