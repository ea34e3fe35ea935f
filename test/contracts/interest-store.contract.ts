import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { NudgeEvent } from '../../pipelines/events/nudge-event.ts';
import { added, ordered, requested, T, viewed } from '../../pipelines/product-interest/interest-fixtures.ts';
import { InvalidInterestQueryError } from '../../pipelines/product-interest/interest-query.ts';
import { InvalidInterestEventError } from '../../pipelines/product-interest/interest-signals.ts';
import type { InterestPruning, InterestRetentionDeps, InterestStore } from '../../pipelines/product-interest/interest-store.ts';
import type { ProductInterest } from '../../pipelines/product-interest/product-interest.ts';
import { makeEvent } from '../../pipelines/profiles/event-fixtures.ts';
import { createManualClock } from '../../pipelines/shared/clock.ts';

/**
 * What every InterestStore adapter must do (pipelines/product-interest/interest-store.ts). Each
 * adapter's test file runs this suite, so the in-memory, SQLite and Firestore stores behave the same.
 */

export type InterestStoreNamespace = {
  /**
   * A handle on this namespace's data; a second call gives an independent handle, as a second
   * process would hold. Stores that prune on demand (embedded, in memory) also pass the prune test.
   */
  open: () => Promise<InterestStore & Partial<InterestPruning>>;
};

export type InterestStoreHarness = {
  /** An empty namespace no other namespace sees (a new SQLite file, a new collection prefix), its handles on this clock and retention. */
  createNamespace: (deps: InterestRetentionDeps) => Promise<InterestStoreNamespace>;
  teardown?: () => Promise<void>;
};

const noStock = new Map<string, number | null>();
/** Minutes in a day, for T(). */
const DAY = 24 * 60;
/** The retention the retention tests use (shorter than the default, so the days stay readable). */
const RETENTION_MS = 30 * DAY * 60_000;
/** "Now" for the tests that are not about retention: days after every instant they record. */
const fixtureClock = () => createManualClock(T(4 * DAY));
const interest = (overrides: Partial<ProductInterest> & Pick<ProductInterest, 'product_id' | 'identity' | 'first_interest_at'>): ProductInterest => ({
  view_count: 0,
  last_viewed_at: null,
  last_carted_at: null,
  requested_at: null,
  bought_at: null,
  out_of_stock_interest_at: null,
  ...overrides,
});

