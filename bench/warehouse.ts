import { DuckDBInstance, DuckDBTimestampTZValue } from '@duckdb/node-api';
import { fork } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadReconcileSql } from '../functions/reconcile/load-reconcile-sql.ts';
import { createSqliteProfileStore } from '../functions/embedded/sqlite-profile-store.ts';
import type { BigQueryCase } from '../functions/embedded/warehouse/answers/bigquery-case.ts';
import { translateStatements } from '../functions/embedded/warehouse/bigquery-to-duckdb.ts';
import { duckDbWarehouseDefaults, openDuckDbWarehouse } from '../functions/embedded/warehouse/duckdb-warehouse.ts';
import type { NudgeEvent } from '../pipelines/events/nudge-event.ts';
import { makeEvent } from '../pipelines/profiles/event-fixtures.ts';
import { createFoldEvents, createPersonIdFactory } from '../pipelines/profiles/fold-events.ts';
import type { Profile } from '../pipelines/profiles/profile.ts';
import { recordingIdentityLinks } from '../pipelines/profiles/record-identity-links.ts';
import { runReconciliation } from '../pipelines/reconcile/run-reconciliation.ts';
import { createManualClock } from '../pipelines/shared/clock.ts';

// Issue 8's warehouse work, measured (DESIGN.md §7: ratios to a baseline of the same run).
// 1. Nightly reconciliation on the embedded adapters (SQLite profiles, DuckDB warehouse) against the
//    floor of the same I/O: walking every profile with listProfiles plus one GROUP BY pass over events.
// 2. The BigQuery → DuckDB translator: translations/s of real analyst SQL, and warehouse.query of a small
//    query against the same DuckDB SQL run directly through @duckdb/node-api.
// Each reconciliation phase runs in its own child process (this file, forked) so its peak RSS is its own.

const seededAt = '2026-03-01T10:00:00.000Z';
const reconcileAt = '2026-03-02T03:00:00.000Z';
/** One person in this many is corrupted after the fold (a lost order, a wrong counter or a stale cart, in turn). */
const corruptEvery = 10;

type Phase = 'baseline' | 'dry-run' | 'fix';
type PhaseResult = { phase: Phase; seconds: number; people: number; peakRssMb: number; peopleWithDiffs?: number; fixesApplied?: number; fixesSkipped?: number; notFixable?: number };

export type ReconcileFigures = { people: number; events: number; corrupted: number; seedSeconds: number; rounds: PhaseResult[][] };

/** Seeds `people` shoppers once, then per round: baseline, dry run, fixing run, each in a fresh process on a fresh copy of the seeded files. */
export async function measureReconciliation(options: { people: number; rounds: number }): Promise<ReconcileFigures> {
  const root = mkdtempSync(join(tmpdir(), 'nudge-bench-reconcile-'));
  try {
    const seedDir = join(root, 'seed');
    mkdirSync(seedDir);
    const seeded = await runChild<{ events: number; corrupted: number; seconds: number }>(['seed', seedDir, String(options.people)]);
    const rounds: PhaseResult[][] = [];
    for (let round = 0; round < options.rounds; round++) {
      const dir = join(root, `round-${round}`);
      cpSync(seedDir, dir, { recursive: true });
      const results: PhaseResult[] = [];
      for (const phase of ['baseline', 'dry-run', 'fix'] as const) results.push(await runChild<PhaseResult>([phase, dir]));
      rounds.push(results);
      rmSync(dir, { recursive: true, force: true });
    }
    return { people: options.people, events: seeded.events, corrupted: seeded.corrupted, seedSeconds: seeded.seconds, rounds };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

function runChild<T>(args: string[]): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), args, { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let result: T | undefined;
    child.on('message', (message) => (result = message as T));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 && result !== undefined ? resolve(result) : reject(new Error(`bench/warehouse.ts ${args[0]} exited with ${code}`))));
  });
}

