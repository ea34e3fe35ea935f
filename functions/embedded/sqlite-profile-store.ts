import { AsyncLocalStorage } from 'node:async_hooks';
import type Database from 'better-sqlite3';
import type { JourneyTimer } from '../../pipelines/journeys/journey-timer.ts';
import type { IdentityKey } from '../../pipelines/profiles/identity-key.ts';
import type { Profile } from '../../pipelines/profiles/profile.ts';
import { requirePageLimit, type ProfileStore, type ProfileTx } from '../../pipelines/profiles/profile-store.ts';
import { createTxBuffer, requireTimerLimit, type BufferedWrites, type TxBuffer } from '../../pipelines/profiles/profile-tx-rules.ts';
import { openSqliteDatabase } from './sqlite-database.ts';

/**
 * The embedded ProfileStore (DESIGN.md §5): four SQLite tables in NUDGE_DATA_DIR (profiles,
 * identities, applied_events, journey_timers).
 *
 * Concurrency: transactions on one store are serialised in-process (better-sqlite3 is
 * synchronous, but `work` is async, so two calls could otherwise interleave their reads and
 * writes). A second handle on the same file (another process, the CLI) is caught at commit:
 * every value read is re-checked inside BEGIN IMMEDIATE and, if any changed, the writes are
 * dropped and `work` runs again — the same contract Firestore's optimistic retries give.
 *
 * Firestore's rules are enforced here too (reads before writes, at most 500 writes, only
 * values Firestore can store: pipelines/profiles/profile-tx-rules.ts, shared with the
 * Firestore adapter), so code that passes embedded also passes on GCP.
 */

/** Applied-event markers older than this are pruned. Redeliveries come within minutes to days
 * (the bus's backoff, Pub/Sub's 7-day retention), so 30 days keeps every realistic duplicate
 * recognisable while the table stays bounded. Matches the Firestore TTL (expire_at). */
export const APPLIED_EVENT_RETENTION_DAYS = 30;
export { MAX_WRITES_PER_TRANSACTION } from '../../pipelines/profiles/profile-tx-rules.ts';
const DAY_MS = 24 * 60 * 60 * 1000;

export type SqliteProfileStoreDeps = {
  /** An open handle (its owner sets pragmas and closes it) or a file path the store opens with
   * WAL + synchronous=NORMAL and closes in close(). ':memory:' works for tests. */
  database: Database.Database | string;
  /** How often `work` may run when another handle keeps changing what it read. Default 10. */
  maxAttempts?: number;
};

