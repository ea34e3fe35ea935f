import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { EmbeddedRuntime } from '../../functions/embedded/runtime.ts';
import { startTestHost } from '../support/embedded-host.ts';
import { answerProducts, answerRaw, hang, startTestShopServer, type TestShopServer } from '../support/shop-api-test-server.ts';

// Issue 9, "done when": with the shop API down or slow, emails still go out within the budget,
// with fallback content, and the decision says which fallback was used. The shop API is a real
// HTTP server on 127.0.0.1 whose answers the test scripts.
const wait = '1s';

describe('live data when the shop API is down or slow', () => {
  let host: Awaited<ReturnType<typeof startTestHost>>;
  let runtime: EmbeddedRuntime;
  let shop: TestShopServer;

  before(async () => {
    shop = await startTestShopServer();
    host = await startTestHost({
      prefix: 'shop-api',
      waits: { 'browse-abandonment': wait },
      env: { NUDGE_CATALOG_API_URL: shop.baseUrl, NUDGE_LIVE_DATA_BUDGET_MS: '300', NUDGE_CATALOG_API_CACHE_TTL: 'off' },
    });
    runtime = host.runtime;
  });

  after(async () => {
    await host.stop();
    await shop.close();
  });

  const send = (batch: Record<string, unknown>[]) => host.send(batch);
  const browse = async (userId: string, productId: string) => {
    await send([
      { type: 'identify', userId, traits: { email: `${userId}@example.com`, email_marketing_consent: true } },
      { type: 'track', event: 'Product Viewed', userId, properties: { product_id: productId } },
    ]);
    await runtime.bus.whenIdle();
    await new Promise((resolve) => setTimeout(resolve, 1400));
    await runtime.sweepTimers();
    await runtime.bus.whenIdle();
  };
  const emailTo = (address: string) => host.emailsTo(address);
  const fallbacksOf = async (personEmail: string) => {
    const person = await runtime.profiles.findPersonId(`email:${personEmail}`);
    const rows = (await runtime.warehouse.query(`SELECT live_data_fallbacks FROM nudge.decisions WHERE person_id = '${person}' AND outcome = 'send'`)) as { live_data_fallbacks: string | null }[];
    return rows.map((row) => (row.live_data_fallbacks === null ? null : (JSON.parse(row.live_data_fallbacks) as { product_id: string; used: string; reason: string }[])));
  };

  test('the shop API answers: its price is the one shown, no fallback recorded', async () => {
    await send([{ type: 'track', event: 'Catalog Updated', userId: 'shop', properties: { product_id: 'coat-1', name: 'Wool Coat', price: 200, currency: 'EUR', stock: 3, url: 'https://shop.example/p/coat-1' } }]);
    shop.script(answerProducts((ids) => ids.map((id) => ({ id, name: 'Wool Coat', price: 180, currency: 'EUR', stock: 2, url: `https://shop.example/p/${id}` }))));
    await browse('fresh', 'coat-1');
    const [email] = await emailTo('fresh@example.com');
    assert.match(email?.text ?? '', /Wool Coat: €180\.00/, 'the shop API is the live price');
    assert.deepEqual(await fallbacksOf('fresh@example.com'), [null]);
  });

  test('the shop API hangs: the email goes out on time with the last answer it gave, else the catalog, and the decision says so', async () => {
    await send([{ type: 'track', event: 'Catalog Updated', userId: 'shop', properties: { product_id: 'coat-2', name: 'Rain Coat', price: 150, currency: 'EUR', stock: 5, url: 'https://shop.example/p/coat-2' } }]);
    shop.script(hang);
    await browse('hung', 'coat-1');
    const [email] = await emailTo('hung@example.com');
    assert.match(email?.text ?? '', /Wool Coat: €180\.00/, "the shop API's last answer (stale cache) stands in");
    const [fallbacks] = await fallbacksOf('hung@example.com');
    // Recommended items (the other coats) are read live too and fall back the same way; the viewed one:
    assert.deepEqual(fallbacks?.filter((entry) => entry.product_id === 'coat-1').map(({ used, reason }) => [used, reason]), [['stale_cache', 'timeout']]);

    await browse('hung-new', 'coat-2');
    const [second] = await emailTo('hung-new@example.com');
    assert.match(second?.text ?? '', /Rain Coat: €150\.00/, 'never asked before: the last catalog update stands in');
    const [secondFallbacks] = await fallbacksOf('hung-new@example.com');
    assert.deepEqual(secondFallbacks?.filter((entry) => entry.product_id === 'coat-2').map(({ used, reason }) => [used, reason]), [['catalog', 'timeout']]);
  });

  test('the shop API answers garbage: the catalog stands in, recorded as invalid_response', async () => {
    await send([{ type: 'track', event: 'Catalog Updated', userId: 'shop', properties: { product_id: 'coat-3', name: 'Field Jacket', price: 120, currency: 'EUR', stock: 5, url: 'https://shop.example/p/coat-3' } }]);
    shop.script(answerRaw(200, '<html>Service temporarily unavailable</html>', { 'content-type': 'text/html' }));
    await browse('garbled', 'coat-3');
    const [email] = await emailTo('garbled@example.com');
    assert.match(email?.text ?? '', /Field Jacket: €120\.00/);
    const [fallbacks] = await fallbacksOf('garbled@example.com');
    assert.deepEqual(fallbacks?.filter((entry) => entry.product_id === 'coat-3').map(({ used, reason }) => [used, reason]), [['catalog', 'invalid_response']]);
    assert.ok(fallbacks?.every((entry) => entry.reason === 'invalid_response'), 'every item read in that send met the same garbage');
  });
});
