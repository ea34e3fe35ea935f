import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { SENDGRID_ACTIVITY_LAG_MS, sendGridEvidence } from './sendgrid-evidence.ts';
import { createSendGridMailer } from './sendgrid-mailer.ts';
import { createSqliteSendLedger } from '../embedded/sqlite-send-ledger.ts';
import { ConfigError } from '../embedded/config.ts';
import { parseJourneyConfig } from '../journey-config.ts';
import { outgoingEmail as email } from '../../test/support/outgoing-email.ts';
import { startSendGridCapture } from '../../test/support/sendgrid-capture.ts';
import { MailerOutcomeUnknownError } from '../../pipelines/delivery/mailer.ts';
import { EvidenceUnavailableError, createResolveInDoubt, resolveInDoubtDefaults } from '../../pipelines/delivery/resolve-in-doubt.ts';
import { createManualClock } from '../../pipelines/shared/clock.ts';
import type { WarehouseRow } from '../../pipelines/warehouse/warehouse.ts';

// Issue 6, item 13: a claim left in doubt while SendGrid had the email must never be sent again
// because SendGrid's activity feed had not caught up, and must not stay in doubt forever when
// the feed cannot be read at all. Against a SendGrid stand-in on loopback.
let sendgrid: Awaited<ReturnType<typeof startSendGridCapture>>;
before(async () => {
  sendgrid = await startSendGridCapture();
});
after(() => sendgrid.close());
beforeEach(() => {
  sendgrid.mails.length = 0;
  Object.assign(sendgrid.behaviour, { mailStatus: 202, activityStatus: 200, activityLagging: false });
});

const LAG = SENDGRID_ACTIVITY_LAG_MS;
let sends = 0;

/** One process's view: a ledger, the SendGrid mailer and evidence, a resolver, recorded facts. */
function world(options: { leaseMs?: number } = {}) {
  const clock = createManualClock('2026-03-01T10:00:00.000Z');
  const leaseMs = options.leaseMs ?? LAG;
  const ledger = createSqliteSendLedger({ database: ':memory:', leaseMs });
  const mailer = createSendGridMailer({ apiKey: 'SG.test', apiBase: sendgrid.url, sleep: async () => {}, maxAttempts: 3 });
  const rows: { table: string; row: WarehouseRow }[] = [];
  const logs: Record<string, unknown>[] = [];
  const resolver = () =>
    createResolveInDoubt({
      ledger,
      findEvidence: sendGridEvidence({ apiKey: 'SG.test', apiBase: sendgrid.url }),
      provider: 'sendgrid',
      facts: { insertRows: async (table, inserted) => void rows.push(...inserted.map((row) => ({ table, row }))) },
      clock,
      olderThanMs: leaseMs,
      evidenceLagMs: LAG,
      log: (line) => logs.push(line),
    });
  const send_id = `send${++sends}`;
  const claim = () => ledger.claim(send_id, { campaign_id: 'cart', person_id: 'person-1', step: 0, claimed_at: clock.now() });
  return { clock, ledger, mailer, rows, logs, resolver, send_id, claim };
}

