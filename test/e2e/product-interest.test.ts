import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { parseEmbeddedConfig } from '../../functions/embedded/config.ts';
import { startEmbeddedRuntime, type EmbeddedRuntime } from '../../functions/embedded/runtime.ts';
import { catalogEvent } from '../../pipelines/catalog/catalog-fixtures.ts';

// Issue 9: the embedded runtime records product interest from both event topics, over real HTTP.
const writeKey = 'interest-key';

describe('product interest on the embedded runtime', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'nudge-interest-'));
  let runtime: EmbeddedRuntime | undefined;
  after(async () => {
    await runtime?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('a view (browse topic), an add and an order (priority topic) reach the interest store; stock 0 marks the view', async () => {
    runtime = await startEmbeddedRuntime(parseEmbeddedConfig({ PORT: '0', NUDGE_DATA_DIR: dataDir, NUDGE_WRITE_KEYS: writeKey, NUDGE_HOLDOUT_PERCENT: '0', NUDGE_QUIET_HOURS: 'off' }), { log: () => {} });
    await runtime.catalog.applyUpdates([catalogEvent({ product_id: 'jacket', stock: 0 })]);
    const post = (batch: unknown[]) =>
      fetch(`${runtime!.url}/v1/batch`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`, 'content-type': 'application/json' },
        body: JSON.stringify({ batch }),
      });
    const response = await post([
      { type: 'track', event: 'Product Viewed', anonymousId: 'a-1', properties: { product_id: 'jacket' } },
      { type: 'track', event: 'Product Viewed', anonymousId: 'a-1', properties: { product_id: 'scarf' } },
      { type: 'track', event: 'Product Added', anonymousId: 'a-1', properties: { product_id: 'scarf', quantity: 1 } },
      { type: 'track', event: 'Order Completed', anonymousId: 'a-1', properties: { order_id: 'o-1', products: [{ product_id: 'scarf', category: 'Accessories' }] } },
    ]);
    assert.equal(response.status, 200);
    await runtime.bus.whenIdle();
    const interests = await runtime.interests.getInterests(['anon:a-1']);
    assert.deepStrictEqual(
      interests.map((i) => [i.product_id, i.view_count, i.last_carted_at !== null, i.bought_at !== null, i.out_of_stock_interest_at !== null]),
      [
        ['jacket', 1, false, false, true],
        ['scarf', 1, true, true, false],
      ],
    );
    assert.deepStrictEqual(await runtime.interests.getBestSellers({ category: 'Accessories', limit: 5 }), [{ product_id: 'scarf', count: 1 }]);
    assert.deepStrictEqual((await runtime.interests.getCoViews(['jacket'])).get('jacket'), [{ product_id: 'scarf', count: 1 }]);
  });
});
