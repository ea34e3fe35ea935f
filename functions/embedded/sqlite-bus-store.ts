import type Database from 'better-sqlite3';
import type { BusMessage, ReceivedMessage } from '../../pipelines/events/bus.ts';

/**
 * The SQL side of the embedded bus: schema and every statement, prepared once. All methods are
 * synchronous (better-sqlite3) and each one that writes runs in a single transaction.
 *
 * Tables: one row per message (`bus_messages`, `pending` = deliveries still owed), one row per
 * (subscription, message) still to be acked (`bus_deliveries`), the subscription registry
 * (`bus_subscriptions`, so a publish-only process fans out like the host does) and the
 * per-subscription dead letters (`bus_dead_letters`, a copy of the message plus why it died).
 *
 * A lease moves `next_attempt_at` to `lease_until + backoff` and pre-writes "ack deadline
 * exceeded" as the last error: if the handler never answers, the row simply becomes due again
 * after the deadline plus backoff, so one range scan finds new, nacked and expired deliveries
 * alike. That scan is the primary key itself (subscription, next_attempt_at, seq): no second
 * index to maintain on every publish and ack (measured: publish is bound by B-tree inserts).
 * The dispatcher remembers each lease's `next_attempt_at`, so ack and nack address the row by
 * its full key, and an answer from an expired lease (the row has moved on) changes nothing.
 *
 * A lease counts its attempt up front (so an expiry needs no write to count). A lease still held
 * when a process starts belongs to a process that died: recovery takes that attempt back and
 * counts an interruption instead (`interruptions`), because a crash or a deploy says nothing
 * about the message. `leased_alone` marks a lease that was the only delivery in flight in the
 * process; an interruption of such a lease is also counted in `lone_interruptions`, the count
 * that is bounded (see recoverInterrupted). Only rows with interruptions are in the partial
 * index that recovery and the dispatcher's redelivery of them scan: publish and ack pay nothing.
 */
const schema = `
CREATE TABLE IF NOT EXISTS bus_subscriptions (name TEXT PRIMARY KEY, topic TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS bus_messages (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  topic TEXT NOT NULL,
  data BLOB NOT NULL,
  attributes TEXT,
  publish_time INTEGER NOT NULL,
  pending INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS bus_deliveries (
  subscription TEXT NOT NULL,
  seq INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  lease_until INTEGER,
  last_error TEXT,
  interruptions INTEGER NOT NULL DEFAULT 0,
  leased_alone INTEGER NOT NULL DEFAULT 0,
  lone_interruptions INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (subscription, next_attempt_at, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS bus_dead_letters (
  id INTEGER PRIMARY KEY,
  subscription TEXT NOT NULL,
  message_id TEXT NOT NULL,
  topic TEXT NOT NULL,
  data BLOB NOT NULL,
  attributes TEXT,
  publish_time INTEGER NOT NULL,
  attempts INTEGER NOT NULL,
  last_error TEXT,
  dead_lettered_at INTEGER NOT NULL,
  interruptions INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS bus_dead_letters_subscription ON bus_dead_letters (subscription, id);
`;

/** Columns added after files were already in use: added in place when a file lacks them. */
const addedColumns = [
  { table: 'bus_deliveries', column: 'interruptions', definition: 'INTEGER NOT NULL DEFAULT 0' },
  { table: 'bus_deliveries', column: 'leased_alone', definition: 'INTEGER NOT NULL DEFAULT 0' },
  { table: 'bus_deliveries', column: 'lone_interruptions', definition: 'INTEGER NOT NULL DEFAULT 0' },
  { table: 'bus_dead_letters', column: 'interruptions', definition: 'INTEGER NOT NULL DEFAULT 0' },
] as const;

const indexesOnAddedColumns = `
CREATE INDEX IF NOT EXISTS bus_deliveries_interrupted ON bus_deliveries (subscription, interruptions, next_attempt_at, seq) WHERE interruptions > 0;
`;

