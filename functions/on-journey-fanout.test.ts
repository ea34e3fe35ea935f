import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { HttpRequest } from './http.ts';
import { createOnCatalogUpdateEntry } from './on-catalog-update.ts';
import { createOnJourneyFanOutEntry } from './on-journey-fanout.ts';
import { encodePushEnvelope } from './push-envelope.ts';
import { catalogEvent } from '../pipelines/catalog/catalog-fixtures.ts';
import { createInMemoryCatalogStore } from '../pipelines/catalog/in-memory-catalog-store.ts';
import type { DeadLetter, DeadLetterStore } from '../pipelines/events/dead-letters.ts';
import { encodeEventMessage } from '../pipelines/events/encode-message.ts';
import { firstFanOutPage, type FanOutPage, type FanOutResult } from '../pipelines/journeys/fan-out-catalog-trigger.ts';
import { backInStockCampaign, priceDropCampaign } from '../pipelines/journeys/journey-fixtures.ts';
import { createManualClock } from '../pipelines/shared/clock.ts';

const NOW = '2026-03-01T12:00:00.000Z';
const push = (data: string): HttpRequest => ({
  method: 'POST',
  path: '/',
  headers: { 'content-type': 'application/json' },
  query: new URLSearchParams(),
  rawBody: encodePushEnvelope({ data: Buffer.from(data), attributes: {}, messageId: 'm1', publishTime: NOW, deliveryAttempt: 1 }, 'projects/p/subscriptions/s'),
});
const page = firstFanOutPage({ kind: 'back_in_stock', campaign_id: 'back-in-stock', product_id: 'tent', event_id: 'restock-1', stock: 2 }, NOW);
function recordingDeadLetters() {
  const letters: DeadLetter[] = [];
  const store = { put: async (rows: readonly DeadLetter[]) => void letters.push(...rows) } as unknown as DeadLetterStore;
  return { letters, store };
}

describe('createOnJourneyFanOutEntry', () => {
  function entryWith(fanOut: (page: FanOutPage) => Promise<FanOutResult>, publishNext: (page: FanOutPage) => Promise<void> = async () => {}) {
    const dead = recordingDeadLetters();
    const entry = createOnJourneyFanOutEntry({ fanOut, publishNext, deadLetters: dead.store, clock: createManualClock(NOW), newId: () => 'dl-1' });
    return { entry, letters: dead.letters };
  }
  const result = (next: FanOutPage | null): FanOutResult => ({ armed: 2, skipped_bought: 0, unknown_identities: 0, next });

  test('arms the page, publishes the next one, then answers 204', async () => {
    const order: string[] = [];
    const next = { ...page, cursor: 'c1', armed: 2 };
    const { entry } = entryWith(
      async (received) => {
        order.push(`fanOut:${JSON.stringify(received) === JSON.stringify(page)}`);
        return result(next);
      },
      async (published) => void order.push(`publish:${published.cursor}`),
    );
    assert.deepEqual(await entry(push(JSON.stringify(page))), { status: 204 });
    assert.deepEqual(order, ['fanOut:true', 'publish:c1']);
  });

  test('the first page waits for the interest recorder to catch up with what was received before the restock; later pages do not', async () => {
    const order: string[] = [];
    const dead = recordingDeadLetters();
    const entry = createOnJourneyFanOutEntry({
      fanOut: async (received) => (order.push(`fanOut:${received.cursor}`), result(null)),
      publishNext: async () => {},
      deadLetters: dead.store,
      clock: createManualClock(NOW),
      newId: () => 'dl-1',
      interestsCaughtUp: async (before) => void order.push(`caughtUp:${before.toISOString()}`),
    });
    await entry(push(JSON.stringify(page)));
    await entry(push(JSON.stringify({ ...page, cursor: 'c1', armed: 1 })));
    assert.deepEqual(order, [`caughtUp:${NOW}`, 'fanOut:null', 'fanOut:c1']);
  });

  test('the last page publishes nothing', async () => {
    let published = 0;
    const { entry } = entryWith(async () => result(null), async () => void published++);
    assert.deepEqual(await entry(push(JSON.stringify(page))), { status: 204 });
    assert.equal(published, 0);
  });

  test('a failing fan-out or a failing publish answers 500 (the page comes again)', async () => {
    let published = 0;
    const failingArm = entryWith(async () => {
      throw new Error('store down');
    }, async () => void published++);
    assert.equal((await failingArm.entry(push(JSON.stringify(page)))).status, 500);
    assert.equal(published, 0, 'no next page without this one');
    const failingPublish = entryWith(async () => result({ ...page, cursor: 'c1' }), async () => {
      throw new Error('bus down');
    });
    assert.equal((await failingPublish.entry(push(JSON.stringify(page)))).status, 500);
  });

  const bad = [
    { name: 'not JSON', data: '{nope', path: 'message.data' },
    { name: 'not a page', data: JSON.stringify({ hello: 1 }), path: 'trigger' },
    { name: 'a restock without stock', data: JSON.stringify({ ...page, trigger: { ...page.trigger, stock: 0 } }), path: 'trigger' },
  ];
  for (const { name, data, path } of bad) {
    test(`${name}: dead-lettered and acknowledged, nothing armed`, async () => {
      let called = 0;
      const { entry, letters } = entryWith(async () => {
        called++;
        return result(null);
      });
      assert.deepEqual(await entry(push(data)), { status: 204 });
      assert.equal(called, 0);
      assert.equal(letters.length, 1);
      assert.equal(letters[0]!.stage, 'journey-fanout');
      assert.equal(letters[0]!.payload, data);
      assert.ok(letters[0]!.errors.some((error) => error.path.startsWith(path)), JSON.stringify(letters[0]!.errors));
    });
  }

  test('only POST', async () => {
    const { entry } = entryWith(async () => result(null));
    assert.equal((await entry({ ...push(JSON.stringify(page)), method: 'GET' })).status, 405);
  });
});

