import { mergeCatalogChanges, productIdsOf } from './apply-catalog-update.ts';
import { CatalogItem } from './catalog-item.ts';
import type { CatalogStore } from './catalog-store.ts';
import { readCatalogUpdates } from './read-catalog-update.ts';
import { selectCatalogItems } from './select-catalog-items.ts';

/**
 * A CatalogStore in a Map, for tests of what reads the catalog (journeys, content). It passes
 * the same contract suite as the real adapters; items are copied in and out, so callers can
 * never mutate what is stored.
 */
export function createInMemoryCatalogStore(initial: readonly CatalogItem[] = []): CatalogStore {
  const items = new Map<string, CatalogItem>(initial.map((item) => [item.product_id, CatalogItem.parse(item)]));
  return {
    applyUpdates: async (events) => {
      const updates = readCatalogUpdates(events);
      const current = new Map<string, CatalogItem>();
      for (const id of productIdsOf(updates)) {
        const item = items.get(id);
        if (item) current.set(id, item);
      }
      const changes = mergeCatalogChanges(current, updates);
      for (const change of changes) items.set(change.product_id, CatalogItem.parse(change.after));
      return structuredClone(changes);
    },
    getItems: async (productIds) => {
      const found = new Map<string, CatalogItem>();
      for (const id of productIds) {
        const item = items.get(id);
        if (item) found.set(id, structuredClone(item));
      }
      return found;
    },
    findItems: async (query) => structuredClone(selectCatalogItems(items.values(), query)),
  };
}
