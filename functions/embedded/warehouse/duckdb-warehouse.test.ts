import { after, afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeadLetter } from '../../../pipelines/events/dead-letters.ts';
import { NudgeEvent } from '../../../pipelines/events/nudge-event.ts';
import { Decision } from '../../../pipelines/decisions/decision.ts';
import type { Warehouse } from '../../../pipelines/warehouse/warehouse.ts';
import { openDuckDbWarehouse } from './duckdb-warehouse.ts';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'nudge-warehouse-'));
  dirs.push(dir);
  return dir;
}
after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function makeEvent(n: number, overrides: Partial<NudgeEvent> = {}): NudgeEvent {
  const at = new Date(Date.UTC(2026, 10, 27, 10, 0, n)).toISOString();
  return NudgeEvent.parse({
    event_id: `evt-${String(n).padStart(4, '0')}`,
    type: 'track',
    kind: n % 2 === 0 ? 'product_viewed' : 'product_added',
    event_name: n % 2 === 0 ? 'Product Viewed' : 'Product Added',
    anonymous_id: `anon-${n % 3}`,
    user_id: n % 3 === 0 ? `user-${n}` : null,
    email: null,
    previous_id: null,
    properties: { product_id: `p-${n}`, price: n + 0.5, tags: ['sale'], variant: { size: 'M' } },
    traits: {},
    context: { page: { url: `https://shop.example/p/${n}` }, userAgent: 'Mozilla/5.0' },
    occurred_at: at,
    received_at: at,
    source: 'http',
    source_id: 'wk_test',
    hops: { collected: at },
    schema_version: 1,
    ...overrides,
  });
}

const deadLetter = (id: string): DeadLetter =>
  DeadLetter.parse({
    dead_letter_id: id,
    stage: 'collect',
    reason: 'invalid_event',
    errors: [{ index: 2, path: 'properties.price', message: 'Expected number, received string' }],
    payload: '{"event":"Product Added","properties":{"price":"x"}}',
    source_id: 'wk_test',
    received_at: '2026-11-27T10:00:00.000Z',
  });

const decision = (id: string, outcome: Decision['outcome'], reason: Decision['reason'], deferUntil: string | null = null): Decision =>
  Decision.parse({
    decision_id: id, send_id: `send-${id}`, campaign_id: 'cart-abandonment', person_id: 'p-1', step: 0, outcome, reason,
    defer_until: deferUntil, decided_at: '2026-11-27T22:00:00.000Z', variant_id: outcome === 'send' ? 'subject-a' : null,
    trigger_key: '["cart-1",null]',
  });

const count = async (warehouse: Warehouse, table = 'events') => (await warehouse.query(`SELECT COUNT(*) AS n FROM ${table}`))[0]!.n;