export type SqliteProfileStore = ProfileStore & {
  close: () => Promise<void>;
  /** Deletes applied-event markers older than `retentionDays` before `now`; returns how many. */
  pruneAppliedEvents: (now: Date, retentionDays?: number) => number;
};

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS profiles (person_id TEXT PRIMARY KEY, doc TEXT NOT NULL, version INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS identities (key TEXT PRIMARY KEY, person_id TEXT NOT NULL);
  CREATE INDEX IF NOT EXISTS identities_by_person ON identities (person_id);
  CREATE TABLE IF NOT EXISTS applied_events (event_id TEXT PRIMARY KEY, person_id TEXT NOT NULL, applied_at INTEGER NOT NULL);
  CREATE INDEX IF NOT EXISTS applied_events_by_time ON applied_events (applied_at);
  -- due_at is epoch ms: ISO strings of different precision would not sort as text.
  CREATE TABLE IF NOT EXISTS journey_timers (timer_id TEXT PRIMARY KEY, person_id TEXT NOT NULL, due_at INTEGER NOT NULL, doc TEXT NOT NULL);
  CREATE INDEX IF NOT EXISTS journey_timers_by_due ON journey_timers (due_at, timer_id);
  CREATE INDEX IF NOT EXISTS journey_timers_by_person ON journey_timers (person_id);
`;

export function createSqliteProfileStore(deps: SqliteProfileStoreDeps): SqliteProfileStore {
  const ownsDb = typeof deps.database === 'string';
  const db = typeof deps.database === 'string' ? openSqliteDatabase(deps.database) : deps.database;
  db.exec(SCHEMA);
  const maxAttempts = deps.maxAttempts ?? 10;
  const sql = {
    profileDoc: db.prepare<[string], { doc: string }>('SELECT doc FROM profiles WHERE person_id = ?'),
    profilePage: db.prepare<[string, number], { person_id: string; doc: string }>('SELECT person_id, doc FROM profiles WHERE person_id > ? ORDER BY person_id LIMIT ?'),
    personOfKey: db.prepare<[string], { person_id: string }>('SELECT person_id FROM identities WHERE key = ?'),
    applied: db.prepare<[string], { one: number }>('SELECT 1 AS one FROM applied_events WHERE event_id = ?'),
    putProfile: db.prepare(
      'INSERT INTO profiles (person_id, doc, version) VALUES (?, ?, ?) ON CONFLICT (person_id) DO UPDATE SET doc = excluded.doc, version = excluded.version',
    ),
    link: db.prepare('INSERT INTO identities (key, person_id) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET person_id = excluded.person_id'),
    markApplied: db.prepare(
      'INSERT INTO applied_events (event_id, person_id, applied_at) VALUES (?, ?, ?) ON CONFLICT (event_id) DO UPDATE SET person_id = excluded.person_id, applied_at = excluded.applied_at',
    ),
    timerDoc: db.prepare<[string], { doc: string }>('SELECT doc FROM journey_timers WHERE timer_id = ?'),
    dueTimers: db.prepare<[number, number], { doc: string }>('SELECT doc FROM journey_timers WHERE due_at <= ? ORDER BY due_at, timer_id LIMIT ?'),
    personTimers: db.prepare<[string], { doc: string }>('SELECT doc FROM journey_timers WHERE person_id = ? ORDER BY due_at, timer_id'),
    putTimer: db.prepare(
      'INSERT INTO journey_timers (timer_id, person_id, due_at, doc) VALUES (?, ?, ?, ?) ON CONFLICT (timer_id) DO UPDATE SET person_id = excluded.person_id, due_at = excluded.due_at, doc = excluded.doc',
    ),
    deleteTimer: db.prepare('DELETE FROM journey_timers WHERE timer_id = ?'),
  };
  const readDoc = (id: string) => sql.profileDoc.get(id)?.doc ?? null;
  const readPerson = (key: string) => sql.personOfKey.get(key)?.person_id ?? null;
  const readApplied = (id: string) => sql.applied.get(id) !== undefined;
  const readTimer = (id: string) => sql.timerDoc.get(id)?.doc ?? null;

  /** Applies the buffered writes if nothing read has changed since; false means "run again". */
  const commit = db.transaction((seen: Seen, writes: BufferedWrites): boolean => {
    for (const [id, doc] of seen.profiles) if (readDoc(id) !== doc) return false;
    for (const [key, person] of seen.identities) if (readPerson(key) !== person) return false;
    for (const [id, applied] of seen.applied) if (readApplied(id) !== applied) return false;
    for (const [id, doc] of seen.timers) if (readTimer(id) !== doc) return false;
    for (const [id, profile] of writes.profiles) sql.putProfile.run(id, JSON.stringify(profile), profile.version);
    for (const [key, person] of writes.identities) sql.link.run(key, person);
    for (const [id, { personId, at }] of writes.applied) sql.markApplied.run(id, personId, at);
    for (const [id, timer] of writes.timers) {
      if (timer) sql.putTimer.run(id, timer.person_id, Date.parse(timer.due_at), JSON.stringify(timer));
      else sql.deleteTimer.run(id);
    }
    return true;
  });

  const inTransaction = new AsyncLocalStorage<true>();
  let queue: Promise<unknown> = Promise.resolve();
  const serialise = <T>(run: () => Promise<T>): Promise<T> => {
    const result = queue.then(run);
    queue = result.catch(() => undefined);
    return result;
  };

  const runAttempts = async <T>(work: (tx: ProfileTx) => Promise<T>): Promise<T> => {
    for (let n = 1; n <= maxAttempts; n++) {
      const seen: Seen = { profiles: new Map(), identities: new Map(), applied: new Map(), timers: new Map() };
      const buffer = createTxBuffer();
      const result = await work(createTx(buffer, seen, { readDoc, readPerson, readApplied, readTimer }));
      if (commit.immediate(seen, buffer.finish())) return result;
    }
    throw new Error(`ProfileStore transaction gave up after ${maxAttempts} attempts: another writer kept changing the same profiles`);
  };

  return {
    transact: (work) => {
      // Serialised transactions would wait on themselves forever; say so instead of hanging.
      if (inTransaction.getStore()) return Promise.reject(new Error('ProfileStore.transact called inside another transact on the same store'));
      return serialise(() => inTransaction.run(true, () => runAttempts(work)));
    },
    getProfile: async (personId) => {
      const doc = readDoc(personId);
      return doc === null ? null : (JSON.parse(doc) as Profile);
    },
    findPersonId: async (key) => readPerson(key),
    findDueTimers: async (now, limit) => sql.dueTimers.all(now.getTime(), requireTimerLimit(limit)).map(parseTimer),
    listTimers: async (personId) => sql.personTimers.all(personId).map(parseTimer),
    listProfiles: async ({ after, limit }) => {
      const rows = sql.profilePage.all(after ?? '', requirePageLimit(limit));
      return { profiles: rows.map((row) => JSON.parse(row.doc) as Profile), next: rows.length === limit ? rows.at(-1)!.person_id : null };
    },
    pruneAppliedEvents: (now, retentionDays) => pruneAppliedEvents(db, { now, retentionDays }),
    close: async () => {
      await serialise(async () => undefined);
      if (ownsDb && db.open) db.close();
    },
  };
}

/** Deletes applied-event markers older than `retentionDays` (default 30) before `now`. */
export function pruneAppliedEvents(db: Database.Database, options: { now: Date; retentionDays?: number | undefined }): number {
  const cutoff = options.now.getTime() - (options.retentionDays ?? APPLIED_EVENT_RETENTION_DAYS) * DAY_MS;
  return db.prepare('DELETE FROM applied_events WHERE applied_at < ?').run(cutoff).changes;
}

type Readers = {
  readDoc: (id: string) => string | null;
  readPerson: (key: string) => string | null;
  readApplied: (id: string) => boolean;
  readTimer: (id: string) => string | null;
};

/** What one run of `work` read, by id (null/false: absent), to re-check at commit. */
type Seen = {
  profiles: Map<string, string | null>;
  identities: Map<string, string | null>;
  applied: Map<string, boolean>;
  timers: Map<string, string | null>;
};

const parseTimer = ({ doc }: { doc: string }) => JSON.parse(doc) as JourneyTimer;

function createTx(buffer: TxBuffer, seen: Seen, read: Readers): ProfileTx {
  return {
    resolveIdentities: async (keys) => {
      buffer.beforeRead();
      const found = new Map<IdentityKey, string>();
      for (const key of keys) {
        const person = read.readPerson(key);
        remember(seen.identities, key, person);
        if (person !== null) found.set(key, person);
      }
      return found;
    },
    getProfiles: async (personIds) => {
      buffer.beforeRead();
      const found = new Map<string, Profile>();
      for (const id of personIds) {
        const doc = read.readDoc(id);
        remember(seen.profiles, id, doc);
        if (doc !== null) found.set(id, JSON.parse(doc) as Profile);
      }
      return found;
    },
    findAppliedEvents: async (eventIds) => {
      buffer.beforeRead();
      const found = new Set<string>();
      for (const id of eventIds) {
        const applied = read.readApplied(id);
        remember(seen.applied, id, applied);
        if (applied) found.add(id);
      }
      return found;
    },
    getTimers: async (timerIds) => {
      buffer.beforeRead();
      const found = new Map<string, JourneyTimer>();
      for (const id of timerIds) {
        const doc = read.readTimer(id);
        remember(seen.timers, id, doc);
        if (doc !== null) found.set(id, parseTimer({ doc }));
      }
      return found;
    },
    putProfile: buffer.putProfile,
    linkIdentities: buffer.linkIdentities,
    markApplied: buffer.markApplied,
    putTimer: buffer.putTimer,
    deleteTimer: buffer.deleteTimer,
  };
}

/** Keeps the first value read: if a later read of the same id differs, commit must fail. */
function remember<V>(seen: Map<string, V>, id: string, value: V): void {
  if (!seen.has(id)) seen.set(id, value);
}
