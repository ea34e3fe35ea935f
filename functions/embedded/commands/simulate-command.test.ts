import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { simulate } from './simulate-command.ts';
import { parseEmbeddedConfig } from '../config.ts';
import { startEmbeddedRuntime, type EmbeddedRuntime } from '../runtime.ts';
import { buildSimulationScript, mulberry32, tallyScript } from '../simulate/shopper-script.ts';
import { copyTemplatesWithWait } from '../../../test/support/short-wait-templates.ts';

const writeKey = 'simulate-test-key';
const serverKey = 'simulate-test-server-key';
const options = { seed: 7, shoppers: 20, runId: 'test' } as const;

describe('the shopper script', () => {
  test('the same seed gives the same script; another seed a different one', () => {
    const first = buildSimulationScript(options);
    assert.deepEqual(buildSimulationScript(options), first);
    assert.notDeepEqual(buildSimulationScript({ ...options, seed: 8 }), first);
    assert.deepEqual(mulberry32(7)(), mulberry32(7)());
  });

  test('shoppers browse, add to carts, identify with and without consent, order and abandon', () => {
    const script = buildSimulationScript({ ...options, shoppers: 200 });
    const tally = tallyScript(script);
    assert.ok(tally.orders > 0 && tally.abandoned > 0 && tally.carts < tally.shoppers, JSON.stringify(tally));
    assert.ok(tally.abandonedWithConsent > 0 && tally.abandonedWithoutConsent > 0 && tally.abandonedAnonymous > 0, JSON.stringify(tally));
    assert.ok(script.setup.length > 0 && script.setup.every((event) => event.event === 'Catalog Updated'));
    const consents = new Set(script.shoppers.filter((shopper) => shopper.email).map((shopper) => shopper.consent));
    assert.deepEqual(consents, new Set([true, false, null]));
    for (const shopper of script.shoppers) {
      const names = shopper.steps.flatMap((step) => step.events.map((event) => event.event ?? event.type));
      assert.equal(names[0], 'page', 'every visit starts anonymously on a page');
      assert.equal(names.includes('Order Completed'), shopper.outcome === 'ordered');
      assert.equal(names.filter((name) => name === 'Product Added').length, shopper.product_ids.length);
      assert.ok(shopper.product_ids.length <= 3);
      if (shopper.outcome === 'ordered') assert.ok(names.indexOf('Checkout Started') < names.indexOf('Order Completed'));
    }
    const ids = script.shoppers.flatMap((shopper) => shopper.steps.flatMap((step) => step.events.map((event) => event.messageId)));
    assert.equal(new Set(ids).size, ids.length, 'message ids are unique');
  });
});

