import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import type { CatalogItem } from '../../pipelines/catalog/catalog-item.ts';
import { catalogEvent } from '../../pipelines/catalog/catalog-fixtures.ts';
import type { CatalogQuery, CatalogStore } from '../../pipelines/catalog/catalog-store.ts';
import { selectCatalogItems } from '../../pipelines/catalog/select-catalog-items.ts';
import { InvalidCatalogUpdateError } from '../../pipelines/catalog/read-catalog-update.ts';
import type { NudgeEvent } from '../../pipelines/events/nudge-event.ts';

/**
 * What every CatalogStore adapter must do (pipelines/catalog/catalog-store.ts). Each adapter's
 * test file runs this suite, so the in-memory, SQLite and Firestore stores behave the same.
 */

export type CatalogStoreNamespace = {
  /** A handle on this namespace's data; a second call gives an independent handle, as a second process would hold. */
  open: () => Promise<CatalogStore>;
};

export type CatalogStoreHarness = {
  /** An empty namespace no other namespace sees (a new SQLite file, a new collection prefix). */
  createNamespace: () => Promise<CatalogStoreNamespace>;
  teardown?: () => Promise<void>;
};

const T = (minute: number) => new Date(Date.UTC(2026, 2, 1, 10, minute)).toISOString();
const at = (minute: number, id: string) => ({ occurred_at: T(minute), event_id: id });
const clock = (minute: number, id: string) => ({ at: T(minute), event_id: id });
const noClocks = { name: null, price: null, currency: null, stock: null, url: null, image_url: null, category: null, brand: null, tags: null };
const unset = { name: null, price: null, currency: null, stock: null, url: null, image_url: null, category: null, brand: null, tags: null, clocks: noClocks };