const openAdapters = async (dir: string) => ({
  store: createSqliteProfileStore({ database: join(dir, 'profiles.db') }),
  warehouse: await openDuckDbWarehouse({ dataDir: dir }),
});

/** Each person: identify with consent, a view, an add, an order of it, then another add (an open cart). */
function eventsOf(i: number, next: () => string): NudgeEvent[] {
  const who = { anonymous_id: `anon-${i}`, user_id: `u-${i}`, email: `shopper-${i}@example.com` };
  const at = (minute: number) => new Date(Date.parse(seededAt) - 86_400_000 + (i % 600) * 60_000 + minute * 1000).toISOString();
  const event = (kind: NudgeEvent['kind'], second: number, properties: Record<string, unknown> = {}, traits: Record<string, unknown> = {}) =>
    makeEvent(kind, { event_id: next(), ...who, occurred_at: at(second), received_at: at(second), properties, traits, ...(kind === 'identify' ? { type: 'identify' as const } : {}) });
  const sku = `sku-${i % 97}`;
  return [
    event('identify', 0, {}, { email: who.email, email_marketing_consent: true }),
    event('product_viewed', 1, { product_id: sku }),
    event('product_added', 2, { product_id: sku, price: 19.5, quantity: 1 }),
    event('order_completed', 3, { order_id: `o-${i}`, total: 19.5, products: [{ product_id: sku, price: 19.5, quantity: 1 }] }),
    event('product_added', 4, { product_id: `sku-${(i + 1) % 97}`, price: 7 }),
  ];
}

async function seed(dir: string, people: number) {
  const started = performance.now();
  const clock = createManualClock(seededAt);
  const { store, warehouse } = await openAdapters(dir);
  const folding = createFoldEvents({ store, clock, newPersonId: createPersonIdFactory(clock) });
  const fold = recordingIdentityLinks(folding, { clock, facts: { insertRows: (table, rows) => warehouse.insertRows(table, rows) } });
  let nextId = 0;
  const next = () => `bench-evt-${String(nextId++).padStart(8, '0')}`;
  let events = 0;
  const lost: NudgeEvent[] = [];
  const perFold = 40; // people per fold transaction (200 events, within the store's 500 writes a transaction)
  for (let first = 0; first < people; first += perFold) {
    const batch: NudgeEvent[] = [];
    const toWarehouse: NudgeEvent[] = [];
    for (let i = first; i < Math.min(people, first + perFold); i++) {
      const own = eventsOf(i, next);
      // Every 30th person (one corrupted in three) lost their order: in the history, never folded.
      if (i % (corruptEvery * 3) === 0) lost.push(own[3]!);
      const folded = i % (corruptEvery * 3) === 0 ? own.filter((e) => e !== own[3]) : own;
      batch.push(...folded);
      toWarehouse.push(...own);
    }
    events += toWarehouse.length;
    await warehouse.insertEvents(toWarehouse);
    await fold(batch);
  }
  // The other corrupted people: a wrong counter, or a stale cart (the open cart emptied).
  let corrupted = lost.length;
  clock.set('2026-03-01T12:00:00.000Z');
  for (let i = corruptEvery; i < people; i += corruptEvery) {
    if (i % (corruptEvery * 3) === 0) continue;
    const personId = await store.findPersonId(`user:u-${i}` as never);
    if (!personId) throw new Error(`no person for u-${i}`);
    await store.transact(async (tx) => {
      const profile = (await tx.getProfiles([personId])).get(personId);
      if (!profile) throw new Error(`no profile ${personId}`);
      const changed: Profile = i % (corruptEvery * 3) === corruptEvery ? { ...profile, orders: { ...profile.orders, count: 5 } } : { ...profile, cart: profile.cart ? { ...profile.cart, items: [] } : null };
      tx.putProfile({ ...changed, version: profile.version + 1 });
    });
    corrupted++;
  }
  await store.close();
  await warehouse.close();
  return { events, corrupted, seconds: (performance.now() - started) / 1000 };
}

