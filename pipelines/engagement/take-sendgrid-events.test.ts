import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DeadLetter } from '../events/dead-letters.ts';
import type { LedgerEntry } from '../delivery/send-ledger.ts';
import type { WarehouseRow } from '../warehouse/warehouse.ts';
import { createTakeSendGridEvents } from './take-sendgrid-events.ts';
import { createUnsubscribePerson } from './unsubscribe-person.ts';
import { makeEvent } from '../profiles/event-fixtures.ts';
import { createFoldEvents } from '../profiles/fold-events.ts';
import { createInMemoryProfileStore } from '../profiles/in-memory-profile-store.ts';
import { createManualClock } from '../shared/clock.ts';
import type { SuppressionRequest } from './suppress-person.ts';

const received = new Date('2026-12-01T10:00:00.000Z');
const ts = Date.UTC(2026, 11, 1, 9, 0, 0) / 1000;

const entry = (send_id: string, person_id: string): LedgerEntry => ({
  send_id, campaign_id: 'cart-abandonment', person_id, step: 0, status: 'sent', claimed_at: '2026-12-01T08:59:00.000Z', attempts: 1,
  provider: 'sendgrid', provider_message_id: 'm', sent_at: '2026-12-01T08:59:01.000Z', error: null, resolution: null, evidence: null, updated_at: '2026-12-01T08:59:01.000Z',
});

function harness(options: { failSuppress?: boolean } = {}) {
  const ledger = new Map([['send-1', entry('send-1', 'person-1')], ['send-2', entry('send-2', 'person-2')]]);
  const rows: WarehouseRow[] = [];
  const deadLetters: DeadLetter[] = [];
  const suppressed: SuppressionRequest[] = [];
  const unsubscribed: { person_id: string; send_id: string; at: Date }[] = [];
  const logs: Record<string, unknown>[] = [];
  let id = 0;
  const take = createTakeSendGridEvents({
    ledger: { get: async (sendId) => ledger.get(sendId) ?? null },
    facts: { insertRows: async (_table, inserted) => void rows.push(...inserted) },
    deadLetters: { put: async (records) => void deadLetters.push(...records) },
    suppress: async (request) => {
      if (options.failSuppress) throw new Error('firestore unavailable');
      suppressed.push(request);
    },
    unsubscribe: async (request) => void unsubscribed.push(request),
    newId: () => `dl-${++id}`,
    log: (entry) => void logs.push(entry),
  });
  return { take, rows, deadLetters, suppressed, unsubscribed, logs };
}

const event = (fields: Record<string, unknown>) => ({ email: 'ann@example.com', timestamp: ts, sg_event_id: `ev-${String(fields.event)}`, send_id: 'send-1', campaign_id: 'cart-abandonment', ...fields });