describe('createOnCatalogUpdateEntry: triggers', () => {
  const setup = (publish: (pages: readonly FanOutPage[]) => Promise<void>) => {
    const catalog = createInMemoryCatalogStore();
    const dead = recordingDeadLetters();
    const entry = createOnCatalogUpdateEntry({ catalog, deadLetters: dead.store, clock: createManualClock(NOW), newId: () => 'dl', triggers: { campaigns: [backInStockCampaign, priceDropCampaign], publishFanOut: publish } });
    return { catalog, entry };
  };
  const update = (properties: Record<string, unknown>, event_id: string, minute: number) =>
    push(encodeEventMessage(catalogEvent({ product_id: 'tent', ...properties }, { event_id, occurred_at: `2026-03-01T11:${String(minute).padStart(2, '0')}:00.000Z`, received_at: `2026-03-01T11:${String(minute).padStart(2, '0')}:01.000Z` })).data.toString('utf8'));

  test('a restock and a drop in one update publish one page each, before the update is applied', async () => {
    const published: FanOutPage[][] = [];
    let stockWhenPublished: number | null | undefined;
    const { catalog, entry } = setup(async (pages) => {
      stockWhenPublished = (await catalog.getItems(['tent'])).get('tent')?.stock;
      published.push([...pages]);
    });
    await entry(update({ stock: 0, price: 100, currency: 'EUR' }, 'e-1', 0));
    assert.deepEqual(published, [], 'a first sighting fires nothing');
    assert.deepEqual(await entry(update({ stock: 4, price: 80 }, 'e-2', 1)), { status: 204 });
    assert.equal(stockWhenPublished, 0, 'published while the catalog still said 0');
    assert.deepEqual(published, [
      [
        // Named by the update that set the values they end (e-1: stock 0, price 100), fired at e-2's receipt.
        { trigger: { kind: 'back_in_stock', campaign_id: 'back-in-stock', product_id: 'tent', event_id: 'e-1', stock: 4 }, fired_at: '2026-03-01T11:01:01.000Z', cursor: null, armed: 0 },
        { trigger: { kind: 'price_drop', campaign_id: 'price-drop', product_id: 'tent', event_id: 'e-1', previous_price: 100, stock: null }, fired_at: '2026-03-01T11:01:01.000Z', cursor: null, armed: 0 },
      ],
    ]);
    assert.equal((await catalog.getItems(['tent'])).get('tent')?.stock, 4);
  });

  test('a failing publish answers 500 and nothing is applied; the redelivery fires the same trigger', async () => {
    let fail = true;
    const published: FanOutPage[] = [];
    const { catalog, entry } = setup(async (pages) => {
      if (fail) throw new Error('bus down');
      published.push(...pages);
    });
    await entry(update({ stock: 0 }, 'e-1', 0));
    const restock = update({ stock: 2 }, 'e-2', 1);
    assert.equal((await entry(restock)).status, 500);
    assert.equal((await catalog.getItems(['tent'])).get('tent')?.stock, 0, 'the restock is not applied');
    fail = false;
    assert.deepEqual(await entry(restock), { status: 204 });
    assert.deepEqual(published.map((p) => [p.trigger.kind, p.trigger.event_id]), [['back_in_stock', 'e-1']]);
    assert.equal((await catalog.getItems(['tent'])).get('tent')?.stock, 2);
    assert.deepEqual(await entry(restock), { status: 204 });
    assert.equal(published.length, 1, 'once applied, a redelivery finds nothing left to fire');
  });

  test('a late, older update (out of order) fires nothing', async () => {
    const published: FanOutPage[] = [];
    const { entry } = setup(async (pages) => void published.push(...pages));
    await entry(update({ stock: 0, price: 100, currency: 'EUR' }, 'e-2', 5));
    await entry(update({ stock: 3, price: 50 }, 'e-1', 1));
    assert.deepEqual(published, []);
  });
});