describe('in-doubt SendGrid sends', () => {
  test('a lease shorter than the activity feed lag is refused, by the resolver and by the config', () => {
    assert.throws(() => world({ leaseMs: 5 * 60_000 }).resolver(), /NUDGE_SEND_LEASE_MS to at least 1800000/);
    const env = { NUDGE_LINK_KEYS: 'k'.repeat(32), SENDGRID_API_KEY: 'SG.x' };
    assert.throws(() => parseJourneyConfig({ ...env, NUDGE_SEND_LEASE_MS: '300000' }, null), (error) => error instanceof ConfigError && /NUDGE_SEND_LEASE_MS.*1800000.*activity/i.test(error.message));
    assert.equal(parseJourneyConfig(env, null).sendLeaseMs, LAG, 'the default lease with SendGrid waits out the lag');
    assert.equal(parseJourneyConfig({ NUDGE_LINK_KEYS: 'k'.repeat(32), NUDGE_SEND_LEASE_MS: '300000' }, null).sendLeaseMs, 300_000, 'the outbox has no lag');
  });

  test('a crash after SendGrid accepted, with the feed lagging past the lease: never sent twice', async () => {
    const w = world();
    assert.equal(await w.claim(), 'claimed');
    await w.mailer(email(w.send_id)); // …and the process died before markSent
    sendgrid.behaviour.activityLagging = true;

    w.clock.advance(5 * 60_000 + 1); // the old lease: absence was taken as "never sent" here
    assert.deepEqual(await w.resolver()(), { resolved_sent: 0, resolved_retry: 0 });
    assert.equal(await w.claim(), 'in_progress', 'not re-claimable');

    sendgrid.behaviour.activityLagging = false; // the feed caught up within its lag
    w.clock.advance(LAG);
    assert.deepEqual(await w.resolver()(), { resolved_sent: 1, resolved_retry: 0 });
    assert.equal(await w.claim(), 'already_sent');
    assert.equal(sendgrid.mails.length, 1);
    assert.deepEqual(
      w.rows.map(({ table, row }) => [table, row.send_id, row.status, row.provider, row.provider_message_id, row.sent_at]),
      [['email_sends', w.send_id, 'in_doubt_resolved', 'sendgrid', 'activity-0', '2026-03-01T10:00:00.000Z']],
      'the send settled by the resolver has its email_sends row',
    );
  });

  test('an email SendGrid never got is sent again once its absence is older than the lag', async () => {
    const w = world();
    await w.claim(); // …and the process died before calling SendGrid
    w.clock.advance(LAG + 1);
    assert.deepEqual(await w.resolver()(), { resolved_sent: 0, resolved_retry: 1 });
    assert.equal(await w.claim(), 'claimed');
    assert.deepEqual(w.rows, [], 'no email_sends row for an email that did not go out');
  });

  test('a 5xx after SendGrid recorded the email is in doubt, and the feed settles it as sent: one email', async () => {
    const w = world();
    await w.claim();
    sendgrid.behaviour.mailStatus = 500;
    await assert.rejects(w.mailer(email(w.send_id)), MailerOutcomeUnknownError);
    assert.equal(sendgrid.mails.length, 1, 'no blind retry');
    w.clock.advance(LAG + 1);
    assert.deepEqual(await w.resolver()(), { resolved_sent: 1, resolved_retry: 0 });
    assert.equal(await w.claim(), 'already_sent');
    assert.equal(sendgrid.mails.length, 1);
  });

  test('without access to the Activity API the claim is settled as sent after a bound, logged — not re-leased forever', async () => {
    const w = world();
    await w.claim();
    sendgrid.behaviour.activityStatus = 403;
    w.clock.advance(LAG + 1);
    assert.deepEqual(await w.resolver()(), { resolved_sent: 0, resolved_retry: 0 });
    assert.equal((await w.ledger.get(w.send_id))?.status, 'claimed');
    assert.match(String(w.logs.at(-1)?.message), /evidence cannot be read; assumed sent once/);
    assert.equal(w.logs.at(-1)?.severity, 'ERROR');

    w.clock.set(new Date(Date.parse('2026-03-01T10:00:00.000Z') + resolveInDoubtDefaults.assumeSentWithoutEvidenceAfterMs));
    assert.deepEqual(await w.resolver()(), { resolved_sent: 1, resolved_retry: 0 });
    const entry = await w.ledger.get(w.send_id);
    assert.equal(entry?.status, 'sent');
    assert.match(entry?.evidence ?? '', /assumed sent without evidence.*403/);
    assert.ok(w.logs.some((line) => line.severity === 'ERROR' && /assumed sent/.test(String(line.message)) && line.send_id === w.send_id));
    assert.equal(await w.claim(), 'already_sent');
    assert.deepEqual(w.rows.map(({ row }) => [row.status, row.provider_message_id]), [['in_doubt_resolved', null]]);
    assert.doesNotMatch(JSON.stringify(w.logs), /zoe|person-1/, 'no personal data in the log');
  });

  test('401, 403 and 404 from the Activity API mean no access; 429 and 5xx are passing failures', async () => {
    const evidence = sendGridEvidence({ apiKey: 'SG.test', apiBase: sendgrid.url });
    for (const status of [401, 403, 404]) {
      sendgrid.behaviour.activityStatus = status;
      await assert.rejects(evidence('send-x'), (error) => error instanceof EvidenceUnavailableError && error.message.includes(String(status)));
    }
    for (const status of [429, 500]) {
      sendgrid.behaviour.activityStatus = status;
      await assert.rejects(evidence('send-x'), (error) => !(error instanceof EvidenceUnavailableError) && (error as Error).message.includes(String(status)));
    }
  });
});
