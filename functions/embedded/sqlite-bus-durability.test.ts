import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ReceivedMessage } from '../../pipelines/events/bus.ts';
import { createSqliteBus, type SqliteBus, type SqliteBusSubscription } from './sqlite-bus.ts';
import { openSqliteDatabase } from './sqlite-database.ts';

const msg = (text: string) => ({ data: Buffer.from(text), attributes: {} });

describe('SQLite bus durability and publishing', () => {
  let dir: string;
  let path: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'nudge-bus-durable-'));
    path = join(dir, 'bus.db');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const collecting = (got: ReceivedMessage[]): SqliteBusSubscription => ({ name: 'work', topic: 'events-priority', onMessage: async (m) => void got.push(m) });
  /**
   * Opens the bus file again, as a restarted process would, and lets a collecting bus drain it:
   * start, wait until idle, stop. The file is left open for the test to look at, then close.
   */
  const restartAndDrain = async (options: Pick<Parameters<typeof createSqliteBus>[0], 'onError'> = {}) => {
    const db = openSqliteDatabase(path);
    const got: ReceivedMessage[] = [];
    const bus = createSqliteBus({ db, subscriptions: [collecting(got)], ...options });
    bus.start();
    await bus.whenIdle();
    await bus.stop();
    return { db, bus, got };
  };

  test('messages published before a clean restart are delivered after it', async () => {
    const first = openSqliteDatabase(path);
    const before = createSqliteBus({ db: first, subscriptions: [collecting([])] }); // never started
    await before.publish('events-priority', [msg('a'), msg('b')]);
    first.close();

    const { db, got } = await restartAndDrain();
    db.close();
    assert.deepEqual(got.map((m) => m.data.toString()).sort(), ['a', 'b']);
    assert.ok(got.every((m) => m.deliveryAttempt === 1));
  });

  test('after SIGKILL, acknowledged publishes survive and leased deliveries are redelivered at start, uncounted', async () => {
    // The child publishes 40 messages, then leases some to a handler that never answers, and is killed.
    const child = startBusChild(path, { publish: 40, maxOutstanding: 5 });
    const leased = new Set<string>();
    let published = false;
    await child.readUntil((line) => {
      if (line === 'published') published = true;
      if (line.startsWith('handed ')) leased.add(line.slice('handed '.length));
      return published && leased.size === 5;
    });
    await child.kill();

    // Real clock, default 60 s ack deadline: only "redeliver at start" gets the bus idle in time.
    const { db, bus, got } = await restartAndDrain({ onError: () => {} });
    const attemptOf = new Map(got.map((m) => [m.data.toString(), m.deliveryAttempt]));
    assert.equal(got.length, 40, 'every message delivered exactly once');
    assert.equal(attemptOf.size, 40);
    assert.equal(leased.size, 5);
    // The killed process's leases were interrupted, not failed: their redelivery is attempt 1 again.
    for (const [text, attempt] of attemptOf) assert.equal(attempt, 1, `attempt of ${text}`);
    assert.equal(bus.stats().subscriptions[0]?.backlog, 0);
    db.close();
  });

  test('repeated SIGKILLs mid-delivery do not count as attempts: nothing that never failed is dead-lettered', async () => {
    // Each round a child process leases what it can to a handler that never answers and is
    // killed: more crashes than maxDeliveryAttempts (5), yet no handler ever failed.
    const rounds = 7;
    for (let round = 0; round < rounds; round++) await runUntilHandedThenKill(path, round === 0 ? 10 : 0);

    // Real clock, 60 s ack deadline: only a prompt redelivery at start gets the bus idle in time.
    const { db, bus, got } = await restartAndDrain({ onError: () => {} });
    const dead = bus.listDeadLettered('work');
    db.close();
    assert.deepEqual(dead.map((d) => [d.data.toString(), d.lastError]), [], 'no dead letters');
    assert.deepEqual(got.map((m) => m.data.toString()).sort(), Array.from({ length: 10 }, (_, i) => `m${i}`).sort(), 'each delivered once');
    assert.deepEqual([...new Set(got.map((m) => m.deliveryAttempt))], [1], 'an interrupted delivery is not a failed attempt');
  });

  test('a delivery that kills the process every time is dead-lettered after 3 crashes alone in flight; those interrupted beside it are delivered', async () => {
    const seed = openSqliteDatabase(path);
    await createSqliteBus({ db: seed, subscriptions: [collecting([])] }).publish('events-priority', ['a', 'b', 'poison', 'c', 'd'].map(msg));
    seed.close();
    // A crash simulated in-process: the handler of 'poison' "kills the process", i.e. the test
    // drops the bus and closes its file before anything else is recorded (as SIGKILL would).
    const handled = new Set<string>();
    const neverFire = { setTimeout: () => null, clearTimeout: () => {} };
    let dead: ReturnType<SqliteBus['listDeadLettered']> = [];
    let crashes = 0;
    for (let round = 0; round < 30 && dead.length === 0; round++) {
      const db = openSqliteDatabase(path);
      let crash = () => {};
      const crashed = new Promise<'crashed'>((resolve) => (crash = () => resolve('crashed')));
      const bus = createSqliteBus({
        db, timers: neverFire, onError: () => {},
        subscriptions: [{ name: 'work', topic: 'events-priority', onMessage: async (m) => {
          if (m.data.toString() !== 'poison') return void handled.add(m.data.toString());
          crash();
          return new Promise<void>(() => {});
        } }],
      });
      bus.start();
      const outcome = await Promise.race([crashed, bus.whenIdle().then(() => 'idle' as const)]);
      if (outcome === 'crashed') crashes += 1;
      else {
        dead = bus.listDeadLettered('work');
        await bus.stop();
      }
      db.close();
    }
    assert.deepEqual(dead.map((d) => [d.data.toString(), d.attempts]), [['poison', 0]], 'only the crasher is dead-lettered, with no failed attempt');
    assert.equal(dead[0]?.interruptions, crashes, 'interrupted by every crash');
    assert.match(dead[0]?.lastError ?? '', new RegExp(`interrupted ${crashes} times \\(3 of them as the only delivery in flight\\)`));
    assert.deepEqual([...handled].sort(), ['a', 'b', 'c', 'd'], 'those interrupted beside it were delivered');
  });

  test('a bus file from before interruptions were counted is migrated and its leases recovered', async () => {
    const old = openSqliteDatabase(path);
    old.exec(`
      CREATE TABLE bus_subscriptions (name TEXT PRIMARY KEY, topic TEXT NOT NULL) WITHOUT ROWID;
      CREATE TABLE bus_messages (seq INTEGER PRIMARY KEY AUTOINCREMENT, topic TEXT NOT NULL, data BLOB NOT NULL, attributes TEXT, publish_time INTEGER NOT NULL, pending INTEGER NOT NULL);
      CREATE TABLE bus_deliveries (subscription TEXT NOT NULL, seq INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at INTEGER NOT NULL, lease_until INTEGER, last_error TEXT, PRIMARY KEY (subscription, next_attempt_at, seq)) WITHOUT ROWID;
      CREATE TABLE bus_dead_letters (id INTEGER PRIMARY KEY, subscription TEXT NOT NULL, message_id TEXT NOT NULL, topic TEXT NOT NULL, data BLOB NOT NULL, attributes TEXT, publish_time INTEGER NOT NULL, attempts INTEGER NOT NULL, last_error TEXT, dead_lettered_at INTEGER NOT NULL);
      INSERT INTO bus_subscriptions VALUES ('work', 'events-priority');
      INSERT INTO bus_messages (topic, data, publish_time, pending) VALUES ('events-priority', X'6f6c64', 0, 1);
      INSERT INTO bus_deliveries VALUES ('work', 1, 1, 8000000000000, 7000000000000, 'ack deadline of 60000 ms exceeded');
      INSERT INTO bus_dead_letters (subscription, message_id, topic, data, publish_time, attempts, last_error, dead_lettered_at) VALUES ('work', '0', 'events-priority', X'6465616420', 0, 5, 'boom', 0);
    `);
    old.close();

    const { db, bus, got } = await restartAndDrain();
    assert.deepEqual(got.map((m) => [m.data.toString(), m.deliveryAttempt]), [['old', 1]], 'the lease left by the old process is redelivered, not counted');
    assert.deepEqual(bus.listDeadLettered('work').map((d) => [d.attempts, d.interruptions, d.lastError]), [[5, 0, 'boom']]);
    db.close();
  });

  test('concurrent publishes of one event-loop turn share one commit and all resolve', async () => {
    const db = openSqliteDatabase(path);
    const got: ReceivedMessage[] = [];
    const bus = createSqliteBus({ db, subscriptions: [collecting(got), { name: 'other', topic: 'events-browse', onMessage: async (m) => void got.push(m) }] });
    bus.start();
    await Promise.all([bus.publish('events-priority', [msg('1'), msg('2')]), bus.publish('events-browse', [msg('3')]), bus.publish('events-priority', [msg('4')])]);
    assert.deepEqual([bus.stats().publishCommits, bus.stats().published], [1, 4]);
    await bus.publish('events-priority', [msg('5')]);
    assert.equal(bus.stats().publishCommits, 2, 'a later turn is a new commit');
    await bus.whenIdle();
    await bus.stop();
    db.close();
    assert.deepEqual(got.map((m) => m.data.toString()).sort(), ['1', '2', '3', '4', '5']);
  });

  test('a failed commit rejects every publish of its group, and nothing of it is kept', async () => {
    const db = openSqliteDatabase(path);
    const bus = createSqliteBus({ db, subscriptions: [collecting([])] });
    db.exec(`CREATE TRIGGER refuse BEFORE INSERT ON bus_messages WHEN CAST(NEW.data AS TEXT) = 'poison' BEGIN SELECT RAISE(ABORT, 'disk says no'); END`);
    const results = await Promise.allSettled([bus.publish('events-priority', [msg('fine')]), bus.publish('events-priority', [msg('poison')])]);
    assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected']);
    assert.equal((db.prepare('SELECT COUNT(*) AS n FROM bus_messages').get() as { n: number }).n, 0);
    db.close();
  });

  test('a publish-only process fans out to the stored subscriptions; undeclared ones are dropped', async () => {
    const db = openSqliteDatabase(path);
    const host = createSqliteBus({ db, subscriptions: [collecting([]), { name: 'audit', topic: 'events-priority', onMessage: async () => {} }] });
    const publisher = createSqliteBus({ db }); // e.g. a CLI in another process: no subscriptions given
    await publisher.publish('events-priority', [msg('x')]);
    assert.throws(() => publisher.start(), /publish-only/);
    assert.deepEqual(host.stats().subscriptions.map((s) => [s.name, s.backlog]), [['audit', 1], ['work', 1]]);

    const renamed = createSqliteBus({ db, subscriptions: [collecting([])] });
    assert.deepEqual(renamed.stats().subscriptions.map((s) => [s.name, s.backlog]), [['work', 1]]);
    assert.equal((db.prepare('SELECT pending FROM bus_messages').get() as { pending: number }).pending, 1, 'the message now waits for work only');
    db.close();
  });
});

