/** The catalog stage: live stock and price per product, fed by `Catalog Updated` events. */
export { CatalogField, CatalogItem, catalogFields, emptyCatalogItem, FieldClock, type CatalogValues } from './catalog-item.ts';
export { applyCatalogUpdate, compareClocks, mergeCatalogChanges, mergeCatalogUpdate, mergeCatalogUpdates, productIdsOf } from './apply-catalog-update.ts';
export { InvalidCatalogUpdateError, readCatalogUpdate, readCatalogUpdates, type CatalogUpdate } from './read-catalog-update.ts';
export { checkFindItemsLimit, findItemsLimits, type CatalogChange, type CatalogQuery, type CatalogStore } from './catalog-store.ts';
export { compareProductIds, matchesCatalogQuery, selectCatalogItems } from './select-catalog-items.ts';
export { createInMemoryCatalogStore } from './in-memory-catalog-store.ts';
