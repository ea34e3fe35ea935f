import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sendId } from '../../pipelines/delivery/send-id.ts';
import type { ClaimMeta, SendLedger } from '../../pipelines/delivery/send-ledger.ts';

/**
 * What every SendLedger adapter must do (pipelines/delivery/send-ledger.ts). Each adapter's test
 * file runs this suite with a 5-minute lease, so SQLite and Firestore behave the same.
 */

export type SendLedgerNamespace = {
  /** A handle on this namespace's data; a second call gives an independent handle, as a second process would hold. */
  open: () => Promise<SendLedger>;
};

export type SendLedgerHarness = {
  /** An empty namespace no other namespace sees (a new SQLite file, a new collection prefix). */
  createNamespace: () => Promise<SendLedgerNamespace>;
  teardown?: () => Promise<void>;
};

export const CONTRACT_LEASE_MS = 5 * 60_000;

const T0 = Date.UTC(2026, 2, 1, 10, 0);
const at = (minutes: number) => new Date(T0 + minutes * 60_000);
const meta = (minutes: number, overrides: Partial<ClaimMeta> = {}): ClaimMeta => ({ campaign_id: 'cart', person_id: 'p1', step: 0, claimed_at: at(minutes), ...overrides });
let ids = 0;
const newId = () => sendId('cart', `p1-cart-${++ids}-${Math.random()}`, 0);