describe('createTakeSendGridEvents', () => {
  test('each event becomes one row with the person and campaign the ledger recorded', async () => {
    const h = harness();
    const result = await h.take([event({ event: 'delivered' }), event({ event: 'open', send_id: 'send-2', campaign_id: 'spoofed' })], received);
    assert.deepEqual(result, { recorded: 2, suppressed: 0, dead_lettered: 0, ignored: 0 });
    assert.deepEqual(h.rows.map((r) => [r.email_event_id, r.person_id, r.campaign_id]), [['sendgrid:ev-delivered', 'person-1', 'cart-abandonment'], ['sendgrid:ev-open', 'person-2', 'cart-abandonment']]);
  });

  test('hard bounce and spam report suppress; unsubscribe goes the unsubscribe way; soft bounce and opens do not', async () => {
    const h = harness();
    await h.take(
      [
        event({ event: 'bounce', type: 'bounce', status: '5.1.1', email: 'Ann@Example.com' }),
        event({ event: 'bounce', type: 'blocked', sg_event_id: 'ev-soft' }),
        event({ event: 'spamreport', send_id: 'send-2' }),
        event({ event: 'unsubscribe' }),
        event({ event: 'open' }),
      ],
      received,
    );
    assert.deepEqual(h.suppressed, [
      { person_id: 'person-1', kind: 'bounced', at: new Date(ts * 1000), address: 'ann@example.com', email_event_id: 'sendgrid:ev-bounce' },
      { person_id: 'person-2', kind: 'complained', at: new Date(ts * 1000), address: 'ann@example.com', email_event_id: 'sendgrid:ev-spamreport' },
    ]);
    assert.deepEqual(h.unsubscribed, [{ person_id: 'person-1', send_id: 'send-1', at: new Date(ts * 1000) }]);
  });

  test("opens and clicks pass the machine classifier: a link scanner's click and a click a second after the send are machines, a person's is not", async () => {
    const h = harness();
    const sentAt = Date.parse('2026-12-01T08:59:01.000Z') / 1000;
    await h.take(
      [
        event({ event: 'click', sg_event_id: 'scanner', timestamp: sentAt + 600, useragent: 'Mozilla/5.0 (compatible; Barracuda Sentinel)' }),
        event({ event: 'click', sg_event_id: 'instant', timestamp: sentAt + 1, useragent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)' }),
        event({ event: 'open', sg_event_id: 'no-agent-soon', timestamp: sentAt + 1 }),
        event({ event: 'open', sg_event_id: 'no-agent-later', timestamp: sentAt + 600 }),
        event({ event: 'click', sg_event_id: 'person', timestamp: sentAt + 600, useragent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)' }),
        event({ event: 'open', sg_event_id: 'apple', timestamp: sentAt + 600, sg_machine_open: true }),
        event({ event: 'click', sg_event_id: 'skewed-clock', timestamp: sentAt - 30, useragent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)' }),
      ],
      received,
    );
    assert.deepEqual(
      h.rows.map((r) => [r.email_event_id, r.is_machine, r.machine_reason]),
      [
        ['sendgrid:scanner', true, 'user_agent'],
        ['sendgrid:instant', true, 'too_soon_after_delivery'],
        ['sendgrid:no-agent-soon', true, 'too_soon_after_delivery'],
        ['sendgrid:no-agent-later', false, null],
        ['sendgrid:person', false, null],
        ['sendgrid:apple', true, 'sendgrid_machine_open'],
        ['sendgrid:skewed-clock', false, null],
      ],
    );
  });

  test('a malformed event, one without send_id and one for a send nudge never made are dead-lettered with the field; the rest is kept', async () => {
    const h = harness();
    const batch = [event({ event: 'delivered' }), event({ event: 'exploded' }), event({ event: 'open', send_id: undefined }), event({ event: 'click', send_id: 'send-999' })];
    const result = await h.take(batch, received);
    assert.deepEqual(result, { recorded: 1, suppressed: 0, dead_lettered: 3, ignored: 0 });
    assert.deepEqual(h.deadLetters.map((d) => [d.stage, d.reason, d.errors.map((e) => `${e.index}:${e.path}`).join(',')]), [
      ['sendgrid-webhook', 'invalid_email_event', '1:event'],
      ['sendgrid-webhook', 'invalid_email_event', '2:send_id'],
      ['sendgrid-webhook', 'unknown_send', '3:send_id'],
    ]);
    assert.deepEqual(JSON.parse(h.deadLetters[2]!.payload), batch[3], 'the event as received, to replay');
  });

  test('a failure to suppress rejects the whole batch (SendGrid retries it); the rows already queued are keyed, so the retry adds none', async () => {
    const h = harness({ failSuppress: true });
    await assert.rejects(h.take([event({ event: 'spamreport' })], received), /firestore unavailable/);
    assert.equal(h.rows.length, 1);
    assert.equal(h.rows[0]!.email_event_id, 'sendgrid:ev-spamreport');
  });

  test('an item nested thousands of levels deep is dead-lettered, not a 503 SendGrid would retry for a day', async () => {
    const h = harness();
    let deep: unknown = [];
    for (let i = 0; i < 20_000; i++) deep = [deep];
    const result = await h.take([deep, event({ event: 'delivered' })], received);
    assert.deepEqual(result, { recorded: 1, suppressed: 0, dead_lettered: 1, ignored: 0 });
    assert.equal(h.deadLetters[0]!.payload, '(not printable: nested too deep)');
  });

  test("a click on nudge's own unsubscribe link through SendGrid's tracking is not a click (and its token is not stored)", async () => {
    const h = harness();
    const result = await h.take(
      [event({ event: 'click', url: 'https://nudge.shop.example/unsubscribe?token=abc.def' }), event({ event: 'click', sg_event_id: 'shop', url: 'https://shop.example/unsubscribe-tips' })],
      received,
    );
    assert.deepEqual(result, { recorded: 1, suppressed: 0, dead_lettered: 0, ignored: 1 });
    assert.deepEqual(h.rows.map((r) => r.url), ['https://shop.example/unsubscribe-tips']);
  });

  test('dead letters are logged as a count and their reasons, no payload; a clean batch logs nothing and stores no dead letter', async () => {
    const h = harness();
    await h.take([event({ event: 'delivered' })], received);
    assert.deepEqual([h.logs, h.deadLetters], [[], []]);
    await h.take([event({ event: 'exploded' }), event({ event: 'click', send_id: 'send-999' }), event({ event: 'open', sg_event_id: 'x', send_id: 'send-998' })], received);
    assert.deepEqual(h.logs, [{ severity: 'WARNING', message: 'sendgrid events dead-lettered', count: 3, reasons: ['invalid_email_event', 'unknown_send'] }]);
    assert.equal(h.deadLetters[1]!.errors[0]!.message, 'no send with this id in the send ledger');
  });

  test('deliveries and bounces are never machine events, however soon after the send', async () => {
    const h = harness();
    const sentAt = Date.parse('2026-12-01T08:59:01.000Z') / 1000;
    await h.take([event({ event: 'delivered', timestamp: sentAt }), event({ event: 'bounce', type: 'bounce', timestamp: sentAt + 1 })], received);
    assert.deepEqual(h.rows.map((r) => [r.event_type, r.is_machine, r.machine_reason]), [['delivered', false, null], ['bounce', false, null]]);
  });

  test('an event repeated within the batch is one row, counted once', async () => {
    const h = harness();
    assert.deepEqual(await h.take([event({ event: 'open' }), event({ event: 'open' })], received), { recorded: 1, suppressed: 0, dead_lettered: 0, ignored: 0 });
    assert.equal(h.rows.length, 1);
  });

  test('an empty batch does nothing', async () => {
    const h = harness();
    assert.deepEqual(await h.take([], received), { recorded: 0, suppressed: 0, dead_lettered: 0, ignored: 0 });
    assert.deepEqual([h.rows, h.deadLetters], [[], []]);
  });
});

describe('createTakeSendGridEvents over the real unsubscribe', () => {
  test('an unsubscribe for a person who no longer exists does not hold up the spam report beside it', async () => {
    const store = createInMemoryProfileStore();
    const fold = createFoldEvents({ store, clock: createManualClock('2026-12-01T10:00:00.000Z'), newPersonId: () => 'p-bob' });
    await fold([makeEvent('identify', { user_id: 'bob', email: 'bob@example.com' })]);
    const suppressed: SuppressionRequest[] = [];
    const ledger = new Map([['send-gone', entry('send-gone', 'p-gone')], ['send-bob', entry('send-bob', 'p-bob')]]);
    const take = createTakeSendGridEvents({
      ledger: { get: async (id) => ledger.get(id) ?? null },
      facts: { insertRows: async () => {} },
      deadLetters: { put: async () => {} },
      suppress: async (request) => void suppressed.push(request),
      unsubscribe: createUnsubscribePerson({ store, foldEvents: fold, acceptEvents: async () => {}, newEventId: () => 'e-1' }),
      newId: () => 'dl',
    });
    const result = await take([event({ event: 'unsubscribe', send_id: 'send-gone' }), event({ event: 'spamreport', send_id: 'send-bob' })], received);
    assert.deepEqual(result, { recorded: 2, suppressed: 2, dead_lettered: 0, ignored: 0 });
    assert.deepEqual(suppressed.map((s) => [s.person_id, s.kind]), [['p-bob', 'complained']]);
  });
});
