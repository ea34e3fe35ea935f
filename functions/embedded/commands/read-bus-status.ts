import Database from 'better-sqlite3';

export type SubscriptionStatus = {
  subscription: string;
  topic: string;
  /** Messages not yet acked (due, waiting for a retry, or leased). */
  backlog: number;
  /** Of those, leased to a handler right now. */
  leased: number;
  /** Of those, delivered before and failed (nacked, thrown, or past the ack deadline). */
  retrying: number;
  /** Age of the oldest unacked message (now − its publish time); null when the backlog is empty. */
  oldest_unacked_age_ms: number | null;
};

export type DeadLetterCount = {
  /** refused_input: bad input a stage refused; undelivered: a bus subscription gave up. */
  kind: 'refused_input' | 'undelivered';
  /** The stage (collect, publish, profile, …) or the subscription. */
  origin: string;
  count: number;
  newest_at: string;
};

export type BusStatus = { subscriptions: SubscriptionStatus[]; dead_letters: DeadLetterCount[] };

/**
 * Messages of these subscriptions not yet acked that were published at or before `at`, read from
 * bus.db without changing it (as readBusStatus); 0 for a file without the bus tables.
 */
export function readBacklogPublishedBefore(file: string, subscriptions: readonly string[], at: Date): number {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    const tables = new Set(db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").all().map((row) => row.name));
    if (!tables.has('bus_deliveries') || !tables.has('bus_messages')) return 0;
    const count = db.prepare<[string, number], { n: number }>('SELECT COUNT(*) AS n FROM bus_deliveries d JOIN bus_messages m ON m.seq = d.seq WHERE d.subscription = ? AND m.publish_time <= ?');
    return subscriptions.reduce((sum, name) => sum + (count.get(name, at.getTime())?.n ?? 0), 0);
  } finally {
    db.close();
  }
}

/**
 * Backlog and dead letters of the embedded bus, read from bus.db without changing it: opened
 * read-only (no schema created, no migration run), so `nudge status` may run beside the host —
 * SQLite's WAL lets a reader in while the host writes — and a file from an older version is read
 * as far as its tables go.
 */
export function readBusStatus(file: string, now: Date): BusStatus {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    const tables = new Set(db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").all().map((row) => row.name));
    const nowMs = now.getTime();
    const subscriptions = tables.has('bus_subscriptions') && tables.has('bus_deliveries') && tables.has('bus_messages')
      ? db
          .prepare<[number], Omit<SubscriptionStatus, 'oldest_unacked_age_ms'> & { oldest_publish_time: number | null }>(
            `SELECT s.name AS subscription, s.topic AS topic, COUNT(d.seq) AS backlog,
                    COALESCE(SUM(d.lease_until > ?), 0) AS leased, COALESCE(SUM(d.attempts > 0), 0) AS retrying,
                    MIN(m.publish_time) AS oldest_publish_time
             FROM bus_subscriptions AS s
             LEFT JOIN bus_deliveries AS d ON d.subscription = s.name
             LEFT JOIN bus_messages AS m ON m.seq = d.seq
             GROUP BY s.name, s.topic
             ORDER BY s.name`,
          )
          .all(nowMs)
          .map(({ oldest_publish_time, ...row }) => ({ ...row, oldest_unacked_age_ms: oldest_publish_time === null ? null : Math.max(0, nowMs - oldest_publish_time) }))
      : [];
    const refused = tables.has('dead_letters')
      ? db.prepare<[], { origin: string; count: number; newest_at: string }>('SELECT stage AS origin, COUNT(*) AS count, MAX(received_at) AS newest_at FROM dead_letters GROUP BY stage').all()
      : [];
    const undelivered = tables.has('bus_dead_letters')
      ? db.prepare<[], { origin: string; count: number; newest_ms: number }>('SELECT subscription AS origin, COUNT(*) AS count, MAX(dead_lettered_at) AS newest_ms FROM bus_dead_letters GROUP BY subscription').all()
      : [];
    const deadLetters: DeadLetterCount[] = [
      ...refused.map((row) => ({ kind: 'refused_input' as const, ...row })),
      ...undelivered.map(({ newest_ms, ...row }) => ({ kind: 'undelivered' as const, ...row, newest_at: new Date(newest_ms).toISOString() })),
    ].sort((a, b) => a.kind.localeCompare(b.kind) || a.origin.localeCompare(b.origin));
    return { subscriptions, dead_letters: deadLetters };
  } finally {
    db.close();
  }
}
