import type Database from 'better-sqlite3';
import { latestInterestAt, latestOutOfStockInterestAt, StoredProductInterest, toProductInterest } from '../../pipelines/product-interest/apply-interest-signal.ts';
import { addBestSeller, readBestSellersQuery } from '../../pipelines/product-interest/best-sellers.ts';
import { readInterestSignals, type InterestSignal } from '../../pipelines/product-interest/interest-signals.ts';
import { encodeInterestCursor, readInterestedQuery, sortInterests } from '../../pipelines/product-interest/interest-query.ts';
import { DEFAULT_INTEREST_RETENTION_MS, interestExpireAt } from '../../pipelines/product-interest/interest-retention.ts';
import type { InterestPruning, InterestRetentionDeps, InterestStore } from '../../pipelines/product-interest/interest-store.ts';
import { planInterestRecording } from '../../pipelines/product-interest/plan-interest-recording.ts';
import type { CoView } from '../../pipelines/product-interest/product-interest.ts';
import { addCoViews, CO_VIEWS_TOP_K } from '../../pipelines/recommendations/co-views.ts';
import { openSqliteDatabase } from './sqlite-database.ts';

/**
 * The embedded InterestStore: its own file `interests.db` in NUDGE_DATA_DIR (runtime.ts), so the
 * recorder's writes — one per view — never wait on the profile fold's write lock in profiles.db.
 *
 * - `product_interests`: one row per (product, identity), the stored record as JSON plus the
 *   columns listInterested filters and orders on (first come: product, first_interest_at, identity)
 *   and `expire_at` (latest activity + retention): every read skips expired rows, and
 *   pruneExpired, which the host runs daily (interest-pruning.ts), deletes them.
 * - `co_views`: one row per product, its bounded co-view list as JSON.
 * - `best_sellers`: one row per product, orders counted and its latest category.
 *
 * A batch is read, planned (pure) and written inside one BEGIN IMMEDIATE transaction, so the
 * records that prove an event was already counted commit with the counts it moved (idempotency,
 * see plan-interest-recording.ts) and no other handle interleaves.
 */

export type SqliteInterestStoreDeps = InterestRetentionDeps & {
  /** An open handle (its owner sets pragmas and closes it) or a file path the store opens and closes. ':memory:' for tests. */
  database: Database.Database | string;
  /** Co-viewed products kept per product. Default CO_VIEWS_TOP_K. */
  coViewsTopK?: number;
};