export function runInterestStoreContract(name: string, setup: () => Promise<InterestStoreHarness>, options: { skip?: string } = {}): void {
  describe(`InterestStore contract: ${name}`, { skip: options.skip ?? false }, () => {
    let harness: InterestStoreHarness | undefined;
    const opened: InterestStore[] = [];
    before(async () => {
      harness = await setup();
    });
    after(async () => {
      for (const store of opened) await store.close?.();
      await harness?.teardown?.();
    });
    const open = async (namespace: InterestStoreNamespace) => {
      const store = await namespace.open();
      opened.push(store);
      return store;
    };
    const freshStore = async (deps: InterestRetentionDeps = { clock: fixtureClock() }) => open(await harness!.createNamespace(deps));
    const recordEach = async (store: InterestStore, events: NudgeEvent[], stock = noStock) => {
      for (const event of events) await store.record([event], stock);
    };
    const everything = async (store: InterestStore, identities: string[], products: string[]) => ({
      interests: await store.getInterests(identities),
      coViews: await store.getCoViews(products),
      bestSellers: await store.getBestSellers({ category: null, limit: 100 }),
    });

    test('record then getInterests: one public record per (product, identity), every instant the received time', async () => {
      const store = await freshStore();
      await recordEach(
        store,
        [
          viewed('p1', { at: T(1), id: 'v1' }),
          viewed('p1', { at: T(3), id: 'v2' }),
          added('p1', { at: T(4), id: 'c1' }),
          requested('p2', { at: T(5), id: 'r1' }),
          ordered([{ product_id: 'p1' }, { product_id: 'p3' }], { at: T(6), id: 'o1' }),
          viewed('p1', { at: T(2), id: 'u1', user: 'u-1' }),
        ],
        new Map([['p2', 0]]),
      );
      assert.deepStrictEqual(await store.getInterests(['anon:anon-1']), [
        interest({ product_id: 'p1', identity: 'anon:anon-1', view_count: 2, last_viewed_at: T(3), last_carted_at: T(4), bought_at: T(6), first_interest_at: T(1) }),
        interest({ product_id: 'p2', identity: 'anon:anon-1', requested_at: T(5), out_of_stock_interest_at: T(5), first_interest_at: T(5) }),
        interest({ product_id: 'p3', identity: 'anon:anon-1', bought_at: T(6), first_interest_at: T(6) }),
      ]);
      assert.deepStrictEqual(await store.getInterests(['user:u-1', 'anon:anon-1'], ['p1']), [
        interest({ product_id: 'p1', identity: 'anon:anon-1', view_count: 2, last_viewed_at: T(3), last_carted_at: T(4), bought_at: T(6), first_interest_at: T(1) }),
        interest({ product_id: 'p1', identity: 'user:u-1', view_count: 1, last_viewed_at: T(2), first_interest_at: T(2) }),
      ]);
      assert.deepStrictEqual(await store.getInterests(['anon:nobody']), []);
    });

    test('a redelivered batch, or the same events in another order, changes nothing', async () => {
      const events = [viewed('a', { at: T(1), id: 'e1' }), viewed('b', { at: T(2), id: 'e2' }), ordered([{ product_id: 'a', category: 'Hats' }], { at: T(3), id: 'e3' }), viewed('a', { at: T(4), id: 'e4' })];
      const once = await freshStore();
      await once.record(events, noStock);
      const expected = await everything(once, ['anon:anon-1'], ['a', 'b']);
      await once.record(events, noStock);
      await recordEach(once, events);
      assert.deepStrictEqual(await everything(once, ['anon:anon-1'], ['a', 'b']), expected);
      const reversed = await freshStore();
      await recordEach(reversed, [...events].reverse());
      assert.deepStrictEqual(await everything(reversed, ['anon:anon-1'], ['a', 'b']), expected);
      assert.equal(expected.interests[0]?.view_count, 2);
      assert.deepStrictEqual(expected.bestSellers, [{ product_id: 'a', count: 1 }]);
    });

    test('co-views: products one identity viewed within a day, both ways, highest count first; never co-viewed → absent', async () => {
      const store = await freshStore();
      await recordEach(store, [
        viewed('x', { at: T(0), id: 'a1', anon: 'A' }),
        viewed('y', { at: T(5), id: 'a2', anon: 'A' }),
        viewed('x', { at: T(0), id: 'b1', anon: 'B' }),
        viewed('y', { at: T(1), id: 'b2', anon: 'B' }),
        viewed('z', { at: T(2), id: 'b3', anon: 'B' }),
        viewed('z', { at: T(2 + 25 * 60), id: 'c1', anon: 'C' }),
        viewed('x', { at: T(0), id: 'c2', anon: 'C' }),
      ]);
      assert.deepStrictEqual(
        await store.getCoViews(['x', 'y', 'z', 'lonely']),
        new Map([
          ['x', [{ product_id: 'y', count: 2 }, { product_id: 'z', count: 1 }]],
          ['y', [{ product_id: 'x', count: 2 }, { product_id: 'z', count: 1 }]],
          ['z', [{ product_id: 'x', count: 1 }, { product_id: 'y', count: 1 }]],
        ]),
      );
    });

    test('best sellers: each order counted once, most first then product id, by the category an order line gave', async () => {
      const store = await freshStore();
      await recordEach(store, [
        ordered([{ product_id: 'boot', category: 'Shoes' }, { product_id: 'hat', category: 'Hats' }], { id: 'o1', anon: 'A' }),
        ordered([{ product_id: 'boot' }, { product_id: 'sandal', category: 'Shoes' }], { id: 'o2', anon: 'B' }),
        ordered([{ product_id: 'clog', category: 'Shoes' }], { id: 'o3', anon: 'C' }),
        ordered([{ product_id: 'boot' }], { id: 'o2', anon: 'B' }),
      ]);
      assert.deepStrictEqual(await store.getBestSellers({ category: null, limit: 10 }), [
        { product_id: 'boot', count: 2 },
        { product_id: 'clog', count: 1 },
        { product_id: 'hat', count: 1 },
        { product_id: 'sandal', count: 1 },
      ]);
      assert.deepStrictEqual(await store.getBestSellers({ category: 'Shoes', limit: 2 }), [
        { product_id: 'boot', count: 2 },
        { product_id: 'clog', count: 1 },
      ]);
      assert.deepStrictEqual(await store.getBestSellers({ category: 'Toys', limit: 5 }), []);
      await assert.rejects(store.getBestSellers({ category: null, limit: 0 }), /limit/);
    });

    test('listInterested: latest interest since, first come then identity, a page at a time', async () => {
      const store = await freshStore();
      await recordEach(store, [
        viewed('p', { at: T(10), id: 'e1', anon: 'late' }),
        viewed('p', { at: T(1), id: 'e2', anon: 'old' }),
        viewed('p', { at: T(50), id: 'e3', anon: 'old' }),
        added('p', { at: T(5), id: 'e4', anon: 'b-tie' }),
        requested('p', { at: T(5), id: 'e5', anon: 'a-tie' }),
        viewed('p', { at: T(2), id: 'e6', anon: 'stale' }),
        ordered([{ product_id: 'p' }], { at: T(60), id: 'e7', anon: 'buyer' }),
        viewed('other', { at: T(60), id: 'e8', anon: 'elsewhere' }),
      ]);
      const pages: string[][] = [];
      let after: string | null = null;
      do {
        const page = await store.listInterested('p', { since: T(5), outOfStockOnly: false, after, limit: 2 });
        pages.push(page.interests.map((i) => i.identity));
        after = page.next;
      } while (after !== null && pages.length < 10);
      assert.deepStrictEqual(pages, [['anon:old', 'anon:a-tie'], ['anon:b-tie', 'anon:late']]);
      const all = await store.listInterested('p', { since: T(5), outOfStockOnly: false, after: null, limit: 1000 });
      assert.deepStrictEqual(all.interests.map((i) => i.identity), ['anon:old', 'anon:a-tie', 'anon:b-tie', 'anon:late']);
      assert.equal(all.next, null);
      assert.deepStrictEqual((await store.listInterested('nothing', { since: T(0), outOfStockOnly: false, after: null, limit: 5 })).interests, []);
    });

    test('listInterested outOfStockOnly: interest while stock was 0, or a request', async () => {
      const store = await freshStore();
      await store.record([viewed('p', { at: T(1), id: 'e1', anon: 'in-stock' })], new Map([['p', 3]]));
      await store.record([viewed('p', { at: T(2), id: 'e2', anon: 'sold-out' })], new Map([['p', 0]]));
      await store.record([added('p', { at: T(3), id: 'e3', anon: 'unknown' })], new Map([['p', null]]));
      await store.record([requested('p', { at: T(4), id: 'e4', anon: 'asked' })], new Map([['p', 5]]));
      await store.record([viewed('p', { at: T(0), id: 'e5', anon: 'long-ago' })], new Map([['p', 0]]));
      const page = await store.listInterested('p', { since: T(1), outOfStockOnly: true, after: null, limit: 10 });
      assert.deepStrictEqual(page.interests.map((i) => i.identity), ['anon:sold-out', 'anon:asked']);
      assert.equal(page.interests[0]?.out_of_stock_interest_at, T(2));
    });

    test('listInterested refuses a limit outside 1..1000 and a cursor it did not make, naming the field', async () => {
      const store = await freshStore();
      const query = { since: T(0), outOfStockOnly: false, after: null, limit: 10 };
      await assert.rejects(store.listInterested('p', { ...query, limit: 0 }), (error: unknown) => error instanceof InvalidInterestQueryError && /limit/.test(error.message));
      await assert.rejects(store.listInterested('p', { ...query, limit: 1001 }), InvalidInterestQueryError);
      await assert.rejects(store.listInterested('p', { ...query, after: 'not-a-cursor' }), (error: unknown) => error instanceof InvalidInterestQueryError && /after/.test(error.message));
      await assert.rejects(store.listInterested('p', { ...query, since: 'yesterday' }), /since/);
    });

    test('an event without a product id rejects the batch and nothing is written', async () => {
      const store = await freshStore();
      const bad = makeEvent('product_added', { event_id: 'bad', properties: { name: 'no id' } });
      await assert.rejects(store.record([viewed('p1', { id: 'ok' }), bad], noStock), InvalidInterestEventError);
      assert.deepStrictEqual(await store.getInterests(['anon:anon-1']), []);
    });

    test('odd product ids and identities round-trip; a second handle sees what the first wrote', async () => {
      const namespace = await harness!.createNamespace({ clock: fixtureClock() });
      const first = await open(namespace);
      const ids = ['a/b/c', '.', '..', '__x__', 'ü 50%+?#', 'x'.repeat(300)];
      await recordEach(first, ids.map((id, i) => viewed(id, { at: T(i), id: `e${i}`, user: 'ü/ser 1' })));
      const second = await open(namespace);
      const found = await second.getInterests(['user:ü/ser 1']);
      assert.deepStrictEqual(found.map((i) => i.product_id).sort(), [...ids].sort());
      const page = await second.listInterested('a/b/c', { since: T(0), outOfStockOnly: false, after: null, limit: 1 });
      assert.deepStrictEqual(page.interests.map((i) => i.identity), ['user:ü/ser 1']);
      assert.equal((await second.getCoViews(['a/b/c'])).get('a/b/c')?.length, ids.length - 1);
    });
    test('retention: a record whose latest activity is older than the retention is neither listed nor returned; one touched again lives on', async () => {
      const clock = createManualClock(T(0));
      const store = await freshStore({ clock, retentionMs: RETENTION_MS });
      await recordEach(store, [viewed('p', { at: T(0), id: 'g1', anon: 'gone' }), requested('q', { at: T(0), id: 'g2', anon: 'gone' }), viewed('p', { at: T(0), id: 'k1', anon: 'kept' })]);
      clock.set(T(20 * DAY));
      await recordEach(store, [viewed('p', { at: T(20 * DAY), id: 'k2', anon: 'kept' })]);
      const everyone = { since: T(-1), outOfStockOnly: false, after: null, limit: 10 };

      clock.set(new Date(Date.parse(T(30 * DAY)) - 1));
      assert.deepStrictEqual((await store.listInterested('p', everyone)).interests.map((i) => i.identity), ['anon:gone', 'anon:kept'], 'alive until the last millisecond');
      clock.set(T(30 * DAY));
      const page = await store.listInterested('p', everyone);
      assert.deepStrictEqual(page.interests, [interest({ product_id: 'p', identity: 'anon:kept', view_count: 2, last_viewed_at: T(20 * DAY), first_interest_at: T(0) })]);
      assert.equal(page.next, null);
      assert.deepStrictEqual((await store.listInterested('q', { ...everyone, outOfStockOnly: true })).interests, []);
      assert.deepStrictEqual(await store.getInterests(['anon:gone', 'anon:kept'], ['p', 'q']), page.interests);

      clock.set(T(50 * DAY));
      assert.deepStrictEqual(await store.getInterests(['anon:kept']), [], 'expires retention after its latest activity');
    });

    test('retention: an expired record is recorded over as if it were gone (a new first interest, no old counts); co-views and best sellers stay', async () => {
      const clock = createManualClock(T(0));
      const store = await freshStore({ clock, retentionMs: RETENTION_MS });
      await recordEach(store, [viewed('p', { at: T(0), id: 'e1' }), viewed('p', { at: T(1), id: 'e2' }), viewed('r', { at: T(2), id: 'e3' }), ordered([{ product_id: 'p' }], { at: T(3), id: 'o1' })]);
      clock.set(T(40 * DAY));
      await recordEach(store, [viewed('p', { at: T(40 * DAY), id: 'e4' })]);
      assert.deepStrictEqual(await store.getInterests(['anon:anon-1']), [interest({ product_id: 'p', identity: 'anon:anon-1', view_count: 1, last_viewed_at: T(40 * DAY), first_interest_at: T(40 * DAY) })]);
      assert.deepStrictEqual(await store.getBestSellers({ category: null, limit: 5 }), [{ product_id: 'p', count: 1 }]);
      assert.deepStrictEqual(await store.getCoViews(['p']), new Map([['p', [{ product_id: 'r', count: 1 }]]]));
    });

    test('pruneExpired deletes the expired records, a batch at a time, and only them', async (t) => {
      const clock = createManualClock(T(0));
      const namespace = await harness!.createNamespace({ clock, retentionMs: RETENTION_MS });
      const store = await open(namespace);
      if (!store.pruneExpired) {
        t.skip("this store does not prune on demand (Firestore: the TTL policy on expire_at deletes expired documents)");
        return;
      }
      await recordEach(store, [viewed('p1', { at: T(0), id: 'a1', anon: 'A' }), viewed('p2', { at: T(0), id: 'a2', anon: 'A' }), viewed('p1', { at: T(0), id: 'b1', anon: 'B' })]);
      clock.set(T(20 * DAY));
      await recordEach(store, [viewed('p1', { at: T(20 * DAY), id: 'b2', anon: 'B' })]);
      clock.set(T(31 * DAY));
      assert.equal(await store.pruneExpired({ batchSize: 1 }), 2);
      assert.equal(await store.pruneExpired(), 0);
      // Back in time, a record that was only hidden would show again: the pruned ones are gone.
      clock.set(T(1));
      assert.deepStrictEqual(await store.getInterests(['anon:A']), []);
      assert.deepStrictEqual((await store.getInterests(['anon:B'])).map((i) => [i.product_id, i.view_count]), [['p1', 2]]);
    });
  });
}