const peakRssMb = () => process.resourceUsage().maxRSS / 1024;

async function runPhase(phase: Phase, dir: string): Promise<PhaseResult> {
  const { store, warehouse } = await openAdapters(dir);
  const clock = createManualClock(reconcileAt);
  try {
    if (phase === 'baseline') {
      // The floor is short, so it is taken three times and the median kept.
      const passes: { seconds: number; people: number }[] = [];
      for (let pass = 0; pass < 3; pass++) {
        const started = performance.now();
        let people = 0;
        let after: string | null = null;
        do {
          const page = await store.listProfiles({ after, limit: 200 });
          people += page.profiles.length;
          after = page.next;
        } while (after !== null);
        const counts = await warehouse.query('SELECT user_id, COUNT(*) AS n FROM nudge.events GROUP BY user_id');
        if (counts.length === 0) throw new Error('no events');
        passes.push({ seconds: (performance.now() - started) / 1000, people });
      }
      const median = passes.sort((a, b) => a.seconds - b.seconds)[1]!;
      return { phase, ...median, peakRssMb: peakRssMb() };
    }
    const started = performance.now();
    let runIds = 0;
    const run = await runReconciliation({ store, warehouse, clock, sql: loadReconcileSql(), newRunId: () => `bench-${phase}-${++runIds}` }, { dryRun: phase === 'dry-run' });
    return {
      phase,
      seconds: (performance.now() - started) / 1000,
      people: run.people_checked,
      peakRssMb: peakRssMb(),
      peopleWithDiffs: run.people_with_diffs,
      fixesApplied: run.fixes_applied,
      fixesSkipped: run.fixes_skipped,
      notFixable: run.not_fixable,
    };
  } finally {
    await store.close();
    await warehouse.close();
  }
}

// ---- Translation -------------------------------------------------------------------------------

export type TranslationFigures = {
  queries: number;
  refused: number;
  statements: number;
  translationsPerSecond: number;
  microsPerQuery: number;
  slowest: { name: string; micros: number };
  small: { sql: string; warehouseMicros: number; directMicros: number; rows: number };
};

/** The analyst SQL: every view of sql/views and every case of the answers tests that the translator accepts. */
async function analystQueries(): Promise<{ queries: { name: string; sql: string }[]; refused: number }> {
  const views = readdirSync('sql/views').filter((f) => f.endsWith('.sql')).sort().map((f) => ({ name: `sql/views/${f}`, sql: readFileSync(join('sql/views', f), 'utf8') }));
  const answersDir = 'functions/embedded/warehouse/answers';
  const cases: { name: string; sql: string }[] = [];
  for (const file of readdirSync(answersDir).filter((f) => f.endsWith('.cases.ts')).sort()) {
    const module = (await import(pathToFileURL(join(process.cwd(), answersDir, file)).href)) as { bigQueryCases: BigQueryCase[] };
    cases.push(...module.bigQueryCases.map((c) => ({ name: `${file}: ${c.name}`, sql: c.sql })));
  }
  const translatable = [...views, ...cases].filter((q) => {
    try {
      translateStatements(q.sql, { nameColumns: true });
      return true;
    } catch {
      return false;
    }
  });
  return { queries: translatable, refused: views.length + cases.length - translatable.length };
}

export async function measureTranslation(options: { seconds: number }): Promise<TranslationFigures> {
  const { queries, refused } = await analystQueries();
  const translateAll = () => {
    let statements = 0;
    for (const q of queries) statements += translateStatements(q.sql, { nameColumns: true }).length;
    return statements;
  };
  const statements = translateAll();
  for (let i = 0; i < 20; i++) translateAll(); // warm-up: JIT
  let passes = 0;
  const started = performance.now();
  while (performance.now() - started < options.seconds * 1000) {
    translateAll();
    passes++;
  }
  const elapsed = (performance.now() - started) / 1000;
  const translations = passes * queries.length;
  // The slowest query, alone.
  const perQuery = queries.map((q) => {
    const t0 = performance.now();
    for (let i = 0; i < 50; i++) translateStatements(q.sql, { nameColumns: true });
    return { name: q.name, micros: ((performance.now() - t0) * 1000) / 50 };
  });
  const slowest = perQuery.reduce((a, b) => (b.micros > a.micros ? b : a));
  return { queries: queries.length, refused, statements, translationsPerSecond: translations / elapsed, microsPerQuery: (elapsed * 1e6) / translations, slowest, small: await measureSmallQuery(options.seconds) };
}

