import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createCaptureStream } from '../../../test/support/capture-stream.ts';
import type { Warehouse } from '../../../pipelines/warehouse/warehouse.ts';
import { createAdminQueryEntry } from '../admin-query-entry.ts';
import { writeHostFile } from '../host-file.ts';
import { createHttpHost } from '../http-host.ts';
import { createSqliteBus } from '../sqlite-bus.ts';
import { openSqliteDatabase } from '../sqlite-database.ts';
import { createSqliteDeadLetterStore } from '../sqlite-dead-letters.ts';
import { openDuckDbWarehouse } from '../warehouse/duckdb-warehouse.ts';
import { formatDuration, runStatusCommand, type NudgeStatus } from './status-command.ts';

const dirs: string[] = [];
after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'nudge-status-'));
  dirs.push(dir);
  return dir;
};

const now = new Date('2026-03-01T12:00:00.000Z');
const clock = { now: () => now };
const at = (msBeforeNow: number) => new Date(now.getTime() - msBeforeNow).toISOString();

async function status(dataDir: string, json = true) {
  const out = createCaptureStream();
  const original = console.error;
  let errors = '';
  console.error = (...args: unknown[]) => void (errors += args.join(' ') + '\n');
  try {
    const code = await runStatusCommand({ json, env: { NUDGE_DATA_DIR: dataDir } }, out, { clock });
    return { code, out: out.text(), errors, parsed: () => JSON.parse(out.text()) as NudgeStatus };
  } finally {
    console.error = original;
  }
}

const eventRow = (event_id: string, received_at: string, anonymous_id: string) => ({
  event_id, type: 'page', kind: 'page', event_name: null, anonymous_id, user_id: null, email: null, previous_id: null,
  properties: {}, traits: {}, context: {}, occurred_at: received_at, received_at, source: 'http', source_id: null,
  hops: { collected: received_at }, schema_version: 1,
});

/**
 * A data dir as the runtime leaves it: a bus with a backlog on one subscription (the oldest
 * message published 90 s before now, one delivery failed once), a refused event and a message
 * the bus gave up on; a warehouse with new browsers profiled within the last hour after
 * 100, 200, …, 2000 ms (nearest-rank p95 of 20: rank 19 → 1900 ms) and one outside the window.
 */
async function seedDataDir(dataDir: string): Promise<Warehouse> {
  const db = openSqliteDatabase(join(dataDir, 'bus.db'));
  let busNow = new Date(now.getTime() - 90_000);
  const bus = createSqliteBus({
    db,
    clock: { now: () => busNow },
    subscriptions: [
      { name: 'on-priority-event', topic: 'events-priority', onMessage: async () => {} },
      { name: 'on-browse-event', topic: 'events-browse', onMessage: async () => {} },
    ],
  });
  await bus.publish('events-priority', [{ data: Buffer.from('{"a":1}'), attributes: {} }]);
  busNow = new Date(now.getTime() - 30_000);
  await bus.publish('events-priority', [{ data: Buffer.from('{"a":2}'), attributes: {} }]);
  db.prepare("UPDATE bus_deliveries SET attempts = 1 WHERE seq = (SELECT MIN(seq) FROM bus_deliveries WHERE subscription = 'on-priority-event')").run();
  db.prepare(
    "INSERT INTO bus_dead_letters (subscription, message_id, topic, data, attributes, publish_time, attempts, interruptions, last_error, dead_lettered_at) VALUES ('on-browse-event', 'm-9', 'events-browse', x'7b7d', NULL, ?, 5, 0, 'boom', ?)",
  ).run(now.getTime() - 600_000, now.getTime() - 300_000);
  await createSqliteDeadLetterStore({ db }).put([
    { dead_letter_id: 'dl-1', stage: 'collect', reason: 'invalid event', errors: [], payload: '{}', source_id: null, received_at: at(120_000) },
    { dead_letter_id: 'dl-2', stage: 'collect', reason: 'invalid event', errors: [], payload: '{}', source_id: null, received_at: at(60_000) },
  ]);
  db.close();

  const warehouse = await openDuckDbWarehouse({ dataDir });
  const events = [];
  const links = [];
  for (let i = 1; i <= 20; i++) {
    const received = at(30 * 60_000 + i * 1000);
    events.push(eventRow(`e-${i}`, received, `a-${i}`));
    links.push({ identity_link_id: `l-${i}`, identity_kind: 'anonymous_id', identity_value: `a-${i}`, person_id: `p-${i}`, linked_at: new Date(Date.parse(received) + i * 100).toISOString() });
  }
  // Profiled two hours ago, after a minute: outside the window, must not count.
  events.push(eventRow('e-old', at(2 * 3600_000 + 60_000), 'a-old'));
  links.push({ identity_link_id: 'l-old', identity_kind: 'anonymous_id', identity_value: 'a-old', person_id: 'p-old', linked_at: at(2 * 3600_000) });
  await warehouse.insertEvents(events as never);
  await warehouse.insertRows('person_identities', links);
  return warehouse;
}

