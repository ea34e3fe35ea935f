import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import type { HttpRequest } from './http.ts';
import { createOnInterestEventEntry, INTEREST_STAGE } from './on-interest-event.ts';
import { encodePushEnvelope } from './push-envelope.ts';
import { catalogEvent } from '../pipelines/catalog/catalog-fixtures.ts';
import { createInMemoryCatalogStore } from '../pipelines/catalog/in-memory-catalog-store.ts';
import type { CatalogStore } from '../pipelines/catalog/catalog-store.ts';
import type { DeadLetter } from '../pipelines/events/dead-letters.ts';
import { encodeEventMessage } from '../pipelines/events/encode-message.ts';
import type { NudgeEvent } from '../pipelines/events/nudge-event.ts';
import { createInMemoryInterestStore } from '../pipelines/product-interest/in-memory-interest-store.ts';
import { ordered, T, viewed } from '../pipelines/product-interest/interest-fixtures.ts';
import type { InterestStore } from '../pipelines/product-interest/interest-store.ts';
import { makeEvent } from '../pipelines/profiles/event-fixtures.ts';
import { createManualClock } from '../pipelines/shared/clock.ts';

const NOW = '2026-03-01T12:00:00.000Z';
function push(data: Buffer | string): HttpRequest {
  const body = encodePushEnvelope({ data: Buffer.from(data), attributes: {}, messageId: 'm1', publishTime: NOW, deliveryAttempt: 1 }, 'projects/p/subscriptions/events-browse-interest-push');
  return request(body);
}
const pushEvent = (event: NudgeEvent) => push(encodeEventMessage(event).data);
const request = (rawBody: Buffer, method = 'POST'): HttpRequest => ({ method, path: '/', headers: { 'content-type': 'application/json' }, query: new URLSearchParams(), rawBody });

describe('createOnInterestEventEntry', () => {
  let interests: InterestStore;
  let catalog: CatalogStore;
  let letters: DeadLetter[];
  let logs: Record<string, unknown>[];
  const entryWith = (overrides: { interests?: InterestStore; catalog?: Pick<CatalogStore, 'getItems'> } = {}) =>
    createOnInterestEventEntry({
      interests: overrides.interests ?? interests,
      catalog: overrides.catalog ?? catalog,
      deadLetters: { put: async (records) => void letters.push(...records) },
      clock: createManualClock(NOW),
      newId: () => `dl-${letters.length + 1}`,
      log: (entry) => logs.push(entry),
    });

  beforeEach(async () => {
    interests = createInMemoryInterestStore({ clock: createManualClock(NOW) });
    catalog = createInMemoryCatalogStore();
    await catalog.applyUpdates([catalogEvent({ product_id: 'gone', stock: 0 }, { event_id: 'c1' }), catalogEvent({ product_id: 'here', stock: 3 }, { event_id: 'c2' })]);
    letters = [];
    logs = [];
  });

  test('records a view with the stock the catalog holds, and acknowledges it; a redelivery changes nothing', async () => {
    const entry = entryWith();
    assert.deepStrictEqual(await entry(pushEvent(viewed('gone', { at: T(1), id: 'v1' }))), { status: 204 });
    assert.deepStrictEqual(await entry(pushEvent(viewed('here', { at: T(2), id: 'v2' }))), { status: 204 });
    const once = await interests.getInterests(['anon:anon-1']);
    assert.deepStrictEqual(await entry(pushEvent(viewed('gone', { at: T(1), id: 'v1' }))), { status: 204 });
    assert.deepStrictEqual(await interests.getInterests(['anon:anon-1']), once);
    assert.deepStrictEqual(once.map((i) => [i.product_id, i.view_count, i.out_of_stock_interest_at]), [['gone', 1, T(1)], ['here', 1, null]]);
    assert.deepStrictEqual(letters, []);
  });

  test('records an order (best sellers) and ignores other kinds without reading the catalog', async () => {
    let reads = 0;
    const counting = { getItems: async (ids: readonly string[]) => (reads++, catalog.getItems(ids)) };
    assert.equal((await entryWith({ catalog: counting })(pushEvent(makeEvent('products_searched', { properties: { query: 'hat' } })))).status, 204);
    assert.equal(reads, 0);
    assert.equal((await entryWith({ catalog: counting })(pushEvent(ordered([{ product_id: 'here' }], { id: 'o1' })))).status, 204);
    assert.deepStrictEqual(await interests.getBestSellers({ category: null, limit: 5 }), [{ product_id: 'here', count: 1 }]);
  });

  const refused: Array<{ name: string; body: () => Buffer; path: string }> = [
    { name: 'a view without a product id', body: () => pushEvent(makeEvent('product_viewed', { event_id: 'bad', properties: { name: 'x' } })).rawBody, path: 'properties.product_id' },
    { name: 'data that is not a NudgeEvent', body: () => push('{"kind":"product_viewed"}').rawBody, path: 'message.data' },
    { name: 'a body that is not a push envelope', body: () => Buffer.from('{"hello":1}'), path: 'message' },
  ];
  for (const { name, body, path } of refused) {
    test(`dead-letters ${name} under stage "${INTEREST_STAGE}" naming the field, and acknowledges it`, async () => {
      assert.deepStrictEqual(await entryWith()(request(body())), { status: 204 });
      assert.equal(letters.length, 1);
      assert.equal(letters[0]?.stage, INTEREST_STAGE);
      assert.equal(letters[0]?.received_at, NOW);
      assert.ok(letters[0]?.errors.some((error) => error.path === path), JSON.stringify(letters[0]?.errors));
      assert.deepStrictEqual(await interests.getInterests(['anon:anon-1']), []);
    });
  }

  test('a failing store or catalog answers 500 and dead-letters nothing, so Pub/Sub retries', async () => {
    const failing: InterestStore = { ...interests, record: async () => Promise.reject(new Error('disk full')) };
    assert.equal((await entryWith({ interests: failing })(pushEvent(viewed('here', { id: 'v1' })))).status, 500);
    assert.equal((await entryWith({ catalog: { getItems: async () => Promise.reject(new Error('down')) } })(pushEvent(viewed('here', { id: 'v1' })))).status, 500);
    assert.deepStrictEqual(letters, []);
    assert.deepStrictEqual(logs.map((entry) => [entry.severity, entry.event_id]), [['ERROR', 'v1'], ['ERROR', 'v1']]);
    assert.equal((await entryWith()(pushEvent(viewed('here', { id: 'v1' })))).status, 204);
    assert.equal((await interests.getInterests(['anon:anon-1'])).length, 1);
  });

  test('answers 405 to anything but POST', async () => {
    assert.deepStrictEqual(await entryWith()(request(pushEvent(viewed('here')).rawBody, 'GET')), { status: 405, headers: { allow: 'POST' } });
  });
});