/** A small analyst query: through warehouse.query (translate, bind, run, BigQuery-shaped rows) vs the DuckDB SQL run directly, alternated. */
async function measureSmallQuery(seconds: number) {
  const dir = mkdtempSync(join(tmpdir(), 'nudge-bench-query-'));
  try {
    const seeding = await openDuckDbWarehouse({ dataDir: dir });
    let nextId = 0;
    await seeding.insertEvents(Array.from({ length: 1000 }, (_, i) => eventsOf(i, () => `q-evt-${nextId++}`)).flat());
    await seeding.close();
    const bigQuery = 'SELECT kind, COUNT(*) AS events, COUNT(DISTINCT user_id) AS people FROM nudge.events WHERE received_at >= @since GROUP BY kind ORDER BY kind';
    const translated = translateStatements(bigQuery, { nameColumns: true })[0]!.sql;
    const since = new Date('2026-02-28T00:00:00.000Z');
    const sliceMs = (seconds * 1000) / 4;
    // One DuckDB instance holds the file at a time, so the two take turns: warehouse, direct, direct, warehouse.
    const viaWarehouse = async () => {
      const warehouse = await openDuckDbWarehouse({ dataDir: dir });
      try {
        return await timed(sliceMs, async () => (await warehouse.query(bigQuery, { since })).length);
      } finally {
        await warehouse.close();
      }
    };
    const direct = async () => {
      // The warehouse's own instance settings and session time zone; the parameter bound as the warehouse binds a Date.
      const instance = await DuckDBInstance.create(join(dir, 'warehouse.duckdb'), { checkpoint_threshold: duckDbWarehouseDefaults.checkpointThreshold, memory_limit: duckDbWarehouseDefaults.memoryLimit });
      const sinceValue = new DuckDBTimestampTZValue(BigInt(since.getTime()) * 1000n);
      const connection = await instance.connect();
      try {
        await connection.run("SET TimeZone = 'UTC'");
        return await timed(sliceMs, async () => (await connection.runAndReadAll(translated, { since: sinceValue })).getRowObjectsJson().length);
      } finally {
        connection.closeSync();
        instance.closeSync();
      }
    };
    const [w1, d1, d2, w2] = [await viaWarehouse(), await direct(), await direct(), await viaWarehouse()];
    if (w1.rows !== d1.rows || w1.rows === 0) throw new Error(`row counts differ: ${w1.rows} vs ${d1.rows}`);
    return { sql: bigQuery, warehouseMicros: (w1.micros + w2.micros) / 2, directMicros: (d1.micros + d2.micros) / 2, rows: w1.rows };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs `work` back to back for `ms` after a 300 ms warm-up; µs per call, and the rows of the last one. */
async function timed(ms: number, work: () => Promise<number>) {
  const warmUp = performance.now();
  while (performance.now() - warmUp < 300) await work();
  let count = 0;
  let rows = 0;
  const started = performance.now();
  while (performance.now() - started < ms) {
    rows = await work();
    count++;
  }
  return { micros: ((performance.now() - started) * 1000) / count, rows };
}

// ---- Child process entry -----------------------------------------------------------------------

if (process.argv[1] === fileURLToPath(import.meta.url) && process.send) {
  const [phase, dir, people] = process.argv.slice(2);
  const result = phase === 'seed' ? await seed(dir!, Number(people)) : await runPhase(phase as Phase, dir!);
  process.send(result);
  process.disconnect();
}