describe('nudge status', () => {
  let dataDir: string;
  before(async () => {
    dataDir = tempDir();
    const warehouse = await seedDataDir(dataDir);
    await warehouse.close();
  });

  test('backlog and oldest unacked age per subscription, dead letters per stage, lag p95, reconciliation never run', async () => {
    const result = await status(dataDir);
    assert.equal(result.errors, '');
    assert.equal(result.code, 0);
    const parsed = result.parsed();
    assert.deepEqual(parsed.host, { running: false });
    assert.deepEqual(parsed.subscriptions, [
      { subscription: 'on-browse-event', topic: 'events-browse', backlog: 0, leased: 0, retrying: 0, oldest_unacked_age_ms: null },
      { subscription: 'on-priority-event', topic: 'events-priority', backlog: 2, leased: 0, retrying: 1, oldest_unacked_age_ms: 90_000 },
    ]);
    assert.deepEqual(parsed.dead_letters, [
      { kind: 'refused_input', origin: 'collect', count: 2, newest_at: at(60_000) },
      { kind: 'undelivered', origin: 'on-browse-event', count: 1, newest_at: at(300_000) },
    ]);
    assert.deepEqual(parsed.lag, { hop: 'collected_to_profiled', window_minutes: 60, samples: 20, p95_ms: 1900 });
    assert.deepEqual(parsed.last_reconciliation, { state: 'never_run' });
  });

  test('the table says the same for a person', async () => {
    const result = await status(dataDir, false);
    assert.match(result.out, /on-priority-event\s+events-priority\s+2\s+0\s+1\s+1 min 30 s/);
    assert.match(result.out, /refused_input\s+collect\s+2/);
    assert.match(result.out, /Event → profile lag, last 60 min: p95 1\.9 s over 20 new identities/);
    assert.match(result.out, /Last reconciliation: never run/);
  });

  test('the last reconciliation, once reconciliation_runs has rows', async () => {
    const dir = tempDir();
    const warehouse = await openDuckDbWarehouse({ dataDir: dir });
    const run = (runId: string, startedAt: string, finishedAt: string, dryRun: boolean, checked: number, applied: number, skipped: number) => ({
      run_id: runId, started_at: startedAt, finished_at: finishedAt, as_of: startedAt, dry_run: dryRun, people_checked: checked, people_not_judged: 0,
      people_with_diffs: applied + skipped, diffs_by_field: {}, fixes_applied: applied, fixes_skipped: skipped, not_fixable: 0, snapshots_written: 0,
    });
    await warehouse.insertRows('reconciliation_runs', [
      run('r-1', '2026-02-28T02:00:00.000Z', '2026-02-28T02:01:00.000Z', false, 10, 1, 0),
      run('r-2', '2026-03-01T02:00:00.000Z', '2026-03-01T02:03:00.000Z', true, 1200, 0, 2),
    ]);
    await warehouse.close();
    const parsed = (await status(dir)).parsed();
    assert.deepEqual(parsed.last_reconciliation, {
      state: 'ran', run_id: 'r-2', started_at: '2026-03-01T02:00:00.000Z', finished_at: '2026-03-01T02:03:00.000Z', dry_run: true, people_checked: 1200, fixes_applied: 0, fixes_skipped: 2,
    });
    assert.deepEqual(parsed.lag, { hop: 'collected_to_profiled', window_minutes: 60, samples: 0, p95_ms: null });
    assert.deepEqual(parsed.subscriptions, [], 'no bus.db yet: no subscriptions, and none created');
    assert.ok(!readdirSync(dir).includes('bus.db'));
  });

  test('while the host runs: the warehouse through its admin query gives the same answer', async () => {
    const dir = tempDir();
    const warehouse = await seedDataDir(dir);
    const adminToken = 'status-token';
    const host = createHttpHost({ routes: [{ path: '/_nudge/query', entry: createAdminQueryEntry({ warehouse, adminToken }) }] });
    const { url } = await host.listen(0, '127.0.0.1');
    try {
      writeHostFile(dir, { pid: process.pid, url, adminToken });
      const parsed = (await status(dir)).parsed();
      assert.deepEqual(parsed.host, { running: true, url, pid: process.pid });
      assert.deepEqual(parsed.lag, { hop: 'collected_to_profiled', window_minutes: 60, samples: 20, p95_ms: 1900 });
      assert.deepEqual(parsed.last_reconciliation, { state: 'never_run' });
      assert.equal(parsed.subscriptions.find((s) => s.subscription === 'on-priority-event')?.oldest_unacked_age_ms, 90_000);
    } finally {
      await host.close();
      await warehouse.close();
    }
  });

  test('a data dir that does not exist is named and not created', async () => {
    const parent = tempDir();
    const result = await status(join(parent, 'nope'));
    assert.equal(result.code, 1);
    assert.match(result.errors, /no nudge state in .*nope/);
    assert.deepEqual(readdirSync(parent), []);
  });

  test('a data dir without a warehouse still shows the bus, and says why the lag is unknown', async () => {
    const dir = tempDir();
    const db = openSqliteDatabase(join(dir, 'bus.db'));
    createSqliteBus({ db, subscriptions: [{ name: 'on-priority-event', topic: 'events-priority', onMessage: async () => {} }] });
    db.close();
    const parsed = (await status(dir)).parsed();
    assert.equal(parsed.subscriptions.length, 1);
    assert.match((parsed.lag as { unavailable: string }).unavailable, /no warehouse in/);
    assert.ok(!readdirSync(dir).includes('warehouse.duckdb'), 'no warehouse was created to read from');
  });

  test('a data dir that is a regular file fails, naming it (exit 1, nothing on stdout)', async () => {
    const file = join(tempDir(), 'not-a-dir');
    writeFileSync(file, 'hello');
    const result = await status(file);
    assert.equal(result.code, 1);
    assert.match(result.errors, /not a directory/);
    assert.equal(result.out, '');
  });

  test('a corrupt bus.db fails (exit 1) instead of reading as an empty bus', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'bus.db'), 'this is not a SQLite database, just some bytes that are long enough to look like a header');
    const result = await status(dir, false);
    assert.equal(result.code, 1);
    assert.match(result.errors, /bus\.db/);
    assert.doesNotMatch(result.out, /\(no bus yet\)/);
  });

  test('an empty (0-byte) bus.db fails too: SQLite would read it as a database without a bus', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'bus.db'), '');
    const result = await status(dir, false);
    assert.equal(result.code, 1);
    assert.match(result.errors, /bus\.db: the file is empty/);
  });

  test('a corrupt warehouse.duckdb fails (exit 1), naming it', async () => {
    const dir = tempDir();
    const db = openSqliteDatabase(join(dir, 'bus.db'));
    createSqliteBus({ db, subscriptions: [{ name: 'on-priority-event', topic: 'events-priority', onMessage: async () => {} }] });
    db.close();
    writeFileSync(join(dir, 'warehouse.duckdb'), 'not a DuckDB file '.repeat(500));
    const result = await status(dir);
    assert.equal(result.code, 1);
    assert.match(result.errors, /warehouse/);
    assert.equal(result.parsed().subscriptions.length, 1, 'the readable parts are still shown');
  });
});

test('formatDuration', () => {
  assert.deepEqual([850, 12_340, 245_000, 7_620_000].map(formatDuration), ['850 ms', '12.3 s', '4 min 05 s', '2 h 07 min']);
});
