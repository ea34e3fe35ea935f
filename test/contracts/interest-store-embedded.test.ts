import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { createSqliteInterestStore } from '../../functions/embedded/sqlite-interest-store.ts';
import { T, viewed } from '../../pipelines/product-interest/interest-fixtures.ts';
import { createManualClock } from '../../pipelines/shared/clock.ts';
import { runInterestStoreContract } from './interest-store.contract.ts';

const dir = mkdtempSync(join(tmpdir(), 'nudge-interest-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const newFile = () => join(dir, `interests-${++files}.db`);
const noStock = new Map<string, number | null>();
const clock = createManualClock(T(60));

runInterestStoreContract('sqlite', async () => ({
  createNamespace: async (retention) => {
    const file = newFile();
    return { open: async () => createSqliteInterestStore({ database: file, ...retention }) };
  },
}));

describe('sqlite interest store specifics', () => {
  test('opens a path in WAL mode and keeps interests across close and reopen', async () => {
    const file = newFile();
    const first = createSqliteInterestStore({ database: file, clock });
    await first.record([viewed('p1', { at: T(1), id: 'e1' })], noStock);
    const written = await first.getInterests(['anon:anon-1']);
    await first.close();
    const probe = new Database(file);
    assert.equal(probe.pragma('journal_mode', { simple: true }), 'wal');
    probe.close();
    const second = createSqliteInterestStore({ database: file, clock });
    assert.deepStrictEqual(await second.getInterests(['anon:anon-1']), written);
    assert.equal(written.length, 1);
    await second.close();
  });

  test('a redelivery rewrites nothing; the stored row keeps the counted event ids, the public record does not show them', async () => {
    const db = new Database(':memory:');
    const store = createSqliteInterestStore({ database: db, clock });
    const events = [viewed('a', { at: T(1), id: 'e1' }), viewed('b', { at: T(2), id: 'e2' })];
    await store.record(events, noStock);
    const changesBefore = db.prepare<[], { n: number }>('SELECT total_changes() AS n').get()!.n;
    await store.record(events, noStock);
    assert.equal(db.prepare<[], { n: number }>('SELECT total_changes() AS n').get()!.n, changesBefore);
    const row = db.prepare<[], { doc: string }>("SELECT doc FROM product_interests WHERE product_id = 'a'").get()!;
    assert.deepStrictEqual(JSON.parse(row.doc).recent_event_ids, [{ event_id: 'e1', at: T(1) }]);
    assert.equal('recent_event_ids' in (await store.getInterests(['anon:anon-1']))[0]!, false);
    await store.close();
    assert.equal(db.open, true, 'a handle it was given stays open');
    db.close();
  });

  test('a file made before retention gets expire_at, backfilled from each record, and expired rows are then pruned', async () => {
    const db = new Database(':memory:');
    const old = createSqliteInterestStore({ database: db, clock });
    await old.record([viewed('p1', { at: T(1), id: 'e1', anon: 'old' }), viewed('p1', { at: T(50), id: 'e2', anon: 'recent' })], noStock);
    // Back to the layout of a file from before retention: no expire_at, no index on it.
    db.exec('DROP INDEX product_interests_by_expiry; ALTER TABLE product_interests DROP COLUMN expire_at');
    const later = createManualClock(new Date(Date.parse(T(1)) + 7 * 86_400_000));
    const store = createSqliteInterestStore({ database: db, clock: later, retentionMs: 7 * 86_400_000 });
    assert.deepStrictEqual(
      db.prepare<[], { identity: string; expire_at: string }>('SELECT identity, expire_at FROM product_interests ORDER BY identity').all(),
      [
        { identity: 'anon:old', expire_at: new Date(Date.parse(T(1)) + 7 * 86_400_000).toISOString() },
        { identity: 'anon:recent', expire_at: new Date(Date.parse(T(50)) + 7 * 86_400_000).toISOString() },
      ].sort((a, b) => (a.identity < b.identity ? -1 : 1)),
    );
    assert.deepStrictEqual((await store.getInterests(['anon:old', 'anon:recent'])).map((i) => i.identity), ['anon:recent']);
    assert.equal(await store.pruneExpired(), 1);
    assert.equal(db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM product_interests').get()!.n, 1);
    db.close();
  });

  test('a row that is not a stored interest fails loudly instead of being merged', async () => {
    const db = new Database(':memory:');
    const store = createSqliteInterestStore({ database: db, clock });
    db.prepare("INSERT INTO product_interests (product_id, identity, doc, first_interest_at, expire_at) VALUES ('p1', 'anon:anon-1', '{\"view_count\":\"lots\"}', 'x', '9999-12-31T00:00:00.000Z')").run();
    await assert.rejects(store.getInterests(['anon:anon-1']));
    await assert.rejects(store.record([viewed('p1', { id: 'e1' })], noStock));
    db.close();
  });
});
