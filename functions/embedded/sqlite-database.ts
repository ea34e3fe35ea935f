import Database from 'better-sqlite3';

/**
 * Opens (creating) one of the embedded runtime's SQLite files (bus, profiles, catalog) with the
 * pragmas they all rely on:
 * - journal_mode=WAL + synchronous=NORMAL: a commit survives a crash of the process without an
 *   fsync per commit (only an OS crash or power loss can lose the last commits). That is the
 *   embedded runtime's durability promise, and what lets publish answer fast.
 * - busy_timeout: the CLI (dead-letters, publish) opens the same files while the host runs, so a
 *   handle that finds the write lock taken waits for it instead of failing with SQLITE_BUSY.
 */
export function openSqliteDatabase(path: string): Database.Database {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  return db;
}