export function runSendLedgerContract(name: string, setup: () => Promise<SendLedgerHarness>, options: { skip?: string } = {}): void {
  describe(`SendLedger contract: ${name}`, { skip: options.skip ?? false }, () => {
    let harness: SendLedgerHarness | undefined;
    const opened: SendLedger[] = [];
    before(async () => {
      harness = await setup();
    });
    after(async () => {
      for (const ledger of opened) await ledger.close?.();
      await harness?.teardown?.();
    });
    const open = async (namespace: SendLedgerNamespace) => {
      const ledger = await namespace.open();
      opened.push(ledger);
      return ledger;
    };
    const freshLedger = async () => open(await harness!.createNamespace());

    test('the first claim creates a claimed entry; a repeat within the lease is in_progress', async () => {
      const ledger = await freshLedger();
      const id = newId();
      assert.equal(await ledger.get(id), null);
      assert.equal(await ledger.claim(id, meta(0, { step: 2 })), 'claimed');
      assert.equal(await ledger.claim(id, meta(1)), 'in_progress');
      assert.deepStrictEqual(await ledger.get(id), {
        send_id: id,
        campaign_id: 'cart',
        person_id: 'p1',
        step: 2,
        status: 'claimed',
        claimed_at: at(0).toISOString(),
        attempts: 1,
        provider: null,
        provider_message_id: null,
        sent_at: null,
        error: null,
        resolution: null,
        evidence: null,
        updated_at: at(0).toISOString(),
      });
    });

    test('after markSent every claim is already_sent, and a second markSent keeps the first record', async () => {
      const ledger = await freshLedger();
      const id = newId();
      await ledger.claim(id, meta(0));
      await ledger.markSent(id, { provider: 'sendgrid', provider_message_id: 'msg-1', sent_at: at(0.5) });
      await ledger.markSent(id, { provider: 'sendgrid', provider_message_id: 'msg-2', sent_at: at(2) });
      assert.equal(await ledger.claim(id, meta(1)), 'already_sent');
      assert.equal(await ledger.claim(id, meta(60)), 'already_sent');
      const entry = await ledger.get(id);
      assert.equal(entry?.status, 'sent');
      assert.equal(entry?.provider_message_id, 'msg-1');
      assert.equal(entry?.sent_at, at(0.5).toISOString());
      assert.deepStrictEqual(await ledger.findInDoubt(at(120)), []);
    });

    test('a claim older than the lease that never reached markSent is in_doubt, listed, and never re-claimed', async () => {
      const ledger = await freshLedger();
      const id = newId();
      await ledger.claim(id, meta(0));
      assert.equal(await ledger.claim(id, meta(4.9)), 'in_progress');
      assert.equal(await ledger.claim(id, meta(5)), 'in_doubt');
      assert.equal(await ledger.claim(id, meta(600)), 'in_doubt', 'stays in doubt however late: never silently re-sent');
      assert.deepStrictEqual(await ledger.findInDoubt(at(0)), [], 'olderThan is exclusive');
      const inDoubt = await ledger.findInDoubt(at(5));
      assert.deepStrictEqual(inDoubt.map((entry) => [entry.send_id, entry.status]), [[id, 'claimed']]);
    });

    test("resolveInDoubt 'sent' settles the entry with its evidence; later claims are already_sent", async () => {
      const ledger = await freshLedger();
      const id = newId();
      await ledger.claim(id, meta(0));
      assert.equal(await ledger.resolveInDoubt(id, 'sent', 'outbox file exists', at(10)), true);
      assert.equal(await ledger.claim(id, meta(11)), 'already_sent');
      const entry = await ledger.get(id);
      assert.equal(entry?.status, 'sent');
      assert.equal(entry?.resolution, 'sent');
      assert.equal(entry?.evidence, 'outbox file exists');
      assert.deepStrictEqual(await ledger.findInDoubt(at(100)), []);
      assert.equal(await ledger.resolveInDoubt(id, 'retry', 'late second resolver', at(12)), false, 'a settled entry is not resolved again');
      assert.equal((await ledger.get(id))?.status, 'sent');
    });

    test("resolveInDoubt 'retry' lets exactly the next claim win it again, counting attempts", async () => {
      const ledger = await freshLedger();
      const id = newId();
      await ledger.claim(id, meta(0));
      assert.equal(await ledger.resolveInDoubt(id, 'retry', 'no message with this send_id at the ESP', at(10)), true);
      assert.deepStrictEqual(await ledger.findInDoubt(at(100)), []);
      assert.equal(await ledger.claim(id, meta(11)), 'claimed');
      assert.equal(await ledger.claim(id, meta(12)), 'in_progress');
      const entry = await ledger.get(id);
      assert.equal(entry?.attempts, 2);
      assert.equal(entry?.claimed_at, at(11).toISOString());
      assert.equal(entry?.resolution, 'retry');
    });

    test('a transient failure makes the send claimable again; a permanent one is final', async () => {
      const ledger = await freshLedger();
      const [transient, permanent] = [newId(), newId()];
      await ledger.claim(transient, meta(0));
      await ledger.claim(permanent, meta(0));
      await ledger.markFailed(transient, { error: '429 too many requests', permanent: false, failed_at: at(1) });
      await ledger.markFailed(permanent, { error: '400 invalid address', permanent: true, failed_at: at(1) });
      assert.equal((await ledger.get(transient))?.status, 'retry');
      assert.equal((await ledger.get(permanent))?.error, '400 invalid address');
      assert.equal(await ledger.claim(transient, meta(2)), 'claimed');
      assert.equal(await ledger.claim(permanent, meta(2)), 'failed');
      assert.equal(await ledger.claim(permanent, meta(100)), 'failed');
      assert.deepStrictEqual((await ledger.findInDoubt(at(1000))).map((entry) => entry.send_id), [transient]);
    });

    test('markFailed never downgrades a sent entry; marking an unknown send throws', async () => {
      const ledger = await freshLedger();
      const id = newId();
      await ledger.claim(id, meta(0));
      await ledger.markSent(id, { provider: 'outbox', provider_message_id: id, sent_at: at(0) });
      await ledger.markFailed(id, { error: 'late timeout', permanent: false, failed_at: at(1) });
      assert.equal((await ledger.get(id))?.status, 'sent');
      await assert.rejects(ledger.markSent(newId(), { provider: 'outbox', provider_message_id: 'x', sent_at: at(0) }), /never claimed/);
      await assert.rejects(ledger.markFailed(newId(), { error: 'x', permanent: true, failed_at: at(0) }), /never claimed/);
      await assert.rejects(ledger.resolveInDoubt(newId(), 'retry', 'x', at(0)), /never claimed/);
    });

    test('a late markSent after a retry resolution is still recorded: the ESP took it', async () => {
      const ledger = await freshLedger();
      const id = newId();
      await ledger.claim(id, meta(0));
      await ledger.resolveInDoubt(id, 'retry', 'nothing found yet', at(10));
      await ledger.markSent(id, { provider: 'sendgrid', provider_message_id: 'late', sent_at: at(11) });
      assert.equal(await ledger.claim(id, meta(12)), 'already_sent');
    });

    test('findInDoubt lists only unfinished claims older than the cut-off, oldest first, up to the limit', async () => {
      const ledger = await freshLedger();
      const [a, b, c, done] = [newId(), newId(), newId(), newId()];
      await ledger.claim(b, meta(2));
      await ledger.claim(a, meta(1));
      await ledger.claim(c, meta(30));
      await ledger.claim(done, meta(0));
      await ledger.markSent(done, { provider: 'outbox', provider_message_id: done, sent_at: at(0) });
      assert.deepStrictEqual((await ledger.findInDoubt(at(10))).map((entry) => entry.send_id), [a, b]);
      assert.deepStrictEqual((await ledger.findInDoubt(at(10), 1)).map((entry) => entry.send_id), [a]);
      assert.deepStrictEqual((await ledger.findInDoubt(at(31))).map((entry) => entry.send_id), [a, b, c]);
    });

    test('concurrent claims of one send_id through several handles: exactly one is claimed', async () => {
      const namespace = await harness!.createNamespace();
      const handles = await Promise.all([open(namespace), open(namespace), open(namespace)]);
      for (let round = 0; round < 3; round++) {
        const id = newId();
        const outcomes = await Promise.all(handles.flatMap((ledger) => [ledger.claim(id, meta(0)), ledger.claim(id, meta(0))]));
        assert.equal(outcomes.filter((outcome) => outcome === 'claimed').length, 1, `round ${round}: ${outcomes.join(',')}`);
        assert.deepStrictEqual(new Set(outcomes), new Set(['claimed', 'in_progress']));
        // And a retryable entry is re-claimed by exactly one of them too.
        await handles[0]!.markFailed(id, { error: '503', permanent: false, failed_at: at(1) });
        const again = await Promise.all(handles.map((ledger) => ledger.claim(id, meta(2))));
        assert.equal(again.filter((outcome) => outcome === 'claimed').length, 1, `round ${round} re-claim: ${again.join(',')}`);
        assert.equal((await handles[2]!.get(id))?.attempts, 2);
      }
    });

    test('entries are shared by handles on one namespace and invisible to another', async () => {
      const namespace = await harness!.createNamespace();
      const [a, b] = [await open(namespace), await open(namespace)];
      const id = newId();
      await a.claim(id, meta(0));
      assert.equal(await b.claim(id, meta(0)), 'in_progress');
      const other = await freshLedger();
      assert.equal(await other.get(id), null);
      assert.equal(await other.claim(id, meta(0)), 'claimed');
    });

    test('countSentSince counts only this person\'s sent entries with sent_at at or after the cut-off', async () => {
      const ledger = await freshLedger();
      const person = `person-${++ids}`;
      const other = `other-${ids}`;
      const send = async (who: string, minutes: number) => {
        const id = sendId('cart', `${who}-count-${++ids}`, 0);
        await ledger.claim(id, meta(minutes, { person_id: who }));
        await ledger.markSent(id, { provider: 'outbox', provider_message_id: id, sent_at: at(minutes) });
        return id;
      };
      await send(person, 0);
      await send(person, 60);
      await send(person, 61);
      await send(other, 61);
      // Not sent (yet): claimed, in retry, failed for good — none reached the person.
      const [claimed, retry, failed] = ['claimed', 'retry', 'failed'].map((kind) => sendId('cart', `${person}-${kind}-${++ids}`, 0)) as [string, string, string];
      for (const id of [claimed, retry, failed]) await ledger.claim(id, meta(62, { person_id: person }));
      await ledger.markFailed(retry, { error: '503', permanent: false, failed_at: at(62) });
      await ledger.markFailed(failed, { error: '400', permanent: true, failed_at: at(62) });

      assert.equal(await ledger.countSentSince(person, at(0)), 3);
      assert.equal(await ledger.countSentSince(person, at(60)), 2, 'the cut-off is inclusive');
      assert.equal(await ledger.countSentSince(person, at(60.5)), 1);
      assert.equal(await ledger.countSentSince(person, at(62)), 0);
      assert.equal(await ledger.countSentSince(other, at(0)), 1);
      assert.equal(await ledger.countSentSince(`nobody-${ids}`, at(0)), 0);
      const listed = await ledger.listSentSince(person, at(60));
      assert.deepEqual(listed.map((entry) => [entry.campaign_id, entry.step, entry.sent_at]), [['cart', 0, at(60).toISOString()], ['cart', 0, at(61).toISOString()]], 'sent entries only, oldest first');
      assert.ok(listed.every((entry) => typeof entry.send_id === 'string' && entry.send_id.length > 0));
      assert.deepEqual(await ledger.listSentSince(other, at(0)).then((entries) => entries.length), 1);

      // An in-doubt claim resolved as sent counts from when it was claimed (its sent_at).
      assert.equal(await ledger.resolveInDoubt(claimed, 'sent', 'outbox file exists', at(200)), true);
      assert.equal(await ledger.countSentSince(person, at(62)), 1);
      assert.equal(await ledger.countSentSince(person, at(63)), 0);
    });

    test('a capped claim counts the person\'s sends of the day and claims in flight; failures, retries, other days and other people do not', async () => {
      const ledger = await freshLedger();
      const person = `capped-${++ids}`;
      const day = { since: at(0) };
      const id = (label: string) => sendId('cart', `${person}-${label}-${++ids}`, 0);
      const claim = (send: string, minutes: number, limit: number, who = person) => ledger.claim(send, meta(minutes, { person_id: who, cap: { limit, ...day } }));

      const yesterday = id('yesterday');
      await ledger.claim(yesterday, meta(-60, { person_id: person }));
      await ledger.markSent(yesterday, { provider: 'outbox', provider_message_id: yesterday, sent_at: at(-60) });
      const [failed, retry] = [id('failed'), id('retry')];
      for (const send of [failed, retry]) assert.equal(await claim(send, 1, 5), 'claimed');
      await ledger.markFailed(failed, { error: '400', permanent: true, failed_at: at(1) });
      await ledger.markFailed(retry, { error: '429', permanent: false, failed_at: at(1) });

      const first = id('first');
      assert.equal(await claim(first, 2, 2), 'claimed', 'nothing counts yet');
      const second = id('second');
      assert.equal(await claim(second, 3, 2), 'claimed', 'one in flight, limit two');
      const third = id('third');
      assert.equal(await claim(third, 4, 2), 'capped', 'two in flight (not yet sent) use up the cap');
      assert.equal(await ledger.get(third), null, 'a capped claim writes nothing');
      assert.equal(await claim(retry, 4, 2), 'capped', 'a retry is capped like a new send');
      assert.equal(await claim(id('other'), 4, 2, `other-${ids}`), 'claimed', 'another person has their own cap');

      await ledger.markSent(first, { provider: 'outbox', provider_message_id: first, sent_at: at(5) });
      await ledger.markFailed(second, { error: '503', permanent: false, failed_at: at(5) });
      assert.equal(await claim(third, 6, 2), 'claimed', 'one sent, one back in retry: one left');
      assert.equal(await claim(first, 7, 2), 'already_sent', 'a done send answers as before, cap or not');
      assert.equal(await claim(id('fourth'), 7, 2), 'capped');
      assert.equal(await ledger.claim(id('uncapped'), meta(7, { person_id: person })), 'claimed', 'without cap, no cap');
    });

    test('concurrent capped claims of different sends for one person through several handles: no more than the cap', async () => {
      const namespace = await harness!.createNamespace();
      const handles = await Promise.all([open(namespace), open(namespace), open(namespace)]);
      for (const limit of [1, 2]) {
        const person = `racer-${++ids}`;
        const sends = Array.from({ length: 6 }, (_, i) => sendId('cart', `${person}-${i}`, 0));
        const outcomes = await Promise.all(sends.map((send, i) => handles[i % handles.length]!.claim(send, meta(0, { person_id: person, cap: { limit, since: at(0) } }))));
        assert.equal(outcomes.filter((outcome) => outcome === 'claimed').length, limit, `limit ${limit}: ${outcomes.join(',')}`);
        assert.deepStrictEqual(new Set(outcomes), new Set(['claimed', 'capped']));
      }
    });

    test('a send_id unsafe as a key is rejected before anything is written', async () => {
      const ledger = await freshLedger();
      for (const bad of ['', 'a/b', '..', '__x__', 'x'.repeat(201)]) {
        await assert.rejects(async () => ledger.claim(bad, meta(0)), /invalid send_id/, JSON.stringify(bad));
      }
    });
  });
}