export type SqliteInterestStore = InterestStore & InterestPruning & { close: () => Promise<void> };

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS product_interests (
    product_id TEXT NOT NULL,
    identity TEXT NOT NULL,
    doc TEXT NOT NULL,
    first_interest_at TEXT NOT NULL,
    latest_interest_at TEXT,
    latest_out_of_stock_interest_at TEXT,
    expire_at TEXT,
    PRIMARY KEY (product_id, identity)
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS product_interests_by_identity ON product_interests (identity);
  CREATE INDEX IF NOT EXISTS product_interests_first_come ON product_interests (product_id, first_interest_at, identity);
  CREATE TABLE IF NOT EXISTS co_views (product_id TEXT PRIMARY KEY, doc TEXT NOT NULL) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS best_sellers (product_id TEXT PRIMARY KEY, count INTEGER NOT NULL, category TEXT) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS best_sellers_by_category ON best_sellers (category, count DESC, product_id);
`;
/** After adding expire_at to a file made before it existed. */
const EXPIRY_INDEX = 'CREATE INDEX IF NOT EXISTS product_interests_by_expiry ON product_interests (expire_at)';
/** Rows given an expiry per transaction when a file made before retention is opened. */
const BACKFILL_BATCH = 1000;
const PRUNE_BATCH = 1000;

type Row = { doc: string };

export function createSqliteInterestStore(deps: SqliteInterestStoreDeps): SqliteInterestStore {
  const ownsDb = typeof deps.database === 'string';
  const db = typeof deps.database === 'string' ? openSqliteDatabase(deps.database) : deps.database;
  db.exec(SCHEMA);
  const retentionMs = deps.retentionMs ?? DEFAULT_INTEREST_RETENTION_MS;
  addExpiry(db, retentionMs);
  const now = () => deps.clock.now().toISOString();
  const topK = deps.coViewsTopK ?? CO_VIEWS_TOP_K;
  const listSql = (column: string) =>
    db.prepare<{ product: string; since: string; first: string | null; identity: string | null; limit: number; now: string }, Row>(
      `SELECT doc FROM product_interests
       WHERE product_id = @product AND ${column} >= @since AND expire_at > @now
         AND (@first IS NULL OR first_interest_at > @first OR (first_interest_at = @first AND identity > @identity))
       ORDER BY first_interest_at, identity LIMIT @limit`,
    );
  const sql = {
    ofIdentity: db.prepare<[string, string], Row>('SELECT doc FROM product_interests WHERE identity = ? AND expire_at > ?'),
    put: db.prepare(
      `INSERT INTO product_interests (product_id, identity, doc, first_interest_at, latest_interest_at, latest_out_of_stock_interest_at, expire_at)
       VALUES (@product_id, @identity, @doc, @first_interest_at, @latest_interest_at, @latest_out_of_stock_interest_at, @expire_at)
       ON CONFLICT (product_id, identity) DO UPDATE SET doc = excluded.doc, first_interest_at = excluded.first_interest_at,
         latest_interest_at = excluded.latest_interest_at, latest_out_of_stock_interest_at = excluded.latest_out_of_stock_interest_at,
         expire_at = excluded.expire_at`,
    ),
    // The oldest expiries first, through product_interests_by_expiry; a batch per transaction.
    pruneBatch: db.prepare<{ now: string; limit: number }>(
      `DELETE FROM product_interests WHERE (product_id, identity) IN
         (SELECT product_id, identity FROM product_interests WHERE expire_at <= @now ORDER BY expire_at LIMIT @limit)`,
    ),
    listInterested: listSql('latest_interest_at'),
    listOutOfStock: listSql('latest_out_of_stock_interest_at'),
    coViews: db.prepare<[string], Row>('SELECT doc FROM co_views WHERE product_id = ?'),
    putCoViews: db.prepare('INSERT INTO co_views (product_id, doc) VALUES (?, ?) ON CONFLICT (product_id) DO UPDATE SET doc = excluded.doc'),
    bestSeller: db.prepare<[string], { product_id: string; count: number; category: string | null }>('SELECT product_id, count, category FROM best_sellers WHERE product_id = ?'),
    putBestSeller: db.prepare('INSERT INTO best_sellers (product_id, count, category) VALUES (?, ?, ?) ON CONFLICT (product_id) DO UPDATE SET count = excluded.count, category = excluded.category'),
    bestSellers: db.prepare<[number], { product_id: string; count: number }>('SELECT product_id, count FROM best_sellers ORDER BY count DESC, product_id LIMIT ?'),
    bestSellersOf: db.prepare<[string, number], { product_id: string; count: number }>('SELECT product_id, count FROM best_sellers WHERE category = ? ORDER BY count DESC, product_id LIMIT ?'),
  };
  const readRecord = (row: Row) => StoredProductInterest.parse(JSON.parse(row.doc));
  const readCoViews = (productId: string): CoView[] => {
    const row = sql.coViews.get(productId);
    return row ? (JSON.parse(row.doc) as CoView[]) : [];
  };

  const recordAll = db.transaction((signals: readonly InterestSignal[]) => {
    const identities = new Set(signals.map((signal) => signal.identity));
    // Expired rows not yet pruned count as absent, as on Firestore before its TTL deletes them.
    const at = now();
    const stored = [...identities].flatMap((identity) => sql.ofIdentity.all(identity, at).map(readRecord));
    const plan = planInterestRecording(signals, stored);
    for (const record of plan.records) {
      const checked = StoredProductInterest.parse(record);
      const open = toProductInterest(checked);
      sql.put.run({
        product_id: checked.product_id,
        identity: checked.identity,
        doc: JSON.stringify(checked),
        first_interest_at: open.first_interest_at,
        latest_interest_at: latestInterestAt(checked),
        latest_out_of_stock_interest_at: latestOutOfStockInterestAt(checked),
        expire_at: interestExpireAt(checked, retentionMs),
      });
    }
    for (const [productId, others] of plan.coViews) sql.putCoViews.run(productId, JSON.stringify(addCoViews(readCoViews(productId), others, topK)));
    for (const [productId, added] of plan.bestSellers) {
      const line = addBestSeller(sql.bestSeller.get(productId) ?? null, productId, added);
      sql.putBestSeller.run(line.product_id, line.count, line.category);
    }
  });

  return {
    record: async (events, stock) => {
      // Read before the transaction: an invalid event writes nothing.
      const signals = readInterestSignals(events, stock);
      if (signals.length > 0) recordAll.immediate(signals);
    },
    listInterested: async (productId, query) => {
      const read = readInterestedQuery(productId, query);
      const statement = read.query.outOfStockOnly ? sql.listOutOfStock : sql.listInterested;
      // One row more than the page says whether there is a next page.
      const rows = statement.all({ product: read.productId, since: read.query.since, first: read.after?.first_interest_at ?? null, identity: read.after?.identity ?? null, limit: read.query.limit + 1, now: now() });
      const interests = rows.slice(0, read.query.limit).map((row) => toProductInterest(readRecord(row)));
      const last = interests[interests.length - 1];
      return { interests, next: rows.length > read.query.limit && last ? encodeInterestCursor(last) : null };
    },
    getInterests: async (identities, productIds) => {
      const products = productIds && new Set(productIds);
      const at = now();
      const records = [...new Set(identities)].flatMap((identity) => sql.ofIdentity.all(identity, at).map(readRecord));
      return sortInterests(records.filter((record) => !products || products.has(record.product_id)).map(toProductInterest));
    },
    getCoViews: async (productIds) => {
      const found = new Map<string, CoView[]>();
      for (const id of new Set(productIds)) {
        const list = readCoViews(id);
        if (list.length > 0) found.set(id, list);
      }
      return found;
    },
    getBestSellers: async (query) => {
      const { category, limit } = readBestSellersQuery(query);
      return category === null ? sql.bestSellers.all(limit) : sql.bestSellersOf.all(category, limit);
    },
    pruneExpired: async (options = {}) => {
      const limit = options.batchSize ?? PRUNE_BATCH;
      const at = now();
      let deleted = 0;
      for (;;) {
        const { changes } = db.transaction(() => sql.pruneBatch.run({ now: at, limit })).immediate();
        deleted += changes;
        if (changes < limit) return deleted;
        // Let deliveries and requests in between batches: the recorder shares this file's lock.
        await new Promise((resolve) => setImmediate(resolve));
        if (!db.open) return deleted;
      }
    },
    close: async () => {
      if (ownsDb && db.open) db.close();
    },
  };
}

/**
 * Files made before retention have no expire_at: the column is added, then every row gets the
 * expiry its record implies (latest activity + retention), a batch per transaction, before the
 * store answers anything — once per file, at start-up, before the host listens.
 */
function addExpiry(db: Database.Database, retentionMs: number): void {
  const hasColumn = () => db.prepare<[], { name: string }>("SELECT name FROM pragma_table_info('product_interests')").all().some((column) => column.name === 'expire_at');
  if (!hasColumn()) {
    db.transaction(() => {
      if (!hasColumn()) db.exec('ALTER TABLE product_interests ADD COLUMN expire_at TEXT');
    }).immediate();
  }
  db.exec(EXPIRY_INDEX);
  const missing = db.prepare<[number], { product_id: string; identity: string; doc: string }>('SELECT product_id, identity, doc FROM product_interests WHERE expire_at IS NULL LIMIT ?');
  const set = db.prepare('UPDATE product_interests SET expire_at = ? WHERE product_id = ? AND identity = ? AND expire_at IS NULL');
  const backfill = db.transaction(() => {
    const rows = missing.all(BACKFILL_BATCH);
    for (const row of rows) set.run(interestExpireAt(StoredProductInterest.parse(JSON.parse(row.doc)), retentionMs), row.product_id, row.identity);
    return rows.length;
  });
  while (backfill.immediate() === BACKFILL_BATCH);
}
