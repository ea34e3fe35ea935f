import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { simulate } from './simulate-command.ts';
import { parseEmbeddedConfig } from '../config.ts';
import { readOutboxEmail } from '../outbox-mailer.ts';
import { startEmbeddedRuntime, type EmbeddedRuntime } from '../runtime.ts';
import { buildSimulationScript, mulberry32, tallyScript } from '../simulate/shopper-script.ts';
import { copyTemplatesWithWait } from '../../../test/support/short-wait-templates.ts';

const writeKey = 'simulate-test-key';
const serverKey = 'simulate-test-server-key';
// Seed 13 gives 20 shoppers of every kind the assertions rely on (consent or not, carts, orders,
// plain browsers, a waiter for a restock and price watchers).
const options = { seed: 13, shoppers: 20, runId: 'test' } as const;

describe('the shopper script', () => {
  test('the same seed gives the same script; another seed a different one', () => {
    const first = buildSimulationScript(options);
    assert.deepEqual(buildSimulationScript(options), first);
    assert.notDeepEqual(buildSimulationScript({ ...options, seed: 14 }), first);
    assert.deepEqual(mulberry32(7)(), mulberry32(7)());
  });

  test('shoppers browse, add to carts, identify with and without consent, order and abandon', () => {
    const script = buildSimulationScript({ ...options, shoppers: 200 });
    const tally = tallyScript(script);
    assert.ok(tally.orders > 0 && tally.abandoned > 0 && tally.carts < tally.shoppers, JSON.stringify(tally));
    assert.ok(tally.abandonedWithConsent > 0 && tally.abandonedWithoutConsent > 0 && tally.abandonedAnonymous > 0, JSON.stringify(tally));
    assert.ok(script.setup.length > 0 && script.setup.every((event) => event.event === 'Catalog Updated'));
    assert.ok(tally.browsedWithConsent > 0 && tally.waitingWithConsent > 0 && tally.watchingWithConsent > 0, JSON.stringify(tally));
    const consents = new Set(script.shoppers.filter((shopper) => shopper.email).map((shopper) => shopper.consent));
    assert.deepEqual(consents, new Set([true, false, null]));
    for (const shopper of script.shoppers) {
      const names = shopper.steps.flatMap((step) => step.events.map((event) => event.event ?? event.type));
      assert.equal(names[0], 'page', 'every visit starts anonymously on a page');
      assert.equal(names.includes('Order Completed'), shopper.outcome === 'ordered');
      assert.equal(names.filter((name) => name === 'Product Added').length, shopper.product_ids.length);
      assert.ok(shopper.product_ids.length <= 3);
      if (shopper.outcome === 'ordered') assert.ok(names.indexOf('Checkout Started') < names.indexOf('Order Completed'));
      const viewed = shopper.steps.flatMap((step) => step.events.filter((event) => event.event === 'Product Viewed').map((event) => (event.properties as { product_id: string }).product_id));
      assert.ok(viewed.length > 0, 'every shopper views a product');
      if (shopper.outcome === 'waiting') {
        assert.ok(viewed.every((id) => id === shopper.watched_product_id) && script.restocked.includes(shopper.watched_product_id!), 'a waiter views only the sold-out product');
        assert.ok(names.indexOf('identify') < names.indexOf('Back In Stock Requested'), 'and leaves an email before asking');
      } else if (shopper.outcome === 'watching') {
        assert.ok(viewed.every((id) => id === shopper.watched_product_id) && script.dropped.some((drop) => drop.product_id === shopper.watched_product_id));
      } else {
        assert.equal(shopper.watched_product_id, null);
        const special = new Set([...script.restocked, ...script.dropped.map((drop) => drop.product_id)]);
        assert.ok(viewed.every((id) => !special.has(id)), 'other shoppers keep to the products that do not change');
      }
      if (shopper.outcome === 'waiting' || shopper.outcome === 'watching' || shopper.outcome === 'browsed') assert.ok(!names.includes('Product Added') && !names.includes('Order Completed'));
    }
    const ids = [...script.setup, ...script.changes, ...script.shoppers.flatMap((shopper) => shopper.steps.flatMap((step) => step.events))].map((event) => event.messageId);
    assert.equal(new Set(ids).size, ids.length, 'message ids are unique');
  });

  test('the catalog: every product with category and tags; restocked ones start at 0 and come back with stock for every waiter; cuts are ≥ 10%', () => {
    const script = buildSimulationScript({ ...options, shoppers: 200 });
    const tally = tallyScript(script);
    assert.ok(tally.waiting > 0 && tally.watching > 0 && tally.browsed > 0, JSON.stringify(tally));
    const setup = new Map(script.setup.map((event) => [(event.properties as { product_id: string }).product_id, event.properties as { stock: number; price: number; category: string; tags: string[] }]));
    assert.equal(setup.size, 20);
    for (const product of setup.values()) assert.ok(product.category && product.tags.length > 0 && product.price > 0);
    assert.equal(script.restocked.length, 2);
    for (const id of script.restocked) {
      assert.equal(setup.get(id)!.stock, 0);
      const restock = script.changes.find((event) => (event.properties as { product_id: string }).product_id === id)!.properties as { stock: number };
      assert.ok(restock.stock >= script.shoppers.filter((shopper) => shopper.watched_product_id === id).length);
    }
    assert.equal(script.dropped.length, 2);
    for (const drop of script.dropped) {
      assert.equal(setup.get(drop.product_id)!.price, drop.from);
      assert.ok(drop.to <= drop.from * 0.9, JSON.stringify(drop));
    }
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

    assert.match(output, /Simulating 20 shoppers \(seed 13, run test\)/);
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
    assert.match(output, /warning: .*403.*NUDGE_SERVER_WRITE_KEYS; going on without the 20 Catalog Updated events \(the catalog and its stock\)/);
    assert.match(output, /going on without the 4 Catalog Updated events \(the restocks and price cuts\)/);
    const catalogEvents = script.setup.length + script.changes.length;
    assert.deepEqual(summary.events, { sent: tally.events, accepted: tally.events - catalogEvents, rejected: catalogEvents, failed: 0 });
    assert.deepEqual(summary.expected.filter((entry) => entry.decisions > 0).map((entry) => entry.campaign_id), ['cart-abandonment', 'browse-abandonment'], 'no restock or drop to expect');
  });
});