export function runCatalogStoreContract(name: string, setup: () => Promise<CatalogStoreHarness>, options: { skip?: string } = {}): void {
  describe(`CatalogStore contract: ${name}`, { skip: options.skip ?? false }, () => {
    let harness: CatalogStoreHarness | undefined;
    const opened: CatalogStore[] = [];
    before(async () => {
      harness = await setup();
    });
    after(async () => {
      for (const store of opened) await store.close?.();
      await harness?.teardown?.();
    });
    const open = async (namespace: CatalogStoreNamespace) => {
      const store = await namespace.open();
      opened.push(store);
      return store;
    };
    const freshStore = async () => open(await harness!.createNamespace());
    const itemOf = async (store: CatalogStore, id: string) => (await store.getItems([id])).get(id);

    test('applyUpdates then getItems returns the item, with properties read as the collector reads them', async () => {
      const store = await freshStore();
      await store.applyUpdates([
        catalogEvent(
          { product_id: 42, stock: '7', price: '24.50', currency: 'eur', name: 'Zoë boot', url: 'https://shop.example/p/42', image_url: 'https://cdn.example/42.jpg', category: 'Shoes/Boots', brand: 'Zoë', tags: ['leather', 'winter'] },
          { occurred_at: '2026-03-01T10:00:00Z', event_id: 'e1' },
        ),
      ]);
      const expected: CatalogItem = {
        product_id: '42',
        name: 'Zoë boot',
        price: 24.5,
        currency: 'EUR',
        stock: 7,
        url: 'https://shop.example/p/42',
        image_url: 'https://cdn.example/42.jpg',
        category: 'Shoes/Boots',
        brand: 'Zoë',
        tags: ['leather', 'winter'],
        clocks: Object.fromEntries(Object.keys(noClocks).map((field) => [field, clock(0, 'e1')])) as CatalogItem['clocks'],
        updated_at: T(0),
      };
      assert.deepStrictEqual(await store.getItems(['42']), new Map([['42', expected]]));
    });

    test('getItems returns only known products; empty and repeated ids are fine; odd ids round-trip', async () => {
      const store = await freshStore();
      const ids = ['a/b/c', '.', '..', '__x__', '_y', 'ü 50%+?#', 'x'.repeat(300)];
      await store.applyUpdates(ids.map((id, i) => catalogEvent({ product_id: id, stock: i }, at(i, `e${i}`))));
      const found = await store.getItems([...ids, 'missing', ...ids]);
      assert.deepStrictEqual([...found.keys()].sort(), [...ids].sort());
      ids.forEach((id, i) => assert.equal(found.get(id)?.stock, i, id));
      assert.equal((await store.getItems([])).size, 0);
      assert.equal((await store.getItems(['missing'])).size, 0);
    });

    test('a partial update leaves the other fields as they were; null means "not sent"', async () => {
      const store = await freshStore();
      await store.applyUpdates([catalogEvent({ product_id: 'p1', stock: 5, price: 10, name: 'Hat' }, at(1, 'e1'))]);
      await store.applyUpdates([catalogEvent({ product_id: 'p1', stock: 0, price: null, name: null }, at(2, 'e2'))]);
      assert.deepStrictEqual(await itemOf(store, 'p1'), {
        ...unset,
        product_id: 'p1',
        stock: 0,
        price: 10,
        name: 'Hat',
        clocks: { ...noClocks, stock: clock(2, 'e2'), price: clock(1, 'e1'), name: clock(1, 'e1') },
        updated_at: T(2),
      });
    });

    test('an older update arriving late only fills what no newer update set', async () => {
      const store = await freshStore();
      await store.applyUpdates([catalogEvent({ product_id: 'p1', stock: 1 }, at(9, 'new'))]);
      await store.applyUpdates([catalogEvent({ product_id: 'p1', stock: 50, price: 3 }, at(1, 'old'))]);
      assert.deepStrictEqual(await itemOf(store, 'p1'), {
        ...unset,
        product_id: 'p1',
        stock: 1,
        price: 3,
        clocks: { ...noClocks, stock: clock(9, 'new'), price: clock(1, 'old') },
        updated_at: T(9),
      });
    });

    test('equal occurred_at: the greater event_id wins, whichever arrives first', async () => {
      const [a, b] = [await freshStore(), await freshStore()];
      const low = catalogEvent({ product_id: 'p1', stock: 1 }, at(3, 'evt-a'));
      const high = catalogEvent({ product_id: 'p1', stock: 2 }, at(3, 'evt-b'));
      await a.applyUpdates([low]);
      await a.applyUpdates([high]);
      await b.applyUpdates([high]);
      await b.applyUpdates([low]);
      assert.equal((await itemOf(a, 'p1'))?.stock, 2);
      assert.deepStrictEqual(await itemOf(a, 'p1'), await itemOf(b, 'p1'));
    });

    test('one batch, several products, any order and with duplicates, gives the same items', async () => {
      const events = mixedHistory();
      const inOrder = await freshStore();
      for (const event of events) await inOrder.applyUpdates([event]);
      const batched = await freshStore();
      await batched.applyUpdates([...events].reverse());
      await batched.applyUpdates([events[3]!, events[0]!, events[3]!]);
      const ids = ['p1', 'p2', 'p3'];
      const expected = await inOrder.getItems(ids);
      assert.equal(expected.size, 3);
      assert.deepStrictEqual(await batched.getItems(ids), expected);
      assert.deepStrictEqual(expected.get('p1'), {
        ...unset,
        product_id: 'p1',
        stock: 3,
        price: 12,
        currency: 'USD',
        name: 'Sock v2',
        clocks: { ...noClocks, stock: clock(5, 'e5'), price: clock(4, 'e4'), currency: clock(4, 'e4'), name: clock(2, 'e2') },
        updated_at: T(5),
      });
    });

    test('a redelivered update changes nothing', async () => {
      const store = await freshStore();
      const events = mixedHistory();
      await store.applyUpdates(events);
      const before = await store.getItems(['p1', 'p2', 'p3']);
      await store.applyUpdates(events);
      await store.applyUpdates([events[0]!]);
      assert.deepStrictEqual(await store.getItems(['p1', 'p2', 'p3']), before);
    });

    test('an invalid event rejects the whole call and nothing is written', async () => {
      const store = await freshStore();
      const valid = catalogEvent({ product_id: 'p1', stock: 1 }, at(1, 'ok'));
      const invalid: NudgeEvent[] = [
        catalogEvent({ product_id: 'p2', name: 'no stock or price' }, at(1, 'bad-1')),
        catalogEvent({ product_id: 'p2', stock: -1 }, at(1, 'bad-2')),
        catalogEvent({ stock: 1 }, at(1, 'bad-3')),
        { ...catalogEvent({ product_id: 'p2', stock: 1 }, at(1, 'bad-4')), kind: 'product_viewed' },
      ];
      for (const bad of invalid) {
        await assert.rejects(store.applyUpdates([valid, bad]), (error) => error instanceof InvalidCatalogUpdateError && error.message.includes(bad.event_id));
      }
      assert.equal((await store.getItems(['p1', 'p2'])).size, 0);
    });

    test('concurrent updates of one product through two handles lose no field', async () => {
      const namespace = await harness!.createNamespace();
      const [a, b] = [await open(namespace), await open(namespace)];
      // Each event is the only one setting its own field, so a lost update shows as a missing field.
      const own = [{ name: 'N' }, { url: 'u' }, { image_url: 'i' }, { category: 'c' }, { currency: 'GBP' }, { price: 9 }];
      const events = own.map((field, i) => catalogEvent({ product_id: 'hot', stock: i, ...field }, at(i, `c${i}`)));
      await Promise.all(events.map((event, i) => (i % 2 === 0 ? a : b).applyUpdates([event])));
      const item = await itemOf(a, 'hot');
      assert.deepStrictEqual(
        { name: item?.name, url: item?.url, image_url: item?.image_url, category: item?.category, currency: item?.currency, price: item?.price, stock: item?.stock },
        { name: 'N', url: 'u', image_url: 'i', category: 'c', currency: 'GBP', price: 9, stock: 5 },
      );
      assert.deepStrictEqual(await itemOf(b, 'hot'), item);
    });

    test('a batch of 501 products is stored in full', async () => {
      const store = await freshStore();
      const ids = Array.from({ length: 501 }, (_, i) => `bulk-${i}`);
      await store.applyUpdates(ids.map((id, i) => catalogEvent({ product_id: id, stock: i }, at(0, `b${i}`))));
      const found = await store.getItems(ids);
      assert.equal(found.size, 501);
      assert.equal(found.get('bulk-500')?.stock, 500);
    });

    test('what one handle wrote another handle reads; namespaces do not see each other', async () => {
      const namespace = await harness!.createNamespace();
      const writer = await open(namespace);
      await writer.applyUpdates([catalogEvent({ product_id: 'p1', price: 1 }, at(0, 'e1'))]);
      const reader = await open(namespace);
      assert.equal((await itemOf(reader, 'p1'))?.price, 1);
      const other = await freshStore();
      assert.equal(await itemOf(other, 'p1'), undefined);
    });

    test('applyUpdates reports each product it changed: before as stored (null when new), after as now stored', async () => {
      const store = await freshStore();
      const first = await store.applyUpdates([
        catalogEvent({ product_id: 'p2', stock: 0, price: 10 }, at(1, 'a1')),
        catalogEvent({ product_id: 'p1', stock: 5 }, at(1, 'a2')),
      ]);
      const stored = await store.getItems(['p1', 'p2']);
      assert.deepStrictEqual(first, [
        { product_id: 'p2', before: null, after: stored.get('p2') },
        { product_id: 'p1', before: null, after: stored.get('p1') },
      ], 'in the order the products first appear');

      const restock = await store.applyUpdates([catalogEvent({ product_id: 'p2', stock: 4 }, at(2, 'b1'))]);
      assert.equal(restock.length, 1);
      assert.deepStrictEqual(restock[0]!.before, stored.get('p2'));
      assert.deepStrictEqual(restock[0]!.after, await itemOf(store, 'p2'));
      assert.deepStrictEqual([restock[0]!.before?.stock, restock[0]!.after.stock], [0, 4]);
    });

    test('a redelivered batch reports no change', async () => {
      const store = await freshStore();
      const events = mixedHistory();
      assert.deepStrictEqual((await store.applyUpdates(events)).map((change) => change.product_id), ['p1', 'p2', 'p3']);
      assert.deepStrictEqual(await store.applyUpdates(events), []);
      assert.deepStrictEqual(await store.applyUpdates([events[4]!, events[0]!, events[4]!]), []);
    });

    test('an older update that sets nothing new reports no change for its product; the others still report', async () => {
      const store = await freshStore();
      await store.applyUpdates([catalogEvent({ product_id: 'p1', stock: 1, price: 5 }, at(9, 'new'))]);
      const before = await itemOf(store, 'p1');
      const changes = await store.applyUpdates([
        catalogEvent({ product_id: 'p1', stock: 50, price: 1 }, at(1, 'old')),
        catalogEvent({ product_id: 'p9', stock: 2 }, at(1, 'other')),
      ]);
      assert.deepStrictEqual(changes.map((change) => change.product_id), ['p9']);
      assert.deepStrictEqual(await itemOf(store, 'p1'), before);
      // Older, but the first to set a field nobody set: that is a change.
      const filled = await store.applyUpdates([catalogEvent({ product_id: 'p1', stock: 7, name: 'Old name' }, at(2, 'older-name'))]);
      assert.deepStrictEqual(filled.map((change) => [change.before?.name, change.after.name, change.after.stock]), [[null, 'Old name', 1]]);
    });

    test('several updates of one product in a batch: one change, from the stored item to the final one', async () => {
      const store = await freshStore();
      await store.applyUpdates([catalogEvent({ product_id: 'p1', stock: 0, price: 20 }, at(1, 'e1'))]);
      const stored = await itemOf(store, 'p1');
      const changes = await store.applyUpdates([
        catalogEvent({ product_id: 'p1', stock: 3 }, at(2, 'e2')),
        catalogEvent({ product_id: 'p1', price: 15 }, at(3, 'e3')),
        catalogEvent({ product_id: 'p1', stock: 1 }, at(4, 'e4')),
      ]);
      assert.equal(changes.length, 1);
      assert.deepStrictEqual(changes[0]!.before, stored);
      assert.deepStrictEqual(changes[0]!.after, await itemOf(store, 'p1'));
      assert.deepStrictEqual([changes[0]!.after.stock, changes[0]!.after.price], [1, 15]);
    });

    test('the same update through two handles at once is reported by exactly one of them', async () => {
      const namespace = await harness!.createNamespace();
      const [a, b] = [await open(namespace), await open(namespace)];
      const event = catalogEvent({ product_id: 'hot', stock: 3 }, at(1, 'once'));
      const [fromA, fromB] = await Promise.all([a.applyUpdates([event]), b.applyUpdates([event])]);
      assert.equal(fromA.length + fromB.length, 1);
      assert.equal([...fromA, ...fromB][0]!.before, null);
    });

    test('a batch of 501 products reports 501 changes', async () => {
      const store = await freshStore();
      const ids = Array.from({ length: 501 }, (_, i) => `bulk-${i}`);
      const changes = await store.applyUpdates(ids.map((id, i) => catalogEvent({ product_id: id, stock: i }, at(0, `b${i}`))));
      assert.deepStrictEqual(changes.map((change) => change.product_id), ids);
    });

    test('findItems: by category (null = any), in stock only = stock > 0, ordered by product_id, at most limit', async () => {
      const store = await freshStore();
      await store.applyUpdates([
        catalogEvent({ product_id: 'c', stock: 2, category: 'Shoes' }, at(0, 'e1')),
        catalogEvent({ product_id: 'a', stock: 0, category: 'Shoes' }, at(0, 'e2')),
        catalogEvent({ product_id: 'b', price: 9, category: 'Shoes' }, at(0, 'e3')), // stock unknown
        catalogEvent({ product_id: 'd', stock: 1, category: 'shoes' }, at(0, 'e4')), // another category: exact match only
        catalogEvent({ product_id: 'e', stock: 8 }, at(0, 'e5')), // no category
        catalogEvent({ product_id: 'f', stock: 3, category: 'Shoes' }, at(0, 'e6')),
      ]);
      const ids = async (query: CatalogQuery) => (await store.findItems(query)).map((item) => item.product_id);
      assert.deepStrictEqual(await ids({ category: 'Shoes', inStockOnly: false, limit: 10 }), ['a', 'b', 'c', 'f']);
      assert.deepStrictEqual(await ids({ category: 'Shoes', inStockOnly: true, limit: 10 }), ['c', 'f']);
      assert.deepStrictEqual(await ids({ category: 'Shoes', inStockOnly: true, limit: 1 }), ['c']);
      assert.deepStrictEqual(await ids({ category: null, inStockOnly: false, limit: 500 }), ['a', 'b', 'c', 'd', 'e', 'f']);
      assert.deepStrictEqual(await ids({ category: null, inStockOnly: true, limit: 3 }), ['c', 'd', 'e']);
      assert.deepStrictEqual(await ids({ category: 'Hats', inStockOnly: false, limit: 5 }), []);
      const [c] = await store.findItems({ category: 'Shoes', inStockOnly: true, limit: 1 });
      assert.deepStrictEqual(c, await itemOf(store, 'c'), 'whole items, as getItems reads them');
    });

    test('findItems orders ids by code point (UTF-8 bytes), the same in every store', async () => {
      const store = await freshStore();
      // '\u{1F45F}' (a surrogate pair in UTF-16) sorts after '\uFF01' by code point but before it by code unit.
      const ids = ['\u{1F45F}', '\uFF01', 'Z', 'a', 'a-b', 'a/b', 'a%b', 'ü', '_x', '.x'];
      await store.applyUpdates(ids.map((id, i) => catalogEvent({ product_id: id, stock: 1, category: 'k' }, at(0, `o${i}`))));
      const expected = ['.x', 'Z', '_x', 'a', 'a%b', 'a-b', 'a/b', 'ü', '\uFF01', '\u{1F45F}'];
      assert.deepStrictEqual((await store.findItems({ category: 'k', inStockOnly: false, limit: 20 })).map((item) => item.product_id), expected);
      assert.deepStrictEqual((await store.findItems({ category: null, inStockOnly: true, limit: 20 })).map((item) => item.product_id), expected);
    });

    test('findItems refuses a limit outside 1..500 with a RangeError', async () => {
      const store = await freshStore();
      for (const limit of [0, -1, 501, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
        await assert.rejects(store.findItems({ category: null, inStockOnly: false, limit }), (error) => error instanceof RangeError && /limit/.test(error.message), String(limit));
      }
    });

    test('findItems answers as the in-memory reference does, for any catalog and query (fast-check)', async () => {
      const item = fc.record({
        id: fc.constantFrom('p1', 'p2', 'p3', 'P1', 'p10', 'ä', 'z'),
        stock: fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined }),
        category: fc.option(fc.constantFrom('x', 'y'), { nil: undefined }),
        minute: fc.integer({ min: 0, max: 3 }),
      });
      const query = fc.record({ category: fc.constantFrom(null, 'x', 'y'), inStockOnly: fc.boolean(), limit: fc.integer({ min: 1, max: 8 }) });
      let run = 0;
      await fc.assert(
        fc.asyncProperty(fc.array(item, { maxLength: 12 }), query, async (items, q) => {
          const store = await freshStore();
          run += 1;
          const events = items.map(({ id, stock, category, minute }, i) =>
            catalogEvent({ product_id: id, price: 1, ...(stock === undefined ? {} : { stock }), ...(category === undefined ? {} : { category }) }, at(minute, `r${run}-${i}`)),
          );
          if (events.length > 0) await store.applyUpdates(events);
          const all = await store.getItems(['p1', 'p2', 'p3', 'P1', 'p10', 'ä', 'z']);
          assert.deepStrictEqual(await store.findItems(q), selectCatalogItems(all.values(), q));
        }),
        { numRuns: 25 },
      );
    });

    test('items read are copies: mutating one changes nothing stored', async () => {
      const store = await freshStore();
      await store.applyUpdates([catalogEvent({ product_id: 'p1', stock: 2 }, at(0, 'e1'))]);
      const item = (await itemOf(store, 'p1'))!;
      item.stock = 99;
      item.clocks.stock = null;
      assert.equal((await itemOf(store, 'p1'))?.stock, 2);
      assert.deepStrictEqual((await itemOf(store, 'p1'))?.clocks.stock, clock(0, 'e1'));
    });
  });
}

/** Updates of three products with a tie, an out-of-order pair and partial updates. */
function mixedHistory(): NudgeEvent[] {
  return [
    catalogEvent({ product_id: 'p1', stock: 10, price: 10, currency: 'EUR', name: 'Sock' }, at(1, 'e1')),
    catalogEvent({ product_id: 'p1', name: 'Sock v2', stock: 8 }, at(2, 'e2')),
    catalogEvent({ product_id: 'p2', stock: 4 }, at(2, 'e3')),
    catalogEvent({ product_id: 'p1', price: 12, currency: 'usd' }, at(4, 'e4')),
    catalogEvent({ product_id: 'p1', stock: 3 }, at(5, 'e5')),
    catalogEvent({ product_id: 'p1', stock: 30 }, at(5, 'e0')), // same time as e5, smaller id: loses
    catalogEvent({ product_id: 'p3', price: 0, stock: 0 }, at(0, 'e6')),
    catalogEvent({ product_id: 'p2', stock: 1, url: '/p2' }, at(1, 'e7')), // older than e3 for stock
  ];
}
