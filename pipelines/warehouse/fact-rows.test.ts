import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { decisionIdOf, decisionRow, emailSendRow, factTables, factTopicName, recordDecision, recordEmailEvents, recordIdentityLinks, recordSend, type EmailSendFact, type FactQueue } from './fact-rows.ts';
import { EmailEvent } from '../engagement/email-event.ts';
import { personIdentityRow } from '../profiles/person-identity-row.ts';
import type { WarehouseRow } from './warehouse.ts';
import { Decision } from '../decisions/decision.ts';

const repo = (path: string) => new URL(`../../${path}`, import.meta.url);

const decision = (overrides: Partial<Decision> = {}): Decision => ({
  decision_id: 'fresh-id-1',
  send_id: 'send-1',
  campaign_id: 'cart-abandonment',
  person_id: 'person-1',
  step: 0,
  outcome: 'send',
  reason: 'eligible',
  defer_until: null,
  decided_at: '2026-03-01T10:00:00.000Z',
  variant_id: 'a',
  trigger_key: '["cart-1",null]',
  live_data_fallbacks: null,
  ...overrides,
});

const sendFact = (overrides: Partial<EmailSendFact> = {}): EmailSendFact => ({
  send_id: 'send-1',
  campaign_id: 'cart-abandonment',
  person_id: 'person-1',
  step: 1,
  variant_id: 'b',
  provider: 'sendgrid',
  provider_message_id: 'sg-1',
  status: 'sent',
  sent_at: new Date('2026-03-01T10:00:05.000Z'),
  error: null,
  trigger_key: '["cart-1",null]',
  subject: 'Ann, your jacket is waiting',
  ...overrides,
});

const emailEvent = (): EmailEvent =>
  EmailEvent.parse({
    email_event_id: 'sendgrid:ev-1', send_id: 'send-1', campaign_id: 'cart-abandonment', person_id: 'person-1', event_type: 'open', source: 'sendgrid',
    occurred_at: '2026-03-01T10:05:00.000Z', received_at: '2026-03-01T10:05:02.000Z', is_machine: false, machine_reason: null, bounce_type: null,
    status_code: null, url: null, link_index: null, provider_message_id: 'sg-1',
  });

/** A FactQueue that keeps what it was given, in order. */
function queue() {
  const inserted: { table: string; rows: readonly WarehouseRow[] }[] = [];
  const facts: FactQueue = { insertRows: async (table, rows) => void inserted.push({ table, rows }) };
  return { facts, inserted };
}

describe('decisions rows', () => {
  test('a step decided again for the same send and verdict (after a crash, a lost lease) writes the same key', () => {
    const first = decisionRow(decision());
    const again = decisionRow(decision({ decision_id: 'fresh-id-2', decided_at: '2026-03-01T10:05:00.000Z', variant_id: 'b' }));
    assert.equal(again.decision_id, first.decision_id);
    assert.notEqual(first.decision_id, 'fresh-id-1', 'the caller\u2019s fresh id is replaced: it would differ on every re-run');
  });

  test('different verdicts about one send, and decisions about different sends, are different rows', () => {
    const verdicts = [
      decision(),
      decision({ send_id: 'send-2' }),
      decision({ outcome: 'defer', reason: 'quiet_hours', defer_until: '2026-03-01T22:00:00.000Z' }),
      decision({ outcome: 'defer', reason: 'quiet_hours', defer_until: '2026-03-02T22:00:00.000Z' }),
      decision({ outcome: 'skip', reason: 'suppressed_unsubscribed' }),
      decision({ outcome: 'skip', reason: 'frequency_capped' }),
      decision({ outcome: 'holdout', reason: 'holdout' }),
    ];
    const ids = verdicts.map((d) => decisionIdOf(d));
    assert.equal(new Set(ids).size, verdicts.length);
    assert.deepEqual(verdicts.map((d) => decisionRow(d).decision_id), ids, 'the row carries decisionIdOf');
  });

  test('the row is the decision column for column, and still a valid Decision', () => {
    const input = decision({ outcome: 'defer', reason: 'quiet_hours', defer_until: '2026-03-01T22:00:00.000Z' });
    const row = decisionRow(input);
    assert.deepEqual({ ...row, decision_id: input.decision_id }, input);
    assert.deepEqual(Decision.parse(row), row);
  });

  test('recordDecision queues one row on the decisions table', async () => {
    const { facts, inserted } = queue();
    await recordDecision(facts, decision());
    assert.deepEqual(inserted, [{ table: 'decisions', rows: [decisionRow(decision())] }]);
  });
});