describe('nudge simulate against an embedded runtime', () => {
  let dataDir: string;
  let runtime: EmbeddedRuntime;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'nudge-simulate-'));
    const templatesDir = copyTemplatesWithWait(join(dataDir, 'templates'), '1s');
    runtime = await startEmbeddedRuntime(
      parseEmbeddedConfig({
        PORT: '0',
        NUDGE_DATA_DIR: dataDir,
        NUDGE_WRITE_KEYS: writeKey,
        // The script's setup sends Catalog Updated (as the shop's backend would): a server key.
        NUDGE_SERVER_WRITE_KEYS: serverKey,
        NUDGE_TEMPLATES_DIR: templatesDir,
        NUDGE_HOLDOUT_PERCENT: '0',
        NUDGE_QUIET_HOURS: 'off',
        NUDGE_FREQUENCY_CAP: 'off',
      }),
      { log: () => {} },
    );
  });

  after(async () => {
    await runtime.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('sends the script over HTTP and reports emails and skips that match the outbox and the script', async () => {
    const script = buildSimulationScript(options);
    const tally = tallyScript(script);
    // The seed is chosen so every branch the assertions below rely on occurs.
    assert.ok(tally.abandonedWithConsent > 0 && tally.abandonedWithoutConsent > 0 && tally.orders > 0, JSON.stringify(tally));

    let output = '';
    const out = new Writable({ write: (chunk, _encoding, done) => ((output += String(chunk)), done()) });
    const summary = await simulate(
      { ...options, paceMs: 2, waitFor: '15s', pollEveryMs: 200, env: { NUDGE_DATA_DIR: dataDir, NUDGE_WRITE_KEYS: writeKey, NUDGE_SERVER_WRITE_KEYS: serverKey, NUDGE_TEMPLATES_DIR: join(dataDir, 'templates') } },
      out,
    );

    assert.deepEqual(summary.script, tally);
    assert.deepEqual(summary.events, { sent: tally.events, accepted: tally.events, rejected: 0, failed: 0 });
    const emlFiles = readdirSync(join(dataDir, 'outbox')).filter((name) => name.endsWith('.eml'));
    assert.equal(summary.outcomes.emailsSent, emlFiles.length, 'emails sent == .eml files');
    assert.equal(summary.outcomes.outboxEmails, emlFiles.length);
    assert.equal(summary.outcomes.emailsSent, tally.abandonedWithConsent, 'one email per abandoned cart of a consenting identified shopper');
    assert.equal(summary.outcomes.decidedCarts, tally.abandoned, 'every abandoned cart was decided');
    const skips = Object.fromEntries((summary.skipped ?? []).map((row) => [row.reason, row.count]));
    assert.deepEqual(skips, {
      no_consent: tally.abandonedWithoutConsent,
      ...(tally.abandonedAnonymous > 0 ? { no_email: tally.abandonedAnonymous } : {}),
    });

    // The emails went to the consenting abandoners, with their cart's products.
    const recipients = new Set(emlFiles.map((name) => /^To: .*<(.+)>$/m.exec(readFileSync(join(dataDir, 'outbox', name), 'utf8'))?.[1]));
    const expected = script.shoppers.filter((shopper) => shopper.outcome === 'abandoned' && shopper.consent === true).map((shopper) => shopper.email);
    assert.deepEqual(recipients, new Set(expected));

    assert.match(output, /Simulating 20 shoppers \(seed 7, run test\)/);
    assert.match(output, new RegExp(`emails sent\\s+${emlFiles.length}\\b`));
    assert.match(output, new RegExp(`emails skipped\\s+.*no_consent ${tally.abandonedWithoutConsent}`));
  });

  test('after the emails: signed webhook events land in email_events once each, and the orders drawn reach the warehouse', async () => {
    let output = '';
    const out = new Writable({ write: (chunk, _encoding, done) => ((output += String(chunk)), done()) });
    // Everyone emailed orders (0.3 + 0.7): the draw is then certain, whatever the seed.
    const summary = await simulate(
      {
        ...options, runId: 'loop', paceMs: 0, waitFor: '15s', pollEveryMs: 200, odds: { baselineConversion: 0.3, uplift: 0.7, openRate: 1, clickRate: 1 },
        env: { NUDGE_DATA_DIR: dataDir, NUDGE_WRITE_KEYS: writeKey, NUDGE_SERVER_WRITE_KEYS: serverKey, NUDGE_TEMPLATES_DIR: join(dataDir, 'templates') },
      },
      out,
    );
    const engagement = summary.engagement!;
    assert.ok(engagement, 'the phase ran');
    const sent = summary.outcomes.emailsSent!;
    assert.ok(sent > 0);
    assert.deepEqual([engagement.truth.treated, engagement.truth.treated_orders, engagement.truth.controls], [sent, sent, 0], 'holdout 0%: every emailed shopper is treated, and all of them ordered');
    assert.equal(engagement.webhookRefused, 0, 'signed with the data dir\'s development key, which the host verifies with');
    // processed, delivered, a human open and a click each, plus the machine opens drawn.
    assert.ok(engagement.webhookEvents >= 4 * sent, String(engagement.webhookEvents));
    await runtime.bus.whenIdle();
    const [events] = await runtime.warehouse.query("SELECT COUNT(*) AS n FROM nudge.email_events WHERE STARTS_WITH(email_event_id, 'sendgrid:sim-loop-')");
    assert.equal(events!.n, engagement.webhookEvents);
    assert.deepEqual([engagement.orders, engagement.ordersInWarehouse], [sent, sent]);
    assert.match(output, /uplift drawn\s+n\/a: treated (\d+)\/\1 = 100\.0%/);
  });

  test('with only a browser key the stock updates are refused (403), said so, and the shoppers still go through', async () => {
    const script = buildSimulationScript({ ...options, runId: 'browser-only' });
    const tally = tallyScript(script);
    let output = '';
    const out = new Writable({ write: (chunk, _encoding, done) => ((output += String(chunk)), done()) });
    const summary = await simulate(
      { ...options, runId: 'browser-only', paceMs: 0, waitFor: '0', env: { NUDGE_DATA_DIR: dataDir, NUDGE_WRITE_KEYS: writeKey, NUDGE_TEMPLATES_DIR: join(dataDir, 'templates') } },
      out,
    );
    assert.match(output, /warning: .*403.*NUDGE_SERVER_WRITE_KEYS; going on without the \d+ stock updates/);
    assert.deepEqual(summary.events, { sent: tally.events, accepted: tally.events - script.setup.length, rejected: script.setup.length, failed: 0 });
  });
});
