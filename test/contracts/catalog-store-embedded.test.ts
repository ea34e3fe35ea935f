import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { createSqliteCatalogStore } from '../../functions/embedded/sqlite-catalog-store.ts';
import { catalogEvent } from '../../pipelines/catalog/catalog-fixtures.ts';
import { runCatalogStoreContract } from './catalog-store.contract.ts';

const dir = mkdtempSync(join(tmpdir(), 'nudge-catalog-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const newFile = () => join(dir, `catalog-${++files}.db`);

runCatalogStoreContract('sqlite', async () => ({
  createNamespace: async () => {
    const file = newFile();
    return { open: async () => createSqliteCatalogStore({ database: file }) };
  },
}));

describe('sqlite catalog store specifics', () => {
  test('opens a path in WAL mode and keeps items across close and reopen', async () => {
    const file = newFile();
    const first = createSqliteCatalogStore({ database: file });
    await first.applyUpdates([catalogEvent({ product_id: 'p1', stock: 3 }, { event_id: 'e1' })]);
    const written = await first.getItems(['p1']);
    await first.close();

    const probe = new Database(file);
    assert.equal(probe.pragma('journal_mode', { simple: true }), 'wal');
    probe.close();
    const second = createSqliteCatalogStore({ database: file });
    assert.deepStrictEqual(await second.getItems(['p1']), written);
    assert.equal(written.get('p1')?.stock, 3);
    await second.close();
  });

  test('leaves a handle it was given open, with one row per product in catalog_items', async () => {
    const db = new Database(':memory:');
    const store = createSqliteCatalogStore({ database: db });
    await store.applyUpdates([
      catalogEvent({ product_id: 'p1', stock: 1 }, { event_id: 'e1', occurred_at: '2026-03-01T10:00:00.000Z' }),
      catalogEvent({ product_id: 'p1', price: 2 }, { event_id: 'e2', occurred_at: '2026-03-01T11:00:00.000Z' }),
    ]);
    await store.close();
    assert.equal(db.open, true);
    const rows = db.prepare<[], { product_id: string; updated_at: string; doc: string }>('SELECT product_id, updated_at, doc FROM catalog_items').all();
    assert.equal(rows.length, 1);
    assert.equal(rows[0]?.product_id, 'p1');
    assert.equal(rows[0]?.updated_at, '2026-03-01T11:00:00.000Z');
    assert.deepStrictEqual(JSON.parse(rows[0]!.doc).price, 2);
    db.close();
  });

  test('a duplicate delivery rewrites nothing', async () => {
    const db = new Database(':memory:');
    const store = createSqliteCatalogStore({ database: db });
    const event = catalogEvent({ product_id: 'p1', stock: 1 }, { event_id: 'e1' });
    await store.applyUpdates([event]);
    const changesBefore = db.prepare<[], { n: number }>('SELECT total_changes() AS n').get()!.n;
    await store.applyUpdates([event, event]);
    assert.equal(db.prepare<[], { n: number }>('SELECT total_changes() AS n').get()!.n, changesBefore);
    db.close();
  });

  test('a row that is not a CatalogItem fails the read loudly instead of being merged', async () => {
    const db = new Database(':memory:');
    const store = createSqliteCatalogStore({ database: db });
    db.prepare('INSERT INTO catalog_items (product_id, doc, updated_at) VALUES (?, ?, ?)').run('p1', JSON.stringify({ product_id: 'p1', stock: 'lots' }), 'x');
    await assert.rejects(store.getItems(['p1']));
    await assert.rejects(store.applyUpdates([catalogEvent({ product_id: 'p1', stock: 1 })]));
    assert.match(db.prepare<[], { doc: string }>('SELECT doc FROM catalog_items').get()!.doc, /lots/, 'left untouched');
    db.close();
  });
});
