import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Analytics } from '@segment/analytics-node';
import { runDeadLettersCommand } from '../../functions/embedded/commands/dead-letters-command.ts';
import { runProfileCommand } from '../../functions/embedded/commands/profile-command.ts';
import { runQueryCommand } from '../../functions/embedded/commands/query-command.ts';
import { parseEmbeddedConfig } from '../../functions/embedded/config.ts';
import { startEmbeddedRuntime, type EmbeddedRuntime } from '../../functions/embedded/runtime.ts';
import { createEmbeddedPublishEvent } from '../../functions/publish.ts';
import { createCaptureStream } from '../support/capture-stream.ts';

// The official Segment Node SDK, pointed at the embedded host over real HTTP: what a shop does
// when it switches its backend analytics to nudge.
describe('Segment SDK → embedded runtime → profile and warehouse', () => {
  const writeKey = 'e2e-write-key';
  const serverWriteKey = 'e2e-server-write-key';
  let dataDir: string;
  let runtime: EmbeddedRuntime;
  const env = () => ({ NUDGE_DATA_DIR: dataDir, NUDGE_WRITE_KEYS: writeKey });

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'nudge-e2e-'));
    runtime = await startEmbeddedRuntime(
      parseEmbeddedConfig({ PORT: '0', NUDGE_DATA_DIR: dataDir, NUDGE_WRITE_KEYS: writeKey, NUDGE_SERVER_WRITE_KEYS: serverWriteKey }),
      { browseCoalesceWindowMs: 20, log: () => {} },
    );
  });

  after(async () => {
    await runtime.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('an anonymous browsing session is stitched to the person when they identify', async () => {
    const analytics = new Analytics({ writeKey, host: runtime.url, flushAt: 3, flushInterval: 50, maxRetries: 2 });
    const anonymousId = 'anon-browser-1';
    analytics.page({ anonymousId, name: 'Jackets', properties: { path: '/jackets' } });
    analytics.track({ anonymousId, event: 'Product Viewed', properties: { product_id: 'jacket-1', name: 'Rain jacket', price: 129, category: 'Outerwear' } });
    analytics.track({ anonymousId, event: 'Product Viewed', properties: { product_id: 'boots-7', name: 'Trail boots', price: 89, category: 'Shoes' } });
    analytics.identify({ anonymousId, userId: 'user-42', traits: { email: 'Jane.Doe@Example.com', first_name: 'Jane', email_marketing_consent: true } });
    analytics.track({
      userId: 'user-42',
      event: 'Product Added',
      properties: { cart_id: 'cart-9', product_id: 'jacket-1', name: 'Rain jacket', price: 129, quantity: 1, image_url: 'https://shop.example/j1.jpg', url: 'https://shop.example/p/jacket-1' },
    });
    analytics.track({ userId: 'user-42', event: 'Something Custom Happened', properties: { foo: 'bar' } });
    await analytics.closeAndFlush({ timeout: 10_000 });
    await runtime.bus.whenIdle();

    const out = createCaptureStream();
    assert.equal(await runProfileCommand('jane.doe@example.com', env(), out), 0);
    const profile = JSON.parse(out.text()) as {
      identities: { anonymous_ids: string[]; user_id: string; emails: string[] };
      recent_views: { product_id: string }[];
      cart: { items: { product_id: string; quantity: number; image_url: string }[]; value: number; status: string };
      consent: { email_marketing: { value: boolean } };
      traits: Record<string, unknown>;
    };
    assert.equal(profile.identities.user_id, 'user-42');
    assert.deepEqual(profile.identities.anonymous_ids, [anonymousId]);
    assert.deepEqual(profile.identities.emails, ['jane.doe@example.com']);
    assert.deepEqual(profile.recent_views.map((view) => view.product_id).sort(), ['boots-7', 'jacket-1']);
    assert.equal(profile.cart.status, 'open');
    assert.deepEqual(profile.cart.items.map((item) => [item.product_id, item.quantity, item.image_url]), [['jacket-1', 1, 'https://shop.example/j1.jpg']]);
    assert.equal(profile.cart.value, 129);
    assert.equal(profile.consent.email_marketing.value, true);
    assert.equal(profile.traits.first_name, 'Jane');

    // The same person is found by any of their ids.
    const byAnon = createCaptureStream();
    assert.equal(await runProfileCommand(anonymousId, env(), byAnon), 0);
    assert.deepEqual(JSON.parse(byAnon.text()), profile);

    // Every event, including the unknown one, is in the warehouse — queried in BigQuery SQL
    // through the running host, as an analyst would.
    const rows = createCaptureStream();
    const sql = "SELECT kind, event_name, user_id, anonymous_id FROM nudge.events WHERE anonymous_id = 'anon-browser-1' OR user_id = 'user-42' ORDER BY occurred_at";
    assert.equal(await runQueryCommand(sql, { json: true, env: env() }, rows), 0);
    const kinds = rows.text().trim().split('\n').map((line) => (JSON.parse(line) as { kind: string }).kind);
    assert.deepEqual(kinds.sort(), ['identify', 'other', 'page', 'product_added', 'product_viewed', 'product_viewed'].sort());

    // A query file under sql/ runs the same way.
    const daily = createCaptureStream();
    assert.equal(await runQueryCommand('sql/queries/daily_events_by_kind.sql', { json: true, env: env() }, daily), 0);
    const viewed = daily.text().trim().split('\n').map((line) => JSON.parse(line) as { kind: string; events: number; shoppers: number }).find((row) => row.kind === 'product_viewed');
    assert.deepEqual([viewed?.events, viewed?.shoppers], [2, 1]);
  });

  test('a partly invalid batch keeps the valid events and lists the invalid ones as dead letters', async () => {
    const response = await fetch(`${runtime.url}/v1/batch`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        batch: [
          { type: 'track', event: 'Product Viewed', userId: 'user-77', messageId: 'valid-1', properties: { product_id: 'sock-1', price: 9 } },
          { type: 'track', event: 'Product Added', userId: 'user-77', messageId: 'invalid-1', properties: { product_id: 'sock-1', quantity: 'many' } },
        ],
      }),
    });
    assert.equal(response.status, 200);
    const body = (await response.json()) as { accepted: number; errors: { index: number; path: string }[] };
    assert.equal(body.accepted, 1);
    assert.deepEqual(body.errors.map((error) => [error.index, error.path]), [[1, 'properties.quantity']]);
    await runtime.bus.whenIdle();

    const listing = createCaptureStream();
    assert.equal(await runDeadLettersCommand({ limit: 10, json: true, env: env() }, listing), 0);
    const records = listing.text().trim().split('\n').map((line) => JSON.parse(line) as { stage: string; reason: string; payload: string });
    assert.ok(records.some((record) => record.stage === 'collect' && record.payload.includes('invalid-1') && /properties\.quantity/.test(record.reason)));

    const count = createCaptureStream();
    await runQueryCommand("SELECT COUNT(*) AS n FROM nudge.events WHERE event_id IN ('valid-1', 'invalid-1')", { json: true, env: env() }, count);
    assert.deepEqual(JSON.parse(count.text()), { n: 1 });
  });

  test('a server-side app publishes with publishEvent: same validation, same routing, same profile', async () => {
    const publishEvent = createEmbeddedPublishEvent({ dataDir, appName: 'checkout-service' });
    try {
      const result = await publishEvent([
        { type: 'track', event: 'Order Completed', userId: 'user-42', messageId: 'order-1001', properties: { order_id: '1001', total: 129, products: [] } },
        { type: 'track', event: 'Order Completed', userId: 'user-42', messageId: 'bad-order', properties: { total: 5 } } as never,
      ]);
      assert.deepEqual(result.accepted, ['order-1001']);
      assert.equal(result.errors[0]?.index, 1);
      assert.equal(result.errors[0]?.path, 'properties.order_id');
    } finally {
      publishEvent.close();
    }
    // The runtime's dispatcher notices rows written by another connection on its slow poll.
    const deadline = Date.now() + 10_000;
    let orders = 0;
    while (Date.now() < deadline && orders === 0) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      await runtime.bus.whenIdle();
      const out = createCaptureStream();
      await runProfileCommand('user-42', env(), out);
      orders = (JSON.parse(out.text()) as { orders: { count: number } }).orders.count;
    }
    assert.equal(orders, 1);
  });

  test('a catalog update from the shop backend (server key) reaches the catalog, not any profile', async () => {
    const analytics = new Analytics({ writeKey: serverWriteKey, host: runtime.url, flushAt: 1, maxRetries: 2 });
    analytics.track({ userId: 'shop-backend', event: 'Catalog Updated', properties: { product_id: 'jacket-1', stock: 3, price: 119, currency: 'eur' } });
    await analytics.closeAndFlush({ timeout: 10_000 });
    await runtime.bus.whenIdle();
    const item = (await runtime.catalog.getItems(['jacket-1'])).get('jacket-1');
    assert.equal(item?.stock, 3);
    assert.equal(item?.price, 119);
    assert.equal(item?.currency, 'EUR');
    const out = createCaptureStream();
    assert.equal(await runProfileCommand('shop-backend', env(), out), 1, 'catalog updates do not create profiles');
  });

  test('the browser write key cannot rewrite the catalog: 403 naming the event, dead-lettered', async () => {
    const response = await fetch(`${runtime.url}/v1/track`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ userId: 'attacker', event: 'Catalog Updated', messageId: 'forged-1', properties: { product_id: 'jacket-2', price: 1, url: 'https://evil.example/' } }),
    });
    assert.equal(response.status, 403);
    const body = (await response.json()) as { errors: { path: string; message: string }[] };
    assert.equal(body.errors[0]?.path, 'event');
    await runtime.bus.whenIdle();
    assert.equal((await runtime.catalog.getItems(['jacket-2'])).get('jacket-2'), undefined);
    assert.ok((await runtime.deadLetters.list()).some((letter) => letter.payload.includes('forged-1')));
  });
});
