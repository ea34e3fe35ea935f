import { type CatalogItem, emptyCatalogItem } from '../catalog/catalog-item.ts';

/**
 * A showable catalog item for tests: named, linked, in stock, no category, tags, brand or price
 * unless given, so a test states exactly what relates it to the seed.
 *   catalogItem('p1', { category: 'jackets', price: 100 })
 */
export function catalogItem(productId: string, fields: Partial<Omit<CatalogItem, 'product_id'>> = {}): CatalogItem {
  return {
    ...emptyCatalogItem(productId, '2026-03-01T10:00:00.000Z'),
    name: `Item ${productId}`,
    url: `https://shop.example/p/${productId}`,
    stock: 5,
    ...fields,
  };
}
