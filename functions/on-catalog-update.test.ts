import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, beforeEach, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { createSqliteCatalogStore, type SqliteCatalogStore } from './embedded/sqlite-catalog-store.ts';
import { createSqliteDeadLetterStore, type SqliteDeadLetterStore } from './embedded/sqlite-dead-letters.ts';
import type { HttpRequest } from './http.ts';
import { createOnCatalogUpdateEntry } from './on-catalog-update.ts';
import { encodePushEnvelope } from './push-envelope.ts';
import { catalogEvent } from '../pipelines/catalog/catalog-fixtures.ts';
import type { CatalogStore } from '../pipelines/catalog/catalog-store.ts';
import type { DeadLetterStore } from '../pipelines/events/dead-letters.ts';
import { encodeEventMessage } from '../pipelines/events/encode-message.ts';
import type { NudgeEvent } from '../pipelines/events/nudge-event.ts';
import { createManualClock } from '../pipelines/shared/clock.ts';

const dir = mkdtempSync(join(tmpdir(), 'nudge-on-catalog-update-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

const NOW = '2026-03-01T12:00:00.000Z';
const subscription = 'projects/p/subscriptions/on-catalog-update';

function push(data: Buffer | string, messageId = 'm1'): HttpRequest {
  const body = encodePushEnvelope({ data: Buffer.from(data), attributes: {}, messageId, publishTime: NOW, deliveryAttempt: 1 }, subscription);
  return request(body);
}
const pushEvent = (event: NudgeEvent) => push(encodeEventMessage(event).data);
function request(rawBody: Buffer, method = 'POST'): HttpRequest {
  return { method, path: '/', headers: { 'content-type': 'application/json' }, query: new URLSearchParams(), rawBody };
}

describe('createOnCatalogUpdateEntry', () => {
  let file: string;
  let db: Database.Database;
  let catalog: SqliteCatalogStore;
  let deadLetters: SqliteDeadLetterStore;
  let logs: Record<string, unknown>[];
  let ids: number;
  const entryWith = (overrides: { catalog?: CatalogStore; deadLetters?: DeadLetterStore; shopHosts?: string[] } = {}) =>
    createOnCatalogUpdateEntry({
      ...(overrides.shopHosts ? { shopHosts: overrides.shopHosts } : {}),
      catalog: overrides.catalog ?? catalog,
      deadLetters: overrides.deadLetters ?? deadLetters,
      clock: createManualClock(NOW),
      newId: () => `dl-${++ids}`,
      log: (entry) => logs.push(entry),
    });

  beforeEach(async () => {
    file = join(dir, `nudge-${++files}.db`);
    db = new Database(file);
    catalog = createSqliteCatalogStore({ database: file });
    deadLetters = createSqliteDeadLetterStore({ db });
    logs = [];
    ids = 0;
  });
  afterEach(async () => {
    await catalog.close();
    db.close();
  });

  test('merges a catalog update into its item and acknowledges it', async () => {
    const event = catalogEvent({ product_id: 'sku-1', stock: 0, price: '24.50', currency: 'eur' }, { event_id: 'e1', occurred_at: '2026-03-01T10:00:00.000Z' });
    assert.deepStrictEqual(await entryWith()(pushEvent(event)), { status: 204 });
    const item = (await catalog.getItems(['sku-1'])).get('sku-1');
    assert.deepStrictEqual({ stock: item?.stock, price: item?.price, currency: item?.currency }, { stock: 0, price: 24.5, currency: 'EUR' });
    assert.deepStrictEqual(await deadLetters.list(), []);
  });

  test('links off the shop domains (from a publisher that skipped the door) are dead-lettered naming the field; the item is untouched', async () => {
    const event = catalogEvent({ product_id: 'sku-1', price: 1, url: 'https://evil.example/p', image_url: 'https://cdn.shop.example/p.jpg' }, { event_id: 'e-off' });
    assert.deepStrictEqual(await entryWith({ shopHosts: ['shop.example'] })(pushEvent(event)), { status: 204 });
    assert.equal((await catalog.getItems(['sku-1'])).get('sku-1'), undefined);
    const [letter] = await deadLetters.list();
    assert.deepStrictEqual(letter?.errors.map((error) => error.path), ['properties.url']);
    assert.equal(letter?.stage, 'catalog');
  });

  test('a redelivered push changes nothing, and an older one arriving late only fills unset fields', async () => {
    const entry = entryWith();
    const newer = catalogEvent({ product_id: 'sku-1', stock: 2 }, { event_id: 'new', occurred_at: '2026-03-01T11:00:00.000Z' });
    const older = catalogEvent({ product_id: 'sku-1', stock: 9, price: 5 }, { event_id: 'old', occurred_at: '2026-03-01T10:00:00.000Z' });
    assert.equal((await entry(pushEvent(newer))).status, 204);
    const once = await catalog.getItems(['sku-1']);
    assert.equal((await entry(pushEvent(newer))).status, 204);
    assert.deepStrictEqual(await catalog.getItems(['sku-1']), once);
    assert.equal((await entry(pushEvent(older))).status, 204);
    const item = (await catalog.getItems(['sku-1'])).get('sku-1');
    assert.deepStrictEqual({ stock: item?.stock, price: item?.price }, { stock: 2, price: 5 });
  });

  const refused: Array<{ name: string; body: () => Buffer; reason: RegExp; path: string; payload: (body: Buffer) => string; sourceId?: string }> = [
    {
      name: 'an event of another kind',
      body: () => pushEvent({ ...catalogEvent({ product_id: 'sku-1', stock: 1 }), kind: 'product_viewed', event_name: 'Product Viewed' }).rawBody,
      reason: /catalog_updated.*product_viewed/,
      path: 'kind',
      payload: dataText,
      sourceId: 'shop-backend',
    },
    {
      name: 'invalid catalog properties',
      body: () => pushEvent(catalogEvent({ product_id: 'sku-1', stock: -3 })).rawBody,
      reason: /invalid properties: properties\.stock/,
      path: 'properties.stock',
      payload: dataText,
      sourceId: 'shop-backend',
    },
    { name: 'data that is not JSON', body: () => push('not json {').rawBody, reason: /not JSON/, path: 'message.data', payload: () => 'not json {' },
    { name: 'JSON that is not a NudgeEvent', body: () => push('{"kind":"catalog_updated"}').rawBody, reason: /not a NudgeEvent/, path: 'message.data', payload: () => '{"kind":"catalog_updated"}' },
    { name: 'a body that is not a push envelope', body: () => Buffer.from('{"hello":1}'), reason: /Not a Pub\/Sub push envelope/, path: 'message', payload: (body) => body.toString() },
  ];
  for (const { name, body, reason, path, payload, sourceId } of refused) {
    test(`dead-letters ${name} under stage "catalog" and acknowledges it`, async () => {
      const raw = body();
      assert.deepStrictEqual(await entryWith()(request(raw)), { status: 204 });
      const [letter, ...rest] = await deadLetters.list();
      assert.equal(rest.length, 0);
      assert.equal(letter?.stage, 'catalog');
      assert.equal(letter?.dead_letter_id, 'dl-1');
      assert.equal(letter?.received_at, NOW);
      assert.match(letter!.reason, reason);
      assert.ok(letter!.errors.some((error) => error.path === path), JSON.stringify(letter!.errors));
      assert.equal(letter?.payload, payload(raw));
      assert.equal(letter?.source_id, sourceId ?? null);
      assert.equal((await catalog.getItems(['sku-1'])).size, 0);
      assert.equal(logs[0]?.severity, 'WARNING');
    });
  }

  test('a store failure answers 500 and dead-letters nothing, so Pub/Sub retries; the retry succeeds', async () => {
    const event = catalogEvent({ product_id: 'sku-1', stock: 4 }, { event_id: 'e-retry' });
    await catalog.close(); // the store's own handle: every call now fails
    const response = await entryWith()(pushEvent(event));
    assert.equal(response.status, 500);
    assert.deepStrictEqual(await deadLetters.list(), []);
    assert.deepStrictEqual(logs.map((entry) => [entry.severity, entry.event_id]), [['ERROR', 'e-retry']]);

    catalog = createSqliteCatalogStore({ database: file });
    assert.equal((await entryWith()(pushEvent(event))).status, 204);
    assert.equal((await catalog.getItems(['sku-1'])).get('sku-1')?.stock, 4);
  });

  test('a dead-letter store failure answers 500, so the bad message is not lost', async () => {
    const failing: DeadLetterStore = { put: async () => Promise.reject(new Error('disk full')) };
    const response = await entryWith({ deadLetters: failing })(push('not json'));
    assert.equal(response.status, 500);
    assert.match(String(logs.at(-1)?.error), /disk full/);
  });

  test('answers 405 to anything but POST', async () => {
    const event = catalogEvent({ product_id: 'sku-1', stock: 1 });
    assert.deepStrictEqual(await entryWith()(request(pushEvent(event).rawBody, 'GET')), { status: 405, headers: { allow: 'POST' } });
    assert.equal((await catalog.getItems(['sku-1'])).size, 0);
  });
});

/** The message data text inside a push body. */
function dataText(body: Buffer): string {
  const envelope = JSON.parse(body.toString()) as { message: { data: string } };
  return Buffer.from(envelope.message.data, 'base64').toString('utf8');
}
