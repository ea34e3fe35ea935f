import type Database from 'better-sqlite3';
import {
  DEFAULT_CLAIM_LEASE_MS,
  LedgerEntry,
  assertSendId,
  claimTransition,
  countsTowardsCap,
  failedTransition,
  resolveTransition,
  sentTransition,
  type ClaimMeta,
  type SendLedger,
  type SentEntry,
} from '../../pipelines/delivery/send-ledger.ts';
import { openSqliteDatabase } from './sqlite-database.ts';

/**
 * The embedded SendLedger: table `send_ledger`, one row per send_id, one column per LedgerEntry
 * field (so `nudge query`-style inspection needs no JSON).
 *
 * Each operation reads, applies the pure transition from pipelines/delivery/send-ledger.ts and
 * writes inside one BEGIN IMMEDIATE transaction: it takes the write lock before the read, so two
 * handles (two processes) claiming one send_id are serialised and only the first creates it.
 */

export type SqliteSendLedgerDeps = {
  /** An open handle (its owner sets pragmas and closes it) or a file path the ledger opens with
   * WAL + synchronous=NORMAL + busy_timeout and closes in close(). ':memory:' works for tests. */
  database: Database.Database | string;
  /** Age at which an unfinished claim counts as in doubt. Default DEFAULT_CLAIM_LEASE_MS. */
  leaseMs?: number;
};

export type SqliteSendLedger = SendLedger & { close: () => Promise<void> };

const COLUMNS = [
  'send_id',
  'campaign_id',
  'person_id',
  'step',
  'status',
  'claimed_at',
  'attempts',
  'provider',
  'provider_message_id',
  'sent_at',
  'error',
  'resolution',
  'evidence',
  'updated_at',
] as const satisfies readonly (keyof LedgerEntry)[];

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS send_ledger (
    send_id TEXT PRIMARY KEY,
    campaign_id TEXT NOT NULL,
    person_id TEXT NOT NULL,
    step INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('claimed', 'sent', 'retry', 'failed')),
    claimed_at TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    provider TEXT,
    provider_message_id TEXT,
    sent_at TEXT,
    error TEXT,
    resolution TEXT,
    evidence TEXT,
    updated_at TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS send_ledger_status_claimed_at ON send_ledger (status, claimed_at);
  CREATE INDEX IF NOT EXISTS send_ledger_person_sent_at ON send_ledger (person_id, sent_at);
`;

export function createSqliteSendLedger(deps: SqliteSendLedgerDeps): SqliteSendLedger {
  const ownsDb = typeof deps.database === 'string';
  const db = typeof deps.database === 'string' ? openSqliteDatabase(deps.database) : deps.database;
  const leaseMs = deps.leaseMs ?? DEFAULT_CLAIM_LEASE_MS;
  db.exec(SCHEMA);
  const sql = {
    get: db.prepare<[string], Record<string, unknown>>(`SELECT ${COLUMNS.join(', ')} FROM send_ledger WHERE send_id = ?`),
    put: db.prepare<Record<string, unknown>>(
      `INSERT OR REPLACE INTO send_ledger (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map((c) => `@${c}`).join(', ')})`,
    ),
    inDoubt: db.prepare<[string, number], Record<string, unknown>>(
      `SELECT ${COLUMNS.join(', ')} FROM send_ledger WHERE status = 'claimed' AND claimed_at < ? ORDER BY claimed_at, send_id LIMIT ?`,
    ),
    // sent_at is ISO 8601 UTC from toISOString(), so text order is time order.
    countSent: db.prepare<[string, string], { sent: number }>(
      `SELECT COUNT(*) AS sent FROM send_ledger WHERE person_id = ? AND sent_at >= ? AND status = 'sent'`,
    ),
    listSent: db.prepare<[string, string], SentEntry>(
      `SELECT send_id, campaign_id, step, sent_at FROM send_ledger WHERE person_id = ? AND sent_at >= ? AND status = 'sent' ORDER BY sent_at, send_id`,
    ),
    // The person's entries that may count towards the cap; countsTowardsCap decides, in one place.
    capCandidates: db.prepare<[string, string, string, string], Record<string, unknown>>(
      `SELECT ${COLUMNS.join(', ')} FROM send_ledger WHERE person_id = ? AND send_id <> ? AND ((status = 'sent' AND sent_at >= ?) OR (status = 'claimed' AND claimed_at >= ?))`,
    ),
  };
  /** Under the write lock of the claim's transaction, so concurrent claims for one person serialise. */
  const countTowardsCap = (send_id: string, meta: ClaimMeta): number => {
    if (!meta.cap) return 0;
    const since = meta.cap.since.toISOString();
    return sql.capCandidates
      .all(meta.person_id, send_id, since, since)
      .map((row) => LedgerEntry.parse(row))
      .filter((entry) => countsTowardsCap(entry, meta.cap!.since)).length;
  };
  const read = (send_id: string): LedgerEntry | null => {
    const row = sql.get.get(send_id);
    return row ? LedgerEntry.parse(row) : null;
  };
  const write = (entry: LedgerEntry | undefined) => {
    if (entry) sql.put.run(LedgerEntry.parse(entry));
  };
  /** Read-decide-write under the write lock. */
  const update = <T>(send_id: string, decide: (existing: LedgerEntry | null) => { result: T; write: LedgerEntry | undefined }): T => {
    assertSendId(send_id);
    return db
      .transaction(() => {
        const { result, write: next } = decide(read(send_id));
        write(next);
        return result;
      })
      .immediate();
  };

  return {
    claim: async (send_id, meta) =>
      update(send_id, (existing) => {
        const { outcome, write: next } = claimTransition(existing, send_id, meta, leaseMs, countTowardsCap(send_id, meta));
        return { result: outcome, write: next };
      }),
    markSent: async (send_id, meta) => update(send_id, (existing) => ({ result: undefined, write: sentTransition(existing, send_id, meta) })),
    markFailed: async (send_id, meta) => update(send_id, (existing) => ({ result: undefined, write: failedTransition(existing, send_id, meta) })),
    resolveInDoubt: async (send_id, resolution, evidence, resolvedAt) =>
      update(send_id, (existing) => {
        const next = resolveTransition(existing, send_id, resolution, evidence, resolvedAt);
        return { result: next !== undefined, write: next };
      }),
    findInDoubt: async (olderThan, limit = 100) => sql.inDoubt.all(olderThan.toISOString(), limit).map((row) => LedgerEntry.parse(row)),
    get: async (send_id) => {
      assertSendId(send_id);
      return read(send_id);
    },
    countSentSince: async (person_id, since) => sql.countSent.get(person_id, since.toISOString())?.sent ?? 0,
    listSentSince: async (person_id, since) => sql.listSent.all(person_id, since.toISOString()).map((row) => ({ ...row })),
    close: async () => {
      if (ownsDb && db.open) db.close();
    },
  };
}
