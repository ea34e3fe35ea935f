import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { NudgeEvent } from '../events/nudge-event.ts';
import { applyCatalogUpdate, compareClocks, mergeCatalogUpdate, mergeCatalogUpdates } from './apply-catalog-update.ts';
import { catalogEvent } from './catalog-fixtures.ts';
import { CatalogItem, catalogFields, emptyCatalogItem } from './catalog-item.ts';
import { readCatalogUpdate, readCatalogUpdates } from './read-catalog-update.ts';

const T = (minute: number) => new Date(Date.UTC(2026, 2, 1, 10, minute)).toISOString();
const at = (minute: number, id: string) => ({ occurred_at: T(minute), event_id: id });
const fold = (events: readonly NudgeEvent[]) => events.reduce<CatalogItem | null>((item, event) => applyCatalogUpdate(item, event), null);

describe('applyCatalogUpdate', () => {
  test('a first update creates the item with only the fields it sent, each stamped with its clock', () => {
    const item = applyCatalogUpdate(null, catalogEvent({ product_id: 'p1', stock: 3, price: 9.5, currency: 'eur' }, at(1, 'e1')));
    const stamp = { at: T(1), event_id: 'e1' };
    const empty = emptyCatalogItem('p1', T(1));
    assert.deepStrictEqual(item, { ...empty, stock: 3, price: 9.5, currency: 'EUR', clocks: { ...empty.clocks, stock: stamp, price: stamp, currency: stamp } });
    assert.ok(CatalogItem.safeParse(item).success);
  });

  const cases: Array<{ name: string; first: NudgeEvent; second: NudgeEvent; expect: Partial<CatalogItem> }> = [
    { name: 'a later update wins', first: catalogEvent({ product_id: 'p', stock: 1 }, at(1, 'a')), second: catalogEvent({ product_id: 'p', stock: 2 }, at(2, 'b')), expect: { stock: 2, updated_at: T(2) } },
    { name: 'an earlier update loses', first: catalogEvent({ product_id: 'p', stock: 1 }, at(2, 'a')), second: catalogEvent({ product_id: 'p', stock: 2 }, at(1, 'b')), expect: { stock: 1, updated_at: T(2) } },
    { name: 'a tie goes to the greater event_id (arriving second)', first: catalogEvent({ product_id: 'p', stock: 1 }, at(1, 'a')), second: catalogEvent({ product_id: 'p', stock: 2 }, at(1, 'b')), expect: { stock: 2 } },
    { name: 'a tie goes to the greater event_id (arriving first)', first: catalogEvent({ product_id: 'p', stock: 2 }, at(1, 'b')), second: catalogEvent({ product_id: 'p', stock: 1 }, at(1, 'a')), expect: { stock: 2 } },
    { name: 'an earlier update still sets a field nobody set', first: catalogEvent({ product_id: 'p', stock: 1 }, at(2, 'a')), second: catalogEvent({ product_id: 'p', stock: 5, name: 'Old' }, at(1, 'b')), expect: { stock: 1, name: 'Old', updated_at: T(2) } },
    { name: 'null leaves a field as it was', first: catalogEvent({ product_id: 'p', stock: 1, price: 4 }, at(1, 'a')), second: catalogEvent({ product_id: 'p', stock: 0, price: null }, at(2, 'b')), expect: { stock: 0, price: 4 } },
  ];
  for (const { name, first, second, expect } of cases) {
    test(name, () => {
      const item = applyCatalogUpdate(applyCatalogUpdate(null, first), second);
      for (const [field, value] of Object.entries(expect)) assert.deepStrictEqual(item[field as keyof CatalogItem], value, field);
    });
  }

  test('an update that changes nothing returns the very same item, and never mutates its input', () => {
    const event = catalogEvent({ product_id: 'p1', stock: 3 }, at(5, 'e1'));
    const item = applyCatalogUpdate(null, event);
    const snapshot = structuredClone(item);
    assert.equal(applyCatalogUpdate(item, event), item, 'duplicate');
    assert.equal(applyCatalogUpdate(item, catalogEvent({ product_id: 'p1', stock: 9 }, at(1, 'older'))), item, 'stale');
    const changed = applyCatalogUpdate(item, catalogEvent({ product_id: 'p1', stock: 4 }, at(6, 'newer')));
    assert.notEqual(changed, item);
    assert.deepStrictEqual(item, snapshot);
  });

  test('refuses an update for another product', () => {
    const item = applyCatalogUpdate(null, catalogEvent({ product_id: 'p1', stock: 1 }));
    assert.throws(() => applyCatalogUpdate(item, catalogEvent({ product_id: 'p2', stock: 1 })), /update for p2 applied to item p1/);
  });

  test('compares clocks by time, then event id', () => {
    assert.equal(compareClocks({ at: T(1), event_id: 'z' }, { at: T(2), event_id: 'a' }), -1);
    assert.equal(compareClocks({ at: T(1), event_id: 'b' }, { at: T(1), event_id: 'a' }), 1);
    assert.equal(compareClocks({ at: T(1), event_id: 'a' }, { at: T(1), event_id: 'a' }), 0);
  });
});

