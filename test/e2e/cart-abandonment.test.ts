import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseEmbeddedConfig } from '../../functions/embedded/config.ts';
import { readOutboxEmail } from '../../functions/embedded/outbox-mailer.ts';
import { startEmbeddedRuntime, type EmbeddedRuntime } from '../../functions/embedded/runtime.ts';
import { copyTemplatesWithWait } from '../support/short-wait-templates.ts';

// Issue 3's headline, end to end over real HTTP on the embedded runtime, with the campaign's wait
// cut to two seconds in a copied templates folder.
const writeKey = 'cart-e2e-key';
const waitMs = 2000;

describe('cart abandonment on the embedded runtime', () => {
  let dataDir: string;
  let templatesDir: string;
  let runtime: EmbeddedRuntime;
  const errors: Record<string, unknown>[] = [];

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'nudge-cart-'));
    templatesDir = copyTemplatesWithWait(join(dataDir, 'templates'), `${waitMs / 1000}s`);
    runtime = await startEmbeddedRuntime(
      parseEmbeddedConfig({
        PORT: '0',
        NUDGE_DATA_DIR: dataDir,
        NUDGE_WRITE_KEYS: writeKey,
        // The batches below include the shop backend's Catalog Updated, which needs a server key.
        NUDGE_SERVER_WRITE_KEYS: writeKey,
        NUDGE_TEMPLATES_DIR: templatesDir,
        // Deterministic for the test: nobody held out, no quiet hours at whatever time CI runs.
        NUDGE_HOLDOUT_PERCENT: '0',
        NUDGE_QUIET_HOURS: 'off',
        NUDGE_SHOP_URL: 'https://shop.example',
      }),
      { log: (entry) => void (entry.severity === 'ERROR' && errors.push(entry)) },
    );
  });

  after(async () => {
    await runtime.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const send = async (batch: Record<string, unknown>[]) => {
    const response = await fetch(`${runtime.url}/v1/batch`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ batch }),
    });
    assert.equal(response.status, 200, await response.text());
  };
  const identify = (userId: string, email: string, consent: boolean | null) => ({
    type: 'identify',
    userId,
    traits: { email, first_name: 'Jane', ...(consent === null ? {} : { email_marketing_consent: consent }) },
  });
  const add = (userId: string, cartId: string, productId: string, name: string, price: number) => ({
    type: 'track',
    event: 'Product Added',
    userId,
    properties: { cart_id: cartId, product_id: productId, name, price, quantity: 1, image_url: `https://cdn.shop.example/${productId}.jpg`, url: `https://shop.example/p/${productId}` },
  });
  const outboxFiles = () => readdirSync(join(dataDir, 'outbox')).filter((name) => name.endsWith('.eml'));
  const settle = async () => {
    await runtime.bus.whenIdle();
    await new Promise((resolve) => setTimeout(resolve, waitMs + 300));
    await runtime.sweepTimers();
    // Decision and send rows reach the warehouse through the bus, after the email (issue 6, item 8).
    await runtime.bus.whenIdle();
  };

  test('the abandoned cart gets one email; the order, no consent and unsubscribe cases get none', async () => {
    await send([
      identify('buyer-a', 'abandoner@example.com', true),
      add('buyer-a', 'cart-a', 'jacket-1', 'Rain jacket', 129),
      add('buyer-a', 'cart-a', 'boots-7', 'Trail boots', 89),
      { type: 'track', event: 'Catalog Updated', userId: 'shop-backend', properties: { product_id: 'boots-7', stock: 2 } },
      identify('buyer-b', 'orderer@example.com', true),
      add('buyer-b', 'cart-b', 'jacket-1', 'Rain jacket', 129),
      { type: 'track', event: 'Order Completed', userId: 'buyer-b', properties: { order_id: 'o-1', total: 129, products: [{ product_id: 'jacket-1', price: 129, quantity: 1 }] } },
      identify('buyer-c', 'no-consent@example.com', null),
      add('buyer-c', 'cart-c', 'jacket-1', 'Rain jacket', 129),
    ]);
    // Before the wait: the reminder is armed for the abandoner and cancelled for the buyer.
    await runtime.bus.whenIdle();
    const timers = await runtime.profiles.findDueTimers(new Date(Date.now() + 60_000), 10);
    assert.deepEqual(timers.map((timer) => [(JSON.parse(timer.trigger_key) as string[])[0], timer.step]).sort(), [['cart-a', 0], ['cart-c', 0]]);
    await settle();

    const files = outboxFiles();
    assert.equal(files.length, 1, `exactly one email: ${files.join(', ')}`);
    const email = await readOutboxEmail(dataDir, files[0]!.replace(/\.eml$/, ''));
    assert.ok(email);
    assert.equal(email.to, 'Jane <abandoner@example.com>');
    for (const expected of ['Rain jacket', 'Trail boots', 'https://cdn.shop.example/jacket-1.jpg', 'https://cdn.shop.example/boots-7.jpg', 'WELCOME10', 'Only 2 left']) {
      assert.ok(email.html?.includes(expected), `html shows ${expected}`);
    }
    assert.match(email.text ?? '', /Rain jacket/);
    assert.match(email.headers['list-unsubscribe'] ?? '', /^<http:\/\/127\.0\.0\.1:\d+\/unsubscribe\?token=[\w.-]+>$/);
    assert.equal(email.headers['list-unsubscribe-post'], 'List-Unsubscribe=One-Click');
    assert.match(email.html ?? '', /unsubscribe\?token=/);
    // First-party tracking (the campaign's default): shop links go through the signed click
    // redirect, whose token carries the utm-tagged URL (test/e2e/open-click-tracking.test.ts).
    assert.match(email.html ?? '', /href="http:\/\/127\.0\.0\.1:\d+\/c\/[\w-]+\.[\w-]+"/);
    assert.match(email.html ?? '', /<img src="http:\/\/127\.0\.0\.1:\d+\/o\/[\w-]+\.[\w-]+\.gif" width="1" height="1" alt="">/);

    // Another sweep (a restart, a duplicate timer) sends nothing more.
    await runtime.sweepTimers();
    assert.equal(outboxFiles().length, 1);

    const decisions = await runtime.warehouse.query('SELECT reason, outcome FROM nudge.decisions ORDER BY reason');
    assert.deepEqual(decisions, [
      { reason: 'eligible', outcome: 'send' },
      { reason: 'no_consent', outcome: 'skip' },
    ]);
    const sends = await runtime.warehouse.query('SELECT status, provider, step FROM nudge.email_sends');
    assert.deepEqual(sends, [{ status: 'sent', provider: 'outbox', step: 0 }]);

    // The one-click unsubscribe from that email's header, then a new cart: no second email.
    const unsubscribeUrl = /^<(.+)>$/.exec(email.headers['list-unsubscribe']!)![1]!;
    const oneClick = await fetch(unsubscribeUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    assert.equal(oneClick.status, 200);
    // The browser re-sends its cached traits (consent true) on the next login: still unsubscribed.
    await send([identify('buyer-a', 'abandoner@example.com', true), add('buyer-a', 'cart-a2', 'scarf-3', 'Wool scarf', 39)]);
    await settle();
    assert.equal(outboxFiles().length, 1, 'no email after unsubscribing');
    const reasons = (await runtime.warehouse.query('SELECT reason FROM nudge.decisions')).map((row) => row.reason).sort();
    assert.deepEqual(reasons, ['eligible', 'no_consent', 'suppressed_unsubscribed']);
    assert.deepEqual(errors, [], 'no step failed along the way (e.g. a sweep woken inside a fold)');
  });

  // Issue 6: the paths real shoppers take, over HTTP. No cart_id (Segment's is optional).
  const emailsTo = async (address: string) => {
    const emails = await Promise.all(outboxFiles().map((file) => readOutboxEmail(dataDir, file.replace(/\.eml$/, ''))));
    return emails.filter((email) => email?.to.includes(address));
  };
  const addDefault = (ids: Record<string, string>, productId: string, name: string, extra: Record<string, unknown> = {}) => ({
    type: 'track',
    event: 'Product Added',
    ...ids,
    properties: { product_id: productId, name, price: 50, quantity: 1 },
    ...extra,
  });

  test('second device, second cart, slow clock: one first email per cart, whoever survives the merge', async () => {
    const dana = 'dana@example.com';
    await send([{ type: 'page', anonymousId: 'tablet-9', name: 'Home' }]);
    await send([
      { type: 'identify', userId: 'shopper-d', anonymousId: 'phone-9', traits: { email: dana, email_marketing_consent: true } },
      addDefault({ userId: 'shopper-d', anonymousId: 'phone-9' }, 'lamp-1', 'Desk lamp'),
    ]);
    await settle();
    assert.equal((await emailsTo(dana)).length, 1);

    // Logging in on the tablet merges the phone's person into the older tablet person.
    await send([{ type: 'identify', userId: 'shopper-d', anonymousId: 'tablet-9', traits: { email: dana } }]);
    await settle();
    assert.equal((await emailsTo(dana)).length, 1, 'no second email for the same cart after the merge');

    // An order, then a new cart added from a device whose clock is an hour slow (an SDK sends
    // sentAt from the same clock, so the collector corrects the skew).
    await send([{ type: 'track', event: 'Order Completed', userId: 'shopper-d', properties: { order_id: 'o-dana', total: 50, products: [{ product_id: 'lamp-1', price: 50, quantity: 1 }] } }]);
    const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
    await send([addDefault({ anonymousId: 'tablet-9' }, 'rug-2', 'Wool rug', { timestamp: hourAgo, sentAt: hourAgo })]);
    await runtime.bus.whenIdle();
    await runtime.sweepTimers();
    assert.equal((await emailsTo(dana)).length, 1, 'the slow clock does not skip the wait');
    await settle();
    const emails = await emailsTo(dana);
    assert.equal(emails.length, 2, 'the cart after the order gets its own first email');
    const second = emails.find((email) => email?.html?.includes('Wool rug'));
    assert.ok(second, 'the new cart is emailed');
    assert.ok(!second.html?.includes('Desk lamp'), 'the bought lamp is not in it');
  });
});
