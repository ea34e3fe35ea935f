import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { EmbeddedRuntime } from '../../functions/embedded/runtime.ts';
import { createOutcomeReader } from '../../functions/embedded/simulate/simulation-outcomes.ts';
import { startTestHost } from '../support/embedded-host.ts';

// Defects found by a hostile run of issue 9's journeys on the embedded runtime (waits cut to 1s).
const waitMs = 1000;

describe('journeys beyond the cart', () => {
  let host: Awaited<ReturnType<typeof startTestHost>>;
  let runtime: EmbeddedRuntime;

  before(async () => {
    host = await startTestHost({
      prefix: 'hostile',
      waits: { 'browse-abandonment': '1s', 'back-in-stock': '1s', 'price-drop': '1s' },
      env: { NUDGE_JOURNEY_WINDOW: 'off' },
    });
    runtime = host.runtime;
  });
  after(() => host.stop());

  const shopper = (userId: string) => ({ type: 'identify', userId, traits: { email: `${userId}@example.com`, first_name: 'Sam', email_marketing_consent: true } });
  const view = (userId: string, productId: string) => ({ type: 'track', event: 'Product Viewed', userId, properties: { product_id: productId } });
  const catalog = (productId: string, properties: Record<string, unknown>) => ({ type: 'track', event: 'Catalog Updated', userId: 'shop', properties: { product_id: productId, ...properties } });
  const product = (id: string, name: string, stock: number) => catalog(id, { name, price: 50, currency: 'EUR', stock, url: `https://shop.example/p/${id}` });
  const settle = async () => {
    await runtime.bus.whenIdle();
    await new Promise((resolve) => setTimeout(resolve, waitMs + 500));
    for (let round = 0; round < 2; round++) {
      await runtime.bus.whenIdle();
      await runtime.sweepTimers();
    }
    await runtime.bus.whenIdle();
  };

  test('browse follow-up shows `items: 2` in-stock viewed items even when the most recent viewed item is sold out', async () => {
    await host.send([product('lamp-1', 'Desk Lamp', 5), product('chair-1', 'Office Chair', 5), product('boot-1', 'Sold-out Boot', 0)]);
    await runtime.bus.whenIdle();
    // Three views, once each; the latest (boot-1) is sold out. The campaign shows 2 items.
    await host.send([shopper('browser2'), view('browser2', 'lamp-1'), view('browser2', 'chair-1'), view('browser2', 'boot-1')]);
    await settle();
    const [email] = await host.emailsTo('browser2@example.com', 'browse-abandonment');
    assert.ok(email?.text, 'a browse email');
    // Today the top-2 views are chosen first and the sold-out one is dropped afterwards: one item shown.
    assert.match(email.text, /Desk Lamp/, 'the second in-stock viewed item is shown too');
    assert.match(email.text, /Office Chair/);
    assert.doesNotMatch(email.text, /Sold-out Boot/);
  });

  test('stock flapping 0 → 1 → 0 → 1 within the wait sends one back-in-stock email, not two', async () => {
    await host.send([product('tent-9', 'Flappy Tent', 0)]);
    await runtime.bus.whenIdle();
    await host.send([shopper('flapper'), view('flapper', 'tent-9')]);
    await settle();
    for (const stock of [1, 0, 1]) {
      await host.send([catalog('tent-9', { stock })]);
      await runtime.bus.whenIdle();
    }
    await settle();
    await settle();
    const emails = await host.emailsTo('flapper@example.com', 'back-in-stock');
    assert.equal(emails.length, 1, `"It's back" twice within seconds: ${JSON.stringify(emails.map((email) => [email?.date, email?.subject]))}`);
  });

  test('nudge simulate counts only cart-abandonment decisions as "abandoned carts decided"', async () => {
    const since = new Date();
    await host.send([product('mug-1', 'Mug', 5)]);
    await runtime.bus.whenIdle();
    // A shopper who only browses: a browse decision, no cart at all.
    await host.send([shopper('only-browses'), view('only-browses', 'mug-1')]);
    await settle();
    const decided = (await runtime.warehouse.query(`SELECT campaign_id FROM nudge.decisions WHERE decided_at >= TIMESTAMP '${since.toISOString()}'`)) as { campaign_id: string }[];
    assert.deepEqual(decided.map((row) => row.campaign_id), ['browse-abandonment'], 'precondition: one browse decision, no cart decision');
    const { adminToken } = JSON.parse(readFileSync(join(host.dataDir, 'host.json'), 'utf8')) as { adminToken: string };
    const outcomes = await createOutcomeReader({ url: runtime.url, adminToken, dataDir: host.dataDir, since })();
    // The progress line printed "14/11 abandoned carts decided" and the wait ended early: browse decisions counted as carts.
    assert.equal(outcomes.decidedCarts, 0);
  });
});