describe('mergeCatalogUpdates', () => {
  test('returns only the items that changed', () => {
    const p1 = applyCatalogUpdate(null, catalogEvent({ product_id: 'p1', stock: 1 }, at(5, 'e1')));
    const updates = readCatalogUpdates([
      catalogEvent({ product_id: 'p1', stock: 2 }, at(1, 'stale')),
      catalogEvent({ product_id: 'p2', price: 3 }, at(1, 'new-product')),
    ]);
    const changed = mergeCatalogUpdates(new Map([['p1', p1]]), updates);
    assert.deepStrictEqual([...changed.keys()], ['p2']);
    assert.equal(changed.get('p2')?.price, 3);
  });
});

// The convergence law (DESIGN.md §4): the item depends only on the set of updates applied.
const update = fc.record({
  minute: fc.integer({ min: 0, max: 4 }), // few distinct times: many exact ties
  fields: fc.record(
    {
      name: fc.constantFrom('A', 'B', null),
      price: fc.constantFrom(0, 9.99, 10, '12.50'),
      currency: fc.constantFrom('EUR', 'usd'),
      stock: fc.integer({ min: 0, max: 3 }),
      url: fc.constantFrom('/a', '/b'),
      image_url: fc.constantFrom('/a.jpg', '/b.jpg'),
      category: fc.constantFrom('x', 'y'),
    },
    { requiredKeys: [] },
  ),
});
const history = fc
  .uniqueArray(fc.tuple(fc.integer({ min: 0, max: 10_000 }), update), { selector: ([id]) => id, minLength: 1, maxLength: 12 })
  .map((entries) =>
    entries.map(([id, { minute, fields }]) =>
      catalogEvent({ product_id: 'p1', ...fields, ...(fields.stock === undefined && fields.price === undefined ? { stock: 0 } : {}) }, at(minute, `e${id}`)),
    ),
  );

describe('convergence (fast-check)', () => {
  test('any order of the same updates, with any duplicates, gives the same item', () => {
    fc.assert(
      fc.property(history, fc.func(fc.integer()), fc.array(fc.nat(), { maxLength: 6 }), (events, rank, duplicates) => {
        const shuffled = [...events].sort((a, b) => rank(a.event_id) - rank(b.event_id));
        const redelivered = [...shuffled, ...duplicates.map((i) => events[i % events.length]!)];
        assert.deepStrictEqual(fold(redelivered), fold(events));
      }),
      { numRuns: 300 },
    );
  });

  test('each field holds the value of the latest update that sent it; updated_at is the latest occurred_at', () => {
    fc.assert(
      fc.property(history, (events) => {
        const item = fold(events)!;
        const updates = events.map(readCatalogUpdate);
        for (const field of catalogFields) {
          const senders = updates.filter((u) => u.values[field] !== undefined).sort((a, b) => compareClocks(a.clock, b.clock));
          const winner = senders.at(-1);
          assert.deepStrictEqual(item[field], winner ? winner.values[field] : null, field);
          assert.deepStrictEqual(item.clocks[field], winner ? winner.clock : null, `${field} clock`);
        }
        assert.equal(item.updated_at, updates.map((u) => u.clock.at).sort().at(-1));
        assert.ok(CatalogItem.safeParse(item).success);
      }),
      { numRuns: 300 },
    );
  });

  test('a batch merged at once equals the same updates merged one by one', () => {
    fc.assert(
      fc.property(history, (events) => {
        const batched = mergeCatalogUpdates(new Map(), readCatalogUpdates(events)).get('p1');
        assert.deepStrictEqual(batched, fold(events));
        assert.deepStrictEqual(mergeCatalogUpdate(batched!, readCatalogUpdate(events[0]!)), batched);
      }),
      { numRuns: 100 },
    );
  });
});
