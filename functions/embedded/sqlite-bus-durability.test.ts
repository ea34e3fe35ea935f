import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ReceivedMessage } from '../../pipelines/events/bus.ts';
import { createSqliteBus, type SqliteBusSubscription } from './sqlite-bus.ts';
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

  test('messages published before a clean restart are delivered after it', async () => {
    const first = openSqliteDatabase(path);
    const before = createSqliteBus({ db: first, subscriptions: [collecting([])] }); // never started
    await before.publish('events-priority', [msg('a'), msg('b')]);
    first.close();

    const db = openSqliteDatabase(path);
    const got: ReceivedMessage[] = [];
    const bus = createSqliteBus({ db, subscriptions: [collecting(got)] });
    bus.start();
    await bus.whenIdle();
    await bus.stop();
    db.close();
    assert.deepEqual(got.map((m) => m.data.toString()).sort(), ['a', 'b']);
    assert.ok(got.every((m) => m.deliveryAttempt === 1));
  });

  test('after SIGKILL, acknowledged publishes survive and leased deliveries are redelivered at start', async () => {
    // The child publishes 40 messages, then leases some to a handler that never answers, and is killed.
    const child = spawn(
      process.execPath,
      [
        '--import', 'tsx', '--input-type=module', '-e',
        `
        const { createSqliteBus } = await import(${JSON.stringify(new URL('./sqlite-bus.ts', import.meta.url).href)});
        const { openSqliteDatabase } = await import(${JSON.stringify(new URL('./sqlite-database.ts', import.meta.url).href)});
        const bus = createSqliteBus({
          db: openSqliteDatabase(${JSON.stringify(path)}),
          subscriptions: [{ name: 'work', topic: 'events-priority', maxOutstanding: 5, onMessage: (m) => {
            process.stdout.write('leased ' + m.data.toString() + '\\n');
            return new Promise(() => {});
          } }],
        });
        await bus.publish('events-priority', Array.from({ length: 40 }, (_, i) => ({ data: Buffer.from('m' + i), attributes: {} })));
        process.stdout.write('published\\n');
        bus.start();
        setInterval(() => {}, 1000);
        `,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'], cwd: process.cwd() },
    );
    const leased = new Set<string>();
    let published = false;
    await new Promise<void>((resolve, reject) => {
      let buffered = '';
      child.stdout.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) {
          if (line === 'published') published = true;
          if (line.startsWith('leased ')) leased.add(line.slice('leased '.length));
        }
        if (published && leased.size === 5) resolve();
      });
      child.once('exit', (code) => reject(new Error(`child exited early (${code})`)));
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;

    const db = openSqliteDatabase(path);
    const got: ReceivedMessage[] = [];
    const bus = createSqliteBus({ db, subscriptions: [collecting(got)], onError: () => {} });
    bus.start();
    await bus.whenIdle(); // real clock, default 60 s ack deadline: only "redeliver at start" gets here
    await bus.stop();
    const attemptOf = new Map(got.map((m) => [m.data.toString(), m.deliveryAttempt]));
    assert.equal(got.length, 40, 'every message delivered exactly once');
    assert.equal(attemptOf.size, 40);
    for (const [text, attempt] of attemptOf) assert.equal(attempt, leased.has(text) ? 2 : 1, `attempt of ${text}`);
    assert.equal(bus.stats().subscriptions[0]?.backlog, 0);
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
