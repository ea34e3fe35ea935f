import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { LiveItem } from '../../pipelines/content/live-data.ts';
import { createLiveDataCache } from './live-data-cache.ts';

const item = (id: string, price = 10): LiveItem => ({ product_id: id, name: id, price, currency: 'EUR', stock: 1, url: null, image_url: null, category: null });

test('fresh within the TTL, stale until the max staleness, then forgotten', () => {
  const cache = createLiveDataCache({ ttlMs: 60_000, maxStaleMs: 3_600_000, maxEntries: 10 });
  cache.write('a', item('a'), 0);
  assert.deepEqual(cache.read('a', 59_999), { state: 'fresh', item: item('a') });
  assert.deepEqual(cache.read('a', 60_000), { state: 'stale', item: item('a') });
  assert.deepEqual(cache.read('a', 3_599_999), { state: 'stale', item: item('a') });
  assert.equal(cache.read('a', 3_600_000), undefined);
  assert.equal(cache.size(), 0);
  assert.equal(cache.read('never', 0), undefined);
});

test('a rewrite refreshes the entry; "unknown to the shop" is cached as null', () => {
  const cache = createLiveDataCache({ ttlMs: 1000, maxStaleMs: 5000, maxEntries: 10 });
  cache.write('a', item('a', 1), 0);
  cache.write('a', item('a', 2), 4000);
  assert.deepEqual(cache.read('a', 4500), { state: 'fresh', item: item('a', 2) });
  cache.write('gone', null, 0);
  assert.deepEqual(cache.read('gone', 10), { state: 'fresh', item: null });
});

test('bounded: the least recently used entry is evicted first (a read counts as a use)', () => {
  const cache = createLiveDataCache({ ttlMs: 1000, maxStaleMs: 5000, maxEntries: 2 });
  cache.write('a', item('a'), 0);
  cache.write('b', item('b'), 0);
  cache.read('a', 1);
  cache.write('c', item('c'), 2);
  assert.equal(cache.size(), 2);
  assert.equal(cache.read('b', 3), undefined);
  assert.ok(cache.read('a', 3));
  assert.ok(cache.read('c', 3));
});

test('property: the cache agrees with a reference LRU list for any sequence of reads and writes', () => {
  const op = fc.oneof(
    fc.record({ kind: fc.constant('write' as const), id: fc.constantFrom('a', 'b', 'c', 'd', 'e') }),
    fc.record({ kind: fc.constant('read' as const), id: fc.constantFrom('a', 'b', 'c', 'd', 'e') }),
  );
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 4 }), fc.array(op, { maxLength: 40 }), (maxEntries, ops) => {
      // Time stands still, so nothing expires: only the eviction order is under test.
      const cache = createLiveDataCache({ ttlMs: 1000, maxStaleMs: 5000, maxEntries });
      let reference: string[] = []; // coldest first
      for (const { kind, id } of ops) {
        if (kind === 'write') {
          cache.write(id, item(id), 0);
          reference = [...reference.filter((other) => other !== id), id].slice(-maxEntries);
        } else {
          const found = cache.read(id, 0);
          assert.equal(found !== undefined, reference.includes(id));
          if (found) reference = [...reference.filter((other) => other !== id), id];
        }
        assert.equal(cache.size(), reference.length);
      }
    }),
  );
});