/**
 * Starts a child process on the bus file (publishing `publish` messages first) whose handler never
 * answers. It writes a line on stdout for each step: `published`, `handed <data>` per delivery, and
 * `stats {backlog, leased, dead}` every 20 ms.
 */
function startBusChild(path: string, options: { publish: number; maxOutstanding?: number }) {
  const maxOutstanding = options.maxOutstanding === undefined ? '' : `maxOutstanding: ${options.maxOutstanding}, `;
  const child = spawn(
    process.execPath,
    [
      '--import', 'tsx', '--input-type=module', '-e',
      `
      const { createSqliteBus } = await import(${JSON.stringify(new URL('./sqlite-bus.ts', import.meta.url).href)});
      const { openSqliteDatabase } = await import(${JSON.stringify(new URL('./sqlite-database.ts', import.meta.url).href)});
      const bus = createSqliteBus({
        db: openSqliteDatabase(${JSON.stringify(path)}),
        subscriptions: [{ name: 'work', topic: 'events-priority', ${maxOutstanding}onMessage: (m) => {
          process.stdout.write('handed ' + m.data.toString() + '\\n');
          return new Promise(() => {});
        } }],
      });
      await bus.publish('events-priority', Array.from({ length: ${options.publish} }, (_, i) => ({ data: Buffer.from('m' + i), attributes: {} })));
      process.stdout.write('published\\n');
      bus.start();
      setInterval(() => {
        const [s] = bus.stats().subscriptions;
        process.stdout.write('stats ' + JSON.stringify({ backlog: s.backlog, leased: s.leased, dead: s.deadLettered }) + '\\n');
      }, 20);
      `,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'], cwd: process.cwd() },
  );
  return {
    /**
     * Hands `check` every stdout line, also after it has answered: settles on its first true (resolve)
     * or throw (reject), or when the child exits (reject).
     */
    readUntil: (check: (line: string) => boolean) =>
      new Promise<void>((resolve, reject) => {
        let buffered = '';
        child.stdout.on('data', (chunk: Buffer) => {
          buffered += chunk.toString();
          const lines = buffered.split('\n');
          buffered = lines.pop() ?? '';
          try {
            for (const line of lines) if (check(line)) resolve();
          } catch (error) {
            reject(error as Error);
          }
        });
        child.once('exit', (code) => reject(new Error(`child exited early (${code})`)));
      }),
    kill: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/**
 * Runs a child on the bus file until its handler holds a delivery (or nothing can be handed: all
 * dead-lettered or acked), then SIGKILLs it. Bounded by a count of the child's status lines, not by
 * wall-clock time.
 */
async function runUntilHandedThenKill(path: string, publish: number): Promise<void> {
  const child = startBusChild(path, { publish });
  let statusLines = 0;
  await child.readUntil((line) => {
    if (line.startsWith('handed ')) return true;
    if (!line.startsWith('stats ')) return false;
    const stats = JSON.parse(line.slice('stats '.length)) as { backlog: number; leased: number; dead: number };
    if (stats.backlog === 0 || (stats.leased === 0 && stats.dead > 0)) return true;
    if (++statusLines > 500) throw new Error(`child handed nothing: ${line}`);
    return false;
  });
  await child.kill();
}
