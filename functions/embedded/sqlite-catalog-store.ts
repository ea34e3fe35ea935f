import type Database from 'better-sqlite3';
import { mergeCatalogChanges, productIdsOf } from '../../pipelines/catalog/apply-catalog-update.ts';
import { CatalogItem } from '../../pipelines/catalog/catalog-item.ts';
import { checkFindItemsLimit, type CatalogChange, type CatalogStore } from '../../pipelines/catalog/catalog-store.ts';
import { readCatalogUpdates, type CatalogUpdate } from '../../pipelines/catalog/read-catalog-update.ts';
import { openSqliteDatabase } from './sqlite-database.ts';

/**
 * The embedded CatalogStore (DESIGN.md §5): table `catalog_items` in NUDGE_DATA_DIR, one row per
 * product holding the item as JSON.
 *
 * The merge is pure and synchronous, so a whole batch is read, merged and written inside one
 * BEGIN IMMEDIATE transaction: it holds the write lock from the first read, which leaves no
 * window for another handle to interleave, and a handle that finds the lock taken waits for it
 * (busy_timeout) instead of retrying. Nothing async runs inside, so calls on one store need no
 * in-process queue either.
 *
 * findItems reads through an index on the document's category (an expression index, so rows
 * written before it existed need no migration) in product_id order, and stops at the limit.
 * product_id is TEXT with SQLite's BINARY collation: UTF-8 byte order, as the contract requires.
 */

export type SqliteCatalogStoreDeps = {
  /** An open handle (its owner sets pragmas, busy_timeout included, and closes it) or a file
   * path the store opens with WAL + synchronous=NORMAL + busy_timeout and closes in close().
   * ':memory:' works for tests. */
  database: Database.Database | string;
};

export type SqliteCatalogStore = CatalogStore & { close: () => Promise<void> };

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS catalog_items (
    product_id TEXT PRIMARY KEY,
    doc TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS catalog_items_by_category ON catalog_items (json_extract(doc, '$.category'), product_id);
`;

export function createSqliteCatalogStore(deps: SqliteCatalogStoreDeps): SqliteCatalogStore {
  const ownsDb = typeof deps.database === 'string';
  const db = typeof deps.database === 'string' ? openSqliteDatabase(deps.database) : deps.database;
  db.exec(SCHEMA);
  const sql = {
    doc: db.prepare<[string], { doc: string }>('SELECT doc FROM catalog_items WHERE product_id = ?'),
    put: db.prepare(
      'INSERT INTO catalog_items (product_id, doc, updated_at) VALUES (?, ?, ?) ON CONFLICT (product_id) DO UPDATE SET doc = excluded.doc, updated_at = excluded.updated_at',
    ),
    // The same json_extract expression as the index, so SQLite uses it.
    inCategory: db.prepare<[string, number, number], { doc: string }>(
      "SELECT doc FROM catalog_items WHERE json_extract(doc, '$.category') = ? AND (? = 0 OR json_extract(doc, '$.stock') > 0) ORDER BY product_id LIMIT ?",
    ),
    anyCategory: db.prepare<[number, number], { doc: string }>(
      "SELECT doc FROM catalog_items WHERE (? = 0 OR json_extract(doc, '$.stock') > 0) ORDER BY product_id LIMIT ?",
    ),
  };
  const readItem = (productId: string): CatalogItem | null => {
    const row = sql.doc.get(productId);
    return row ? CatalogItem.parse(JSON.parse(row.doc)) : null;
  };

  const applyAll = db.transaction((updates: readonly CatalogUpdate[]): CatalogChange[] => {
    const current = new Map<string, CatalogItem>();
    for (const id of productIdsOf(updates)) {
      const item = readItem(id);
      if (item) current.set(id, item);
    }
    const changes = mergeCatalogChanges(current, updates);
    for (const change of changes) {
      const stored = CatalogItem.parse(change.after);
      sql.put.run(change.product_id, JSON.stringify(stored), stored.updated_at);
    }
    return changes;
  });

  return {
    applyUpdates: async (events) => {
      // Validated before the transaction starts: an invalid event writes nothing.
      const updates = readCatalogUpdates(events);
      return updates.length > 0 ? applyAll.immediate(updates) : [];
    },
    getItems: async (productIds) => {
      const found = new Map<string, CatalogItem>();
      for (const id of new Set(productIds)) {
        const item = readItem(id);
        if (item) found.set(id, item);
      }
      return found;
    },
    findItems: async ({ category, inStockOnly, limit }) => {
      checkFindItemsLimit(limit);
      const stockFlag = inStockOnly ? 1 : 0;
      const rows = category === null ? sql.anyCategory.all(stockFlag, limit) : sql.inCategory.all(category, stockFlag, limit);
      return rows.map((row) => CatalogItem.parse(JSON.parse(row.doc)));
    },
    close: async () => {
      if (ownsDb && db.open) db.close();
    },
  };
}