describe('nudge simulate: the journeys beyond the cart', () => {
  let dataDir: string;
  let runtime: EmbeddedRuntime;
  const waits = { 'browse-abandonment': '2s', 'back-in-stock': '2s', 'price-drop': '2s' };

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'nudge-simulate-journeys-'));
    const templatesDir = copyTemplatesWithWait(join(dataDir, 'templates'), '1s', waits);
    runtime = await startEmbeddedRuntime(
      parseEmbeddedConfig({
        PORT: '0',
        NUDGE_DATA_DIR: dataDir,
        NUDGE_WRITE_KEYS: writeKey,
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

  test('plain browsers get the browse email, waiters the back-in-stock one, watchers the price drop; the summary says so per campaign', async () => {
    const script = buildSimulationScript({ ...options, runId: 'journeys' });
    const tally = tallyScript(script);
    let output = '';
    const out = new Writable({ write: (chunk, _encoding, done) => ((output += String(chunk)), done()) });
    const summary = await simulate(
      { ...options, runId: 'journeys', paceMs: 2, waitFor: '40s', pollEveryMs: 200, engagement: false, env: { NUDGE_DATA_DIR: dataDir, NUDGE_WRITE_KEYS: writeKey, NUDGE_SERVER_WRITE_KEYS: serverKey, NUDGE_TEMPLATES_DIR: join(dataDir, 'templates') } },
      out,
    );
    assert.deepEqual(summary.events, { sent: tally.events, accepted: tally.events, rejected: 0, failed: 0 });
    const byCampaign = Object.fromEntries((summary.outcomes.campaigns ?? []).map((campaign) => [campaign.campaign_id, campaign]));
    // Every journey decided every shopper planned for it (one person each).
    for (const entry of summary.expected) assert.equal(byCampaign[entry.campaign_id]?.decided ?? 0, entry.decisions, `${entry.campaign_id}: ${JSON.stringify(byCampaign[entry.campaign_id])}`);
    assert.equal(byCampaign['cart-abandonment']?.sent, tally.abandonedWithConsent);
    assert.equal(byCampaign['back-in-stock']?.sent, tally.waitingWithConsent, 'each consenting waiter hears of the restock once');
    assert.equal(byCampaign['price-drop']?.sent, tally.watchingWithConsent, 'each consenting watcher hears of the drop once');

    const emails = await Promise.all(readdirSync(join(dataDir, 'outbox')).filter((name) => name.endsWith('.eml')).map((name) => readOutboxEmail(dataDir, name.replace(/\.eml$/, ''))));
    assert.equal(summary.outcomes.emailsSent, emails.length, 'emails sent == .eml files');
    const recipients = (campaign: string) => new Set(emails.filter((email) => email?.headers['x-nudge-campaign-id'] === campaign).flatMap((email) => email!.to));
    const addresses = (outcome: string) => script.shoppers.filter((shopper) => shopper.outcome === outcome && shopper.consent === true).map((shopper) => shopper.email!);
    const browse = recipients('browse-abandonment');
    for (const address of addresses('browsed')) assert.ok([...browse].some((to) => to.includes(address)), `${address} gets the browse email`);
    // A waiter or watcher may also get one, when it goes before their restock or drop email.
    assert.ok(browse.size >= tally.browsedWithConsent && browse.size <= tally.browsedWithConsent + tally.waitingWithConsent + tally.watchingWithConsent, String(browse.size));
    assert.deepEqual([...recipients('back-in-stock')].map((to) => addresses('waiting').some((address) => to.includes(address))), addresses('waiting').map(() => true));
    const drop = emails.find((email) => email?.headers['x-nudge-campaign-id'] === 'price-drop');
    assert.match(drop?.text ?? '', /was €[\d.,]+, now €[\d.,]+/);
    const browseEmail = emails.find((email) => email?.headers['x-nudge-campaign-id'] === 'browse-abandonment');
    assert.match(browseEmail?.text ?? '', /You might also like\r?\n- [^\r\n]+: €/, 'the simulated catalog gives recommendations');

    assert.match(output, /Catalog changes: 2 products back in stock, 2 prices cut by 20%/);
    assert.match(output, new RegExp(`back-in-stock\\s+${tally.waitingWithConsent} sent · ${tally.waiting} decided of ${tally.waiting} waiters for a restock`));
    assert.match(output, new RegExp(`price-drop\\s+${tally.watchingWithConsent} sent · ${tally.watching} decided of ${tally.watching} price watchers`));
    assert.match(output, /browse-abandonment\s+\d+ sent/);
  });
});