export const interruptedError = 'interrupted: the process stopped before this delivery was acked';

/** What the store needs to know about a subscription to lease and settle its deliveries. */
export type DeliveryPolicy = {
  name: string;
  ackDeadlineMs: number;
  minBackoffMs: number;
  maxBackoffMs: number;
  maxDeliveryAttempts: number;
  /** Crashes while this delivery was alone in flight before it is dead-lettered (see recoverInterrupted). */
  maxInterruptions: number;
};

/** `dueAt` is the row's next_attempt_at as this lease set it: half of the row's key. */
export type LeasedDelivery = { seq: number; dueAt: number; message: ReceivedMessage };
export type DeliveryOutcome = { seq: number; dueAt: number; attempt: number; outcome: 'ack' | 'nack'; error?: string };
/** Messages of one topic and the subscriptions that each owe a delivery of them. */
export type InsertGroup = { subscriptions: readonly string[]; topic: string; messages: readonly BusMessage[] };
export type SettleResult = { policy: DeliveryPolicy; outcome: DeliveryOutcome };

export type DeadLetteredMessage = {
  /** Key of the dead letter itself (what a replay of one names). */
  id: number;
  subscription: string;
  /** The bus message id it had when it died. */
  messageId: string;
  topic: string;
  data: Buffer;
  attributes: Record<string, string>;
  publishTime: string;
  /** Failed attempts: the handler threw, nacked or let its ack deadline pass. */
  attempts: number;
  /** Deliveries cut short by the process stopping (crash, kill): not failures, counted apart. */
  interruptions: number;
  lastError: string | null;
  deadLetteredAt: string;
};

export type ReplayedDeadLetter = { subscription: string; topic: string };

type DueRow = { seq: number; next_attempt_at: number; attempts: number; last_error: string | null; data: Buffer; attributes: string | null; publish_time: number };
type DeadRow = { id: number; subscription: string; message_id: string; topic: string; data: Buffer; attributes: string | null; publish_time: number; attempts: number; interruptions: number; last_error: string | null; dead_lettered_at: number };
type KeyRow = { seq: number; next_attempt_at: number; attempts: number; interruptions: number; lone_interruptions: number };

export function backoffMs(policy: DeliveryPolicy, attempt: number): number {
  return Math.min(policy.maxBackoffMs, policy.minBackoffMs * 2 ** Math.max(0, attempt - 1));
}

export type BusStore = ReturnType<typeof createBusStore>;

