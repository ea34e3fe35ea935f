import type Database from 'better-sqlite3';
import { DeadLetter, type DeadLetterStore } from '../../pipelines/events/dead-letters.ts';

/**
 * Input nudge refused, kept in SQLite (the bus's file works: the table is `dead_letters`)
 * so `nudge dead-letters` can list it. Putting the same dead_letter_id twice keeps the first.
 */
export type SqliteDeadLetterStore = DeadLetterStore & {
  /** Newest first (by received_at, then insertion). */
  list: (filter?: { limit?: number; stage?: string }) => Promise<DeadLetter[]>;
};

type Row = { dead_letter_id: string; stage: string; reason: string; errors: string; payload: string; source_id: string | null; received_at: string };

export function createSqliteDeadLetterStore(deps: { db: Database.Database }): SqliteDeadLetterStore {
  const { db } = deps;
  db.exec(`
    CREATE TABLE IF NOT EXISTS dead_letters (
      seq INTEGER PRIMARY KEY,
      dead_letter_id TEXT NOT NULL UNIQUE,
      stage TEXT NOT NULL,
      reason TEXT NOT NULL,
      errors TEXT NOT NULL,
      payload TEXT NOT NULL,
      source_id TEXT,
      received_at TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS dead_letters_stage ON dead_letters (stage, received_at);
    CREATE INDEX IF NOT EXISTS dead_letters_received ON dead_letters (received_at);
  `);
  const insert = db.prepare(
    `INSERT INTO dead_letters (dead_letter_id, stage, reason, errors, payload, source_id, received_at)
     VALUES (@dead_letter_id, @stage, @reason, @errors, @payload, @source_id, @received_at)
     ON CONFLICT (dead_letter_id) DO NOTHING`,
  );
  const columns = 'dead_letter_id, stage, reason, errors, payload, source_id, received_at';
  const listAll = db.prepare<[number], Row>(`SELECT ${columns} FROM dead_letters ORDER BY received_at DESC, seq DESC LIMIT ?`);
  const listStage = db.prepare<[string, number], Row>(`SELECT ${columns} FROM dead_letters WHERE stage = ? ORDER BY received_at DESC, seq DESC LIMIT ?`);
  const insertAll = db.transaction((records: readonly DeadLetter[]) => {
    for (const record of records) insert.run({ ...record, errors: JSON.stringify(record.errors) });
  });

  return {
    put: async (records) => {
      // Validate all first: a record the CLI could not read back must fail the caller, not hide.
      insertAll(records.map((record) => DeadLetter.parse(record)));
    },
    list: async (filter = {}) => {
      const limit = filter.limit ?? 100;
      const rows = filter.stage === undefined ? listAll.all(limit) : listStage.all(filter.stage, limit);
      return rows.map((row) => DeadLetter.parse({ ...row, errors: JSON.parse(row.errors) }));
    },
  };
}