describe('DuckDB warehouse', () => {
  let dataDir: string;
  let warehouse: Warehouse;
  beforeEach(async () => {
    dataDir = tempDir();
    warehouse = await openDuckDbWarehouse({ dataDir, settings: { maxAppendRows: 4 } });
  });
  afterEach(() => warehouse.close());

  test('creates the sql/tables DDL: BigQuery types as DuckDB types, keys enforced', async () => {
    const columns = await warehouse.query(
      "SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns WHERE table_name IN ('events', 'dead_letters') ORDER BY table_name, ordinal_position",
    );
    const events = columns.filter((c) => c.table_name === 'events');
    assert.deepEqual(events.map((c) => c.column_name), Object.keys(NudgeEvent.shape));
    const typeOf = (name: string) => events.find((c) => c.column_name === name)!.data_type;
    assert.deepEqual(
      ['event_id', 'properties', 'occurred_at', 'schema_version'].map(typeOf),
      ['VARCHAR', 'JSON', 'TIMESTAMP WITH TIME ZONE', 'BIGINT'],
    );
    assert.equal(events.find((c) => c.column_name === 'user_id')!.is_nullable, 'YES');
    assert.equal(events.find((c) => c.column_name === 'kind')!.is_nullable, 'NO');
    const keys = await warehouse.query("SELECT table_name, constraint_column_names AS cols FROM duckdb_constraints() WHERE constraint_type = 'PRIMARY KEY' ORDER BY table_name");
    assert.deepEqual(keys, [
      { table_name: 'dead_letters', cols: ['dead_letter_id'] },
      { table_name: 'decisions', cols: ['decision_id'] },
      { table_name: 'email_events', cols: ['email_event_id'] },
      { table_name: 'email_sends', cols: ['send_id'] },
      { table_name: 'events', cols: ['event_id'] },
      { table_name: 'person_identities', cols: ['identity_link_id'] },
      { table_name: 'profile_snapshots', cols: ['snapshot_id'] },
      { table_name: 'reconciliation_diffs', cols: ['diff_id'] },
      { table_name: 'reconciliation_history', cols: ['run_id', 'person_id'] },
      { table_name: 'reconciliation_runs', cols: ['run_id'] },
    ]);
  });

  test('events round-trip: what goes in comes out as the same NudgeEvents', async () => {
    const events = [1, 2, 3, 4, 5, 6].map((n) => makeEvent(n));
    await warehouse.insertEvents(events);
    const rows = await warehouse.query('SELECT * FROM `${dataset}.events` ORDER BY event_id');
    assert.deepEqual(rows, events);
    assert.deepEqual(rows.map((row) => NudgeEvent.safeParse(row).success), events.map(() => true));
  });

  test('BigQuery SQL over JSON properties, with @params', async () => {
    await warehouse.insertEvents([1, 2, 3, 4, 5].map((n) => makeEvent(n)));
    const rows = await warehouse.query(
      `SELECT JSON_VALUE(properties, '$.product_id') AS product,
              SAFE_CAST(JSON_VALUE(properties, '$.price') AS FLOAT64) AS price,
              JSON_VALUE(properties, '$.variant.size') AS size,
              JSON_QUERY(properties, '$.tags') AS tags,
              DATE(occurred_at) AS day
       FROM nudge.events
       WHERE kind = @kind AND occurred_at >= @since AND SAFE_CAST(JSON_VALUE(properties, '$.price') AS FLOAT64) > @min
       ORDER BY price`,
      { kind: 'product_added', since: '2026-11-27T10:00:02Z', min: 2 },
    );
    assert.deepEqual(rows, [
      { product: 'p-3', price: 3.5, size: 'M', tags: ['sale'], day: '2026-11-27' },
      { product: 'p-5', price: 5.5, size: 'M', tags: ['sale'], day: '2026-11-27' },
    ]);
    const counts = await warehouse.query('SELECT COUNTIF(user_id IS NOT NULL) AS known, COUNT(DISTINCT anonymous_id) AS devices FROM events WHERE event_id IN UNNEST(@ids)', {
      ids: ['evt-0001', 'evt-0003', 'evt-0005'],
    });
    assert.deepEqual(counts, [{ known: 1, devices: 3 }]);
  });

  test('the same event ids inserted twice (and twice in one batch) are stored once', async () => {
    const first = [1, 2, 3, 4, 5, 6].map((n) => makeEvent(n));
    await warehouse.insertEvents(first);
    // A redelivery: old ids mixed with new ones, across several append slices, plus an in-batch repeat.
    const again = [makeEvent(7), makeEvent(2, { source: 'pubsub' }), makeEvent(8), makeEvent(8), makeEvent(5), makeEvent(9), makeEvent(1)];
    await warehouse.insertEvents(again);
    await warehouse.insertEvents(first);
    assert.equal(await count(warehouse), 9);
    const ids = await warehouse.query('SELECT event_id, source FROM events ORDER BY event_id');
    assert.deepEqual(ids.map((r) => r.event_id), [1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => makeEvent(n).event_id));
    assert.equal(ids.find((r) => r.event_id === 'evt-0002')!.source, 'http', 'the first copy stays');
  });

  test('dead letters: inserted once per id, errors read back as JSON', async () => {
    await warehouse.insertDeadLetters([deadLetter('dl-1'), deadLetter('dl-2')]);
    await warehouse.insertDeadLetters([deadLetter('dl-2')]);
    assert.equal(await count(warehouse, 'dead_letters'), 2);
    const rows = await warehouse.query("SELECT * FROM dead_letters WHERE JSON_VALUE(errors, '$[0].path') = 'properties.price' ORDER BY dead_letter_id");
    assert.deepEqual(rows, [deadLetter('dl-1'), deadLetter('dl-2')]);
  });

  test('a bad row fails its insert whole and the warehouse carries on', async () => {
    const bad = { ...makeEvent(2), occurred_at: 'yesterday' } as NudgeEvent;
    await assert.rejects(warehouse.insertEvents([makeEvent(1), bad]), /occurred_at: not an instant|timestamp/i);
    assert.equal(await count(warehouse), 0);
    await warehouse.insertEvents([makeEvent(1), makeEvent(2)]);
    assert.equal(await count(warehouse), 2);
  });

  test('concurrent inserts and queries do not interleave', async () => {
    await Promise.all([
      ...[0, 1, 2, 3].map((k) => warehouse.insertEvents([1, 2, 3].map((n) => makeEvent(k * 10 + n)))),
      warehouse.query('SELECT 1 AS one'),
      warehouse.insertEvents([makeEvent(1)]),
    ]);
    assert.equal(await count(warehouse), 12);
  });

  test('query results are plain values', async () => {
    const [row] = await warehouse.query(
      "SELECT 42 AS small, 9007199254740993 AS big, DATE '2026-11-27' AS day, TIMESTAMP '2026-11-27 10:00:00.5+00' AS at, " +
        "DATETIME '2026-11-27 10:00:00' AS local, NUMERIC '1.25' AS num, [1, 2] AS list, STRUCT(1 AS a, 'x' AS b) AS rec, NULL AS nothing",
    );
    assert.deepEqual(row, {
      small: 42, big: '9007199254740993', day: '2026-11-27', at: '2026-11-27T10:00:00.500Z', local: '2026-11-27T10:00:00.000',
      num: 1.25, list: [1, 2], rec: { a: 1, b: 'x' }, nothing: null,
    });
  });

  test('several statements return the last one\'s rows; errors are clear', async () => {
    assert.deepEqual(await warehouse.query('CREATE TEMP TABLE t AS SELECT 1 AS x; SELECT x + @d AS y FROM t', { d: 1 }), [{ y: 2 }]);
    await assert.rejects(warehouse.query('SELECT @missing AS m'), /without a value: @missing/);
    await assert.rejects(warehouse.query('DECLARE x INT64'), /scripting/);
  });

  test('DuckDB itself refuses files, other databases and settings changes, whatever slips past the admin query guard', async () => {
    const outside = join(tempDir(), 'secret.csv');
    writeFileSync(outside, 'a,b\n1,2\n');
    await assert.rejects(warehouse.query(`SELECT * FROM read_csv('${outside}')`), /external access|disabled/i);
    await assert.rejects(warehouse.query(`SELECT * FROM '${outside}'`), /external access|disabled/i);
    await assert.rejects(warehouse.query(`COPY (SELECT 1 AS x) TO '${join(tempDir(), 'out.csv')}'`), /external access|disabled/i);
    await assert.rejects(warehouse.query(`ATTACH '${join(tempDir(), 'other.duckdb')}' AS other`), /external access|disabled/i);
    await assert.rejects(warehouse.query('RESET enable_external_access'), /configuration has been locked/);
    await assert.rejects(warehouse.query('PRAGMA enable_external_access = true'), /configuration has been locked/);
    // …while its own work goes on: UTC, the tables, inserts.
    assert.deepEqual(await warehouse.query("SELECT current_setting('TimeZone') AS tz"), [{ tz: 'UTC' }]);
    await warehouse.insertEvents([makeEvent(1)]);
    assert.equal(await count(warehouse), 1);
  });

  test('insertRows: decisions round-trip as Decisions, once per decision_id', async () => {
    const rows = [decision('d-1', 'send', 'eligible'), decision('d-2', 'defer', 'quiet_hours', '2026-11-28T08:00:00.000Z'), decision('d-3', 'skip', 'no_consent')];
    await warehouse.insertRows('decisions', rows);
    await warehouse.insertRows('decisions', [rows[1]!, decision('d-4', 'holdout', 'holdout'), decision('d-4', 'holdout', 'holdout')]);
    const stored = await warehouse.query('SELECT * FROM `${dataset}.decisions` ORDER BY decision_id');
    assert.deepEqual(stored, [...rows, decision('d-4', 'holdout', 'holdout')]);
    assert.deepEqual(stored.map((row) => Decision.safeParse(row).success), [true, true, true, true]);
    const reasons = await warehouse.query("SELECT reason, COUNT(*) AS n FROM decisions WHERE outcome != 'send' GROUP BY reason ORDER BY reason");
    assert.deepEqual(reasons, [{ reason: 'holdout', n: 1 }, { reason: 'no_consent', n: 1 }, { reason: 'quiet_hours', n: 1 }]);
  });

  test('insertRows: email_sends once per send_id (the first outcome stays), nulls where absent', async () => {
    const sent = { send_id: 's-1', campaign_id: 'cart-abandonment', person_id: 'p-1', step: 0, variant_id: 'a', provider: 'outbox', provider_message_id: 'm-1', status: 'sent', subject: 'Still thinking it over?', sent_at: new Date('2026-11-27T10:00:00.000Z') };
    await warehouse.insertRows('email_sends', [sent]);
    await warehouse.insertRows('email_sends', [{ ...sent, status: 'in_doubt_resolved' }]);
    assert.deepEqual(await warehouse.query('SELECT send_id, status, sent_at, error FROM email_sends'), [
      { send_id: 's-1', status: 'sent', sent_at: '2026-11-27T10:00:00.000Z', error: null },
    ]);
  });

  test('insertRows refuses an unknown table, an unknown column and a missing required one', async () => {
    await assert.rejects(warehouse.insertRows('nope', [{ a: 1 }]), /no table nope/);
    await assert.rejects(warehouse.insertRows('decisions', [{ ...decision('d-1', 'send', 'eligible'), email: 'ann@example.com' }]), /decisions has no column\(s\) email/);
    const { person_id: _dropped, ...withoutPerson } = decision('d-2', 'send', 'eligible');
    await assert.rejects(warehouse.insertRows('decisions', [withoutPerson]), /person_id|NOT NULL/i);
    assert.equal(await count(warehouse, 'decisions'), 0);
  });

  test('inserting nothing is a no-op', async () => {
    await warehouse.insertEvents([]);
    assert.equal(await count(warehouse), 0);
  });
});