export function createBusStore(db: Database.Database) {
  db.exec(schema);
  addMissingColumns(db);
  db.exec(indexesOnAddedColumns);
  const q = {
    upsertSubscription: db.prepare('INSERT INTO bus_subscriptions (name, topic) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET topic = excluded.topic'),
    listSubscriptions: db.prepare<[], { name: string; topic: string }>('SELECT name, topic FROM bus_subscriptions ORDER BY name'),
    dropSubscription: db.prepare('DELETE FROM bus_subscriptions WHERE name = ?'),
    deliveriesOf: db.prepare<[string], { seq: number; next_attempt_at: number }>('SELECT seq, next_attempt_at FROM bus_deliveries WHERE subscription = ?'),
    insertMessage: db.prepare('INSERT INTO bus_messages (topic, data, attributes, publish_time, pending) VALUES (?, ?, ?, ?, ?)'),
    insertDelivery: db.prepare('INSERT INTO bus_deliveries (subscription, seq, next_attempt_at) VALUES (?, ?, ?)'),
    selectDue: db.prepare<[string, number, number], DueRow>(
      `SELECT d.seq, d.next_attempt_at, d.attempts, d.last_error, m.data, m.attributes, m.publish_time
         FROM bus_deliveries d JOIN bus_messages m ON m.seq = d.seq
        WHERE d.subscription = ? AND d.next_attempt_at <= ?
        ORDER BY d.next_attempt_at, d.seq LIMIT ?`,
    ),
    lowestDueInterruptions: db.prepare<[string, number], { interruptions: number }>(
      'SELECT interruptions FROM bus_deliveries WHERE subscription = ? AND interruptions > 0 AND next_attempt_at <= ? ORDER BY interruptions LIMIT 1',
    ),
    selectDueInterrupted: db.prepare<[string, number, number, number], DueRow>(
      `SELECT d.seq, d.next_attempt_at, d.attempts, d.last_error, m.data, m.attributes, m.publish_time
         FROM bus_deliveries d JOIN bus_messages m ON m.seq = d.seq
        WHERE d.subscription = ? AND d.interruptions > 0 AND d.interruptions = ? AND d.next_attempt_at <= ?
        ORDER BY d.next_attempt_at, d.seq LIMIT ?`,
    ),
    lease: db.prepare('UPDATE bus_deliveries SET attempts = ?, lease_until = ?, next_attempt_at = ?, last_error = ?, leased_alone = ? WHERE subscription = ? AND next_attempt_at = ? AND seq = ?'),
    nack: db.prepare('UPDATE bus_deliveries SET lease_until = NULL, next_attempt_at = ?, last_error = ? WHERE subscription = ? AND next_attempt_at = ? AND seq = ? AND attempts = ?'),
    deleteDelivery: db.prepare('DELETE FROM bus_deliveries WHERE subscription = ? AND next_attempt_at = ? AND seq = ?'),
    releaseMessage: db.prepare<[number], { pending: number }>('UPDATE bus_messages SET pending = pending - 1 WHERE seq = ? RETURNING pending'),
    deleteMessage: db.prepare('DELETE FROM bus_messages WHERE seq = ?'),
    deadLetter: db.prepare(
      `INSERT INTO bus_dead_letters (subscription, message_id, topic, data, attributes, publish_time, attempts, interruptions, last_error, dead_lettered_at)
       SELECT d.subscription, CAST(m.seq AS TEXT), m.topic, m.data, m.attributes, m.publish_time, d.attempts, d.interruptions, ?, ?
         FROM bus_deliveries d JOIN bus_messages m ON m.seq = d.seq
        WHERE d.subscription = ? AND d.next_attempt_at = ? AND d.seq = ? AND d.attempts = ?`,
    ),
    nextDueAt: db.prepare<[string], { at: number | null }>('SELECT MIN(next_attempt_at) AS at FROM bus_deliveries WHERE subscription = ?'),
    hasDue: db.prepare<[string, number], { one: number }>('SELECT 1 AS one FROM bus_deliveries WHERE subscription = ? AND next_attempt_at <= ? LIMIT 1'),
    // Every lease left in the file is one the dead process held (one dispatcher per file),
    // whether or not its deadline has passed since: its attempt is taken back.
    recover: db.prepare(
      `UPDATE bus_deliveries
          SET attempts = MAX(attempts - 1, 0), interruptions = interruptions + 1, lone_interruptions = lone_interruptions + leased_alone,
              leased_alone = 0, lease_until = NULL, next_attempt_at = ?, last_error = ?
        WHERE subscription = ? AND lease_until IS NOT NULL`,
    ),
    overInterrupted: db.prepare<[string, number], KeyRow>(
      'SELECT seq, next_attempt_at, attempts, interruptions, lone_interruptions FROM bus_deliveries WHERE subscription = ? AND interruptions > 0 AND lone_interruptions >= ?',
    ),
    backlog: db.prepare<[number], { subscription: string; backlog: number; leased: number }>(
      'SELECT subscription, COUNT(*) AS backlog, COALESCE(SUM(lease_until > ?), 0) AS leased FROM bus_deliveries GROUP BY subscription',
    ),
    backlogPublishedBefore: db.prepare<[string, number], { n: number }>(
      'SELECT COUNT(*) AS n FROM bus_deliveries d JOIN bus_messages m ON m.seq = d.seq WHERE d.subscription = ? AND m.publish_time <= ?',
    ),
    deadCounts: db.prepare<[], { subscription: string; n: number }>('SELECT subscription, COUNT(*) AS n FROM bus_dead_letters GROUP BY subscription'),
    listDead: db.prepare<[string, number], DeadRow>('SELECT * FROM bus_dead_letters WHERE subscription = ? ORDER BY id LIMIT ?'),
    listDeadNewest: db.prepare<[number], DeadRow>('SELECT * FROM bus_dead_letters ORDER BY id DESC LIMIT ?'),
    listDeadNewestOf: db.prepare<[string, number], DeadRow>('SELECT * FROM bus_dead_letters WHERE subscription = ? ORDER BY id DESC LIMIT ?'),
    deadById: db.prepare<[number], DeadRow>('SELECT * FROM bus_dead_letters WHERE id = ?'),
    subscriptionExists: db.prepare<[string], { one: number }>('SELECT 1 AS one FROM bus_subscriptions WHERE name = ?'),
    deleteDead: db.prepare('DELETE FROM bus_dead_letters WHERE id = ?'),
  };

  /** Drops one delivery, and its message once no subscription still owes it. */
  function removeDelivery(subscription: string, dueAt: number, seq: number): void {
    if (q.deleteDelivery.run(subscription, dueAt, seq).changes === 0) return;
    const left = q.releaseMessage.get(seq);
    if (left !== undefined && left.pending <= 0) q.deleteMessage.run(seq);
  }

  function moveToDeadLetters(subscription: string, dueAt: number, seq: number, attempts: number, error: string | null, nowMs: number): void {
    if (q.deadLetter.run(error, nowMs, subscription, dueAt, seq, attempts).changes > 0) removeDelivery(subscription, dueAt, seq);
  }

  const insertGroups = db.transaction((groups: readonly InsertGroup[], nowMs: number) => {
    for (const { subscriptions, topic, messages } of groups) {
      for (const message of messages) {
        const seq = q.insertMessage.run(topic, message.data, encodeAttributes(message.attributes), nowMs, subscriptions.length).lastInsertRowid;
        for (const subscription of subscriptions) q.insertDelivery.run(subscription, seq, nowMs);
      }
    }
  });

  const lease = db.transaction((policy: DeliveryPolicy, nowMs: number, limit: number) => {
    const rows = q.selectDue.all(policy.name, nowMs, limit);
    return { examined: rows.length, delivered: leaseRows(policy, nowMs, rows, false) };
  });

  /**
   * The next group of interrupted deliveries, for the dispatcher to run with nothing else in
   * flight. The least interrupted go first, and each interruption divides the group size by 4
   * (`limit`, then limit/4, …, then 1): a group containing a message that crashes the process
   * is split until that message runs alone, while the rest of each group is delivered and done
   * with. Empty when none is due.
   */
  const leaseInterrupted = db.transaction((policy: DeliveryPolicy, nowMs: number, limit: number): LeasedDelivery[] => {
    const lowest = q.lowestDueInterruptions.get(policy.name, nowMs);
    if (lowest === undefined) return [];
    const size = Math.max(1, Math.floor(limit / 4 ** Math.min(lowest.interruptions - 1, 30)));
    const rows = q.selectDueInterrupted.all(policy.name, lowest.interruptions, nowMs, size);
    return leaseRows(policy, nowMs, rows, rows.length === 1);
  });

  function leaseRows(policy: DeliveryPolicy, nowMs: number, rows: readonly DueRow[], alone: boolean): LeasedDelivery[] {
    const delivered: LeasedDelivery[] = [];
    for (const row of rows) {
      if (row.attempts >= policy.maxDeliveryAttempts) {
        moveToDeadLetters(policy.name, row.next_attempt_at, row.seq, row.attempts, row.last_error, nowMs);
        continue;
      }
      const attempt = row.attempts + 1;
      const leaseUntil = nowMs + policy.ackDeadlineMs;
      const expired = `ack deadline of ${policy.ackDeadlineMs} ms exceeded`;
      const dueAt = leaseUntil + backoffMs(policy, attempt);
      q.lease.run(attempt, leaseUntil, dueAt, expired, alone ? 1 : 0, policy.name, row.next_attempt_at, row.seq);
      delivered.push({
        seq: row.seq,
        dueAt,
        message: {
          data: row.data,
          attributes: decodeAttributes(row.attributes),
          messageId: String(row.seq),
          publishTime: new Date(row.publish_time).toISOString(),
          deliveryAttempt: attempt,
        },
      });
    }
    return delivered;
  }

  /**
   * A crash is not a failed attempt: the attempt is taken back and redelivered now. But a
   * message that itself kills the process (out of memory, a native crash) would then be retried
   * forever and take the process down each time, so interruptions have their own bound. It
   * counts only the crashes during which the delivery was alone in flight (lone_interruptions):
   * a crash blames every delivery in flight, and the dispatcher splits interrupted deliveries
   * into ever smaller groups until a crasher runs alone, so innocent messages interrupted
   * beside it are delivered on the way rather than dead-lettered with it. After maxInterruptions
   * lone crashes, the delivery is dead-lettered as "interrupted N times".
   */
  const recoverInterrupted = db.transaction((policy: DeliveryPolicy, nowMs: number) => {
    const recovered = q.recover.run(nowMs, interruptedError, policy.name).changes;
    let deadLettered = 0;
    for (const row of q.overInterrupted.all(policy.name, policy.maxInterruptions)) {
      const error = `interrupted ${row.interruptions} times (${row.lone_interruptions} of them as the only delivery in flight): the process stopped each time before this delivery was acked; does this message crash it?`;
      moveToDeadLetters(policy.name, row.next_attempt_at, row.seq, row.attempts, error, nowMs);
      deadLettered += 1;
    }
    return { recovered, deadLettered };
  });

  const settle = db.transaction((results: readonly SettleResult[], nowMs: number) => {
    for (const { policy, outcome } of results) {
      if (outcome.outcome === 'ack') {
        removeDelivery(policy.name, outcome.dueAt, outcome.seq);
      } else if (outcome.attempt >= policy.maxDeliveryAttempts) {
        moveToDeadLetters(policy.name, outcome.dueAt, outcome.seq, outcome.attempt, outcome.error ?? 'nacked', nowMs);
      } else {
        q.nack.run(nowMs + backoffMs(policy, outcome.attempt), outcome.error ?? 'nacked', policy.name, outcome.dueAt, outcome.seq, outcome.attempt);
      }
    }
  });

  const syncSubscriptions = db.transaction((declared: ReadonlyArray<{ name: string; topic: string }>) => {
    const keep = new Set(declared.map((s) => s.name));
    // A subscription no longer declared is deleted with its backlog, as removing it from
    // terraform would on Pub/Sub; its dead letters stay listable.
    for (const { name } of q.listSubscriptions.all()) {
      if (keep.has(name)) continue;
      for (const row of q.deliveriesOf.all(name)) removeDelivery(name, row.next_attempt_at, row.seq);
      q.dropSubscription.run(name);
    }
    for (const { name, topic } of declared) q.upsertSubscription.run(name, topic);
  });

  const replayOne = db.transaction((id: number, nowMs: number): ReplayedDeadLetter | null => {
    const row = q.deadById.get(id);
    if (row === undefined) return null;
    // Replaying into a subscription that no longer exists would strand the message.
    if (q.subscriptionExists.get(row.subscription) === undefined) throw new Error(`Unknown subscription "${row.subscription}": cannot replay dead letter ${id} into it`);
    const seq = q.insertMessage.run(row.topic, row.data, row.attributes, nowMs, 1).lastInsertRowid;
    q.insertDelivery.run(row.subscription, seq, nowMs);
    q.deleteDead.run(row.id);
    return { subscription: row.subscription, topic: row.topic };
  });

  const replay = db.transaction((subscription: string, nowMs: number, limit: number) => {
    const rows = q.listDead.all(subscription, limit);
    for (const row of rows) {
      const seq = q.insertMessage.run(row.topic, row.data, row.attributes, nowMs, 1).lastInsertRowid;
      q.insertDelivery.run(subscription, seq, nowMs);
      q.deleteDead.run(row.id);
    }
    return rows.length;
  });

  return {
    syncSubscriptions: (declared: ReadonlyArray<{ name: string; topic: string }>) => syncSubscriptions(declared),
    listSubscriptions: () => q.listSubscriptions.all(),
    insert: (groups: readonly InsertGroup[], nowMs: number) => insertGroups(groups, nowMs),
    lease: (policy: DeliveryPolicy, nowMs: number, limit: number) => lease(policy, nowMs, limit),
    leaseInterrupted: (policy: DeliveryPolicy, nowMs: number, limit: number) => leaseInterrupted(policy, nowMs, limit),
    settle: (results: readonly SettleResult[], nowMs: number) => settle(results, nowMs),
    nextDueAt: (subscription: string): number | null => q.nextDueAt.get(subscription)?.at ?? null,
    hasDue: (subscription: string, nowMs: number): boolean => q.hasDue.get(subscription, nowMs) !== undefined,
    /** Leases left at start belong to a process that died: due now, uncounted (see above). */
    recoverInterrupted: (policy: DeliveryPolicy, nowMs: number) => recoverInterrupted(policy, nowMs),
    backlog: (nowMs: number) => q.backlog.all(nowMs),
    /** Deliveries of a subscription not yet acked whose message was published at or before `atMs`. */
    backlogPublishedBefore: (subscription: string, atMs: number): number => q.backlogPublishedBefore.get(subscription, atMs)?.n ?? 0,
    deadLetterCounts: () => new Map(q.deadCounts.all().map((row) => [row.subscription, row.n])),
    listDeadLettered: (subscription: string, limit: number): DeadLetteredMessage[] => q.listDead.all(subscription, limit).map(toDeadLettered),
    /** Every subscription's (or one's), newest first. */
    listNewestDeadLettered: (limit: number, subscription?: string): DeadLetteredMessage[] =>
      (subscription === undefined ? q.listDeadNewest.all(limit) : q.listDeadNewestOf.all(subscription, limit)).map(toDeadLettered),
    /** One dead letter back on its subscription as a new message, in one transaction; null if no such id. */
    replayDeadLetter: (id: number, nowMs: number): ReplayedDeadLetter | null => replayOne(id, nowMs),
    /** Each replayed message is a new message (new id, attempts from 1) for that one subscription. */
    replayDeadLettered: (subscription: string, nowMs: number, limit: number): number => replay(subscription, nowMs, limit),
  };
}

function encodeAttributes(attributes: Record<string, string>): string | null {
  for (const _ in attributes) return JSON.stringify(attributes);
  return null;
}

function decodeAttributes(text: string | null): Record<string, string> {
  return text === null ? {} : (JSON.parse(text) as Record<string, string>);
}

/** Re-checked under the write lock, so a CLI and the host opening an old file at once add each column once. */
function addMissingColumns(db: Database.Database): void {
  const missing = () => addedColumns.filter(({ table, column }) => !db.prepare<[], { name: string }>(`SELECT name FROM pragma_table_info('${table}')`).all().some((c) => c.name === column));
  if (missing().length === 0) return;
  db.transaction(() => {
    for (const { table, column, definition } of missing()) db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${definition}`);
  }).immediate();
}

function toDeadLettered(row: DeadRow): DeadLetteredMessage {
  return {
    id: row.id,
    subscription: row.subscription,
    messageId: row.message_id,
    topic: row.topic,
    data: row.data,
    attributes: decodeAttributes(row.attributes),
    publishTime: new Date(row.publish_time).toISOString(),
    attempts: row.attempts,
    interruptions: row.interruptions,
    lastError: row.last_error,
    deadLetteredAt: new Date(row.dead_lettered_at).toISOString(),
  };
}
