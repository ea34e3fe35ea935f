import type { CatalogItem } from './catalog-item.ts';
import { checkFindItemsLimit, type CatalogQuery } from './catalog-store.ts';

/**
 * Orders product ids by Unicode code point, which is the byte order of their UTF-8: the order
 * SQLite (BINARY collation) and Firestore (UTF-8 bytes) sort strings in. JavaScript's `<` compares
 * UTF-16 code units, which puts an emoji (a surrogate pair) before U+E000–U+FFFF and so would make
 * the in-memory store disagree with the real ones.
 */
export function compareProductIds(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a.charCodeAt(i) === b.charCodeAt(i)) continue;
    // The strings agree up to i, so i starts a code point (or continues the same pair) in both.
    return a.codePointAt(i)! - b.codePointAt(i)!;
  }
  return a.length - b.length;
}

/** True when `item` is one findItems selects for `query` (ignoring the limit). */
export function matchesCatalogQuery(item: CatalogItem, query: Pick<CatalogQuery, 'category' | 'inStockOnly'>): boolean {
  if (query.category !== null && item.category !== query.category) return false;
  return !query.inStockOnly || (item.stock !== null && item.stock > 0);
}

/**
 * findItems over items in memory: the in-memory store's whole answer, and the reference the
 * contract suite's property test compares every adapter with. Never mutates `items`.
 */
export function selectCatalogItems(items: Iterable<CatalogItem>, query: CatalogQuery): CatalogItem[] {
  checkFindItemsLimit(query.limit);
  const selected: CatalogItem[] = [];
  for (const item of items) if (matchesCatalogQuery(item, query)) selected.push(item);
  return selected.sort((a, b) => compareProductIds(a.product_id, b.product_id)).slice(0, query.limit);
}