describe('DuckDB warehouse file', () => {
  test('rows survive close and reopen, and reopening re-applies the DDL harmlessly', async () => {
    const dataDir = tempDir();
    const first = await openDuckDbWarehouse({ dataDir });
    await first.insertEvents([makeEvent(1), makeEvent(2)]);
    await first.insertDeadLetters([deadLetter('dl-1')]);
    await first.close();
    await first.close();
    await assert.rejects(first.query('SELECT 1'), /closed/);

    const second = await openDuckDbWarehouse({ dataDir });
    await second.insertEvents([makeEvent(2), makeEvent(3)]);
    assert.deepEqual(await second.query('SELECT event_id FROM events ORDER BY event_id'), [1, 2, 3].map((n) => ({ event_id: makeEvent(n).event_id })));
    assert.equal(await count(second, 'dead_letters'), 1);
    await second.close();

    const reader = await openDuckDbWarehouse({ dataDir, readOnly: true });
    assert.equal(await count(reader), 3);
    await assert.rejects(reader.insertEvents([makeEvent(4)]), /no table events \(opened read-only\)/);
    await reader.close();
  });

  test('insertRows into a table without a primary key keeps every row', async () => {
    const sqlDir = tempDir();
    mkdirSync(join(sqlDir, 'tables'));
    writeFileSync(join(sqlDir, 'tables', 'notes.sql'), 'CREATE TABLE IF NOT EXISTS `${dataset}.notes` (note STRING NOT NULL, noted_at TIMESTAMP);');
    const warehouse = await openDuckDbWarehouse({ dataDir: tempDir(), sqlDir });
    try {
      await warehouse.insertRows('notes', [{ note: 'a' }, { note: 'a' }, { note: 'b', noted_at: '2026-11-27T10:00:00.000Z' }]);
      assert.deepEqual(await warehouse.query('SELECT note, noted_at FROM notes ORDER BY note, noted_at'), [
        { note: 'a', noted_at: null }, { note: 'a', noted_at: null }, { note: 'b', noted_at: '2026-11-27T10:00:00.000Z' },
      ]);
    } finally {
      await warehouse.close();
    }
  });

  test('a file made by an older DDL is refused with the missing columns named', async () => {
    const dataDir = tempDir();
    const oldSql = tempDir();
    mkdirSync(join(oldSql, 'tables'));
    writeFileSync(join(oldSql, 'tables', 'events.sql'), 'CREATE TABLE IF NOT EXISTS `${dataset}.events` (event_id STRING NOT NULL, kind STRING, PRIMARY KEY (event_id) NOT ENFORCED);');
    await (await openDuckDbWarehouse({ dataDir, sqlDir: oldSql })).close();
    await assert.rejects(openDuckDbWarehouse({ dataDir }), /events lacks columns type, properties, .*schema_version/);
    await assert.rejects(openDuckDbWarehouse({ dataDir }), (error: Error) => !/event_name/.test(error.message), 'a NULLABLE column is not in the refusal: it can be added');
  });

  test('a NULLABLE column added to the DDL since the file was made is added, old rows reading NULL, new rows keeping it', async () => {
    const dataDir = tempDir();
    const oldSql = tempDir();
    mkdirSync(join(oldSql, 'tables'));
    const current = readFileSync(join(import.meta.dirname, '..', '..', '..', 'sql', 'tables', 'email_sends.sql'), 'utf8');
    writeFileSync(join(oldSql, 'tables', 'email_sends.sql'), current.replace(/\n\s*trigger_key STRING OPTIONS \(description = "(?:[^"\\]|\\.)*"\),/, ''));
    const old = await openDuckDbWarehouse({ dataDir, sqlDir: oldSql });
    const row = { send_id: 's-old', campaign_id: 'c', person_id: 'p', step: 0, provider: 'outbox', status: 'sent', sent_at: '2026-11-27T10:00:00.000Z' };
    await old.insertRows('email_sends', [row]);
    await assert.rejects(old.insertRows('email_sends', [{ ...row, send_id: 's-x', trigger_key: 'k' }]), /no column\(s\) trigger_key/, 'the old file really lacks it');
    await old.close();
    const warehouse = await openDuckDbWarehouse({ dataDir });
    try {
      await warehouse.insertRows('email_sends', [{ ...row, send_id: 's-new', trigger_key: '["cart-1",null]' }]);
      assert.deepEqual(await warehouse.query('SELECT send_id, trigger_key FROM email_sends ORDER BY send_id'), [
        { send_id: 's-new', trigger_key: '["cart-1",null]' },
        { send_id: 's-old', trigger_key: null },
      ]);
    } finally {
      await warehouse.close();
    }
  });

  test('a file held by another process is refused with a clear message', async () => {
    const dataDir = tempDir();
    await (await openDuckDbWarehouse({ dataDir })).close();
    const holder = spawn(
      process.execPath,
      ['-e', `require('@duckdb/node-api').DuckDBInstance.create(${JSON.stringify(join(dataDir, 'warehouse.duckdb'))}).then(() => { console.log('held'); setTimeout(() => {}, 60000); })`],
      { cwd: import.meta.dirname, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout!.on('data', () => resolve());
        holder.on('exit', (code) => reject(new Error(`holder exited ${code}`)));
      });
      await assert.rejects(openDuckDbWarehouse({ dataDir, readOnly: true }), /in use by another process/);
    } finally {
      holder.kill();
    }
  });
});