describe('email_sends rows', () => {
  test('one row with exactly the columns of sql/tables/email_sends.schema.json, the send\u2019s values in them', () => {
    const columns = (JSON.parse(readFileSync(repo('sql/tables/email_sends.schema.json'), 'utf8')) as { name: string }[]).map((column) => column.name);
    const fact = sendFact();
    const row = emailSendRow(fact);
    assert.deepEqual(Object.keys(row).sort(), [...columns].sort());
    assert.deepEqual(row, { ...fact, sent_at: '2026-03-01T10:00:05.000Z' }, 'the fact as it is, sent_at as ISO text');
  });

  test('the subject as rendered is kept; a send settled without one (the in-doubt resolver) has null subject and trigger key', () => {
    assert.equal(emailSendRow(sendFact()).subject, 'Ann, your jacket is waiting');
    const { subject: _subject, trigger_key: _trigger, ...resolved } = sendFact();
    const row = emailSendRow(resolved);
    assert.deepEqual([row.subject, row.trigger_key], [null, null]);
  });

  test('sent_at: a Date becomes ISO text; a claim time already in ledger text is kept as is', () => {
    assert.equal(emailSendRow(sendFact({ sent_at: new Date('2026-03-01T10:00:05.000Z') })).sent_at, '2026-03-01T10:00:05.000Z');
    assert.equal(emailSendRow(sendFact({ sent_at: '2026-03-01T09:59:00.000Z' })).sent_at, '2026-03-01T09:59:00.000Z');
  });

  test('a permanent failure keeps its error, an unknown provider and no message id', () => {
    const row = emailSendRow(sendFact({ status: 'failed', provider: 'unknown', provider_message_id: null, error: '550 mailbox unavailable' }));
    assert.deepEqual([row.status, row.provider, row.provider_message_id, row.error], ['failed', 'unknown', null, '550 mailbox unavailable']);
  });

  test('recordSend queues one row on the email_sends table', async () => {
    const { facts, inserted } = queue();
    await recordSend(facts, sendFact());
    assert.deepEqual(inserted, [{ table: 'email_sends', rows: [emailSendRow(sendFact())] }]);
  });
});

describe('fact tables and their topics', () => {
  test('the tables facts are recorded in are exactly the fact tables (each with a topic), all declared in sql/tables/', async () => {
    const { facts, inserted } = queue();
    await recordDecision(facts, decision());
    await recordSend(facts, sendFact());
    await recordEmailEvents(facts, [emailEvent()]);
    await recordIdentityLinks(facts, [personIdentityRow('user_id', 'u-1', 'person-1', '2026-03-01T10:00:00.000Z')]);
    await recordEmailEvents(facts, []);
    await recordIdentityLinks(facts, []);
    assert.equal(inserted.length, 4, 'nothing is queued for an empty list');
    assert.deepEqual([...factTables].sort(), inserted.map((insert) => insert.table).sort(), 'a table without a topic would be refused by the queue');
    for (const table of factTables) assert.ok(existsSync(repo(`sql/tables/${table}.sql`)), `sql/tables/${table}.sql`);
  });

  test('the topic of a table is named as terraform/pubsub.tf names it (warehouse-<table>)', () => {
    const pubsub = readFileSync(repo('terraform/pubsub.tf'), 'utf8');
    assert.ok(pubsub.includes(`name = "${factTopicName('${each.key}')}"`), 'terraform names the topic of each journey table the same way');
    assert.equal(new Set(factTables.map(factTopicName)).size, factTables.length, 'one topic per table');
    for (const table of factTables) assert.ok(factTopicName(table).endsWith(table));
  });
});
