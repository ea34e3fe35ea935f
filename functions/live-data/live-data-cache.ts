import type { LiveItem } from '../../pipelines/content/live-data.ts';

/** A cached answer: the item, or null when the shop said it does not know the id. */
export type CachedAnswer = { state: 'fresh' | 'stale'; item: LiveItem | null };

export type LiveDataCache = {
  /** Fresh within the TTL, stale until maxStaleMs, then forgotten. */
  read: (productId: string, nowMs: number) => CachedAnswer | undefined;
  write: (productId: string, item: LiveItem | null, nowMs: number) => void;
  size: () => number;
};

/**
 * The shop API's answers per product, in memory (one per process: each Cloud Function instance
 * keeps its own, which is fine for a 60 s TTL). Bounded: beyond maxEntries the least recently
 * used product goes — a Map iterates in insertion order, so a read re-inserts its entry at the
 * end and the first key is always the coldest.
 *
 * "Unknown to the shop" is cached too (item null), so an id the shop never had does not cost a
 * request per email; it is only ever fresh, never a stale stand-in.
 */
export function createLiveDataCache(settings: { ttlMs: number; maxStaleMs: number; maxEntries: number }): LiveDataCache {
  const entries = new Map<string, { item: LiveItem | null; storedAt: number }>();
  return {
    read: (productId, nowMs) => {
      const entry = entries.get(productId);
      if (!entry) return undefined;
      const age = nowMs - entry.storedAt;
      if (age >= Math.max(settings.ttlMs, settings.maxStaleMs)) {
        entries.delete(productId);
        return undefined;
      }
      entries.delete(productId);
      entries.set(productId, entry);
      return { state: age < settings.ttlMs ? 'fresh' : 'stale', item: entry.item };
    },
    write: (productId, item, nowMs) => {
      entries.delete(productId);
      entries.set(productId, { item, storedAt: nowMs });
      while (entries.size > settings.maxEntries) {
        const coldest = entries.keys().next();
        if (coldest.done) break;
        entries.delete(coldest.value);
      }
    },
    size: () => entries.size,
  };
}
