import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCaptureStream } from '../../../test/support/capture-stream.ts';
import { createSqliteBus } from '../sqlite-bus.ts';
import { openSqliteDatabase } from '../sqlite-database.ts';
import { createSqliteDeadLetterStore } from '../sqlite-dead-letters.ts';
import { runDeadLettersCommand } from './dead-letters-command.ts';

type Listed = { kind: string; id?: string; stage?: string; subscription?: string; topic?: string; attempts?: number; last_error?: string; data?: string };

describe('nudge dead-letters', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'nudge-dead-letters-'));
  const env = { NUDGE_DATA_DIR: dataDir, NUDGE_WRITE_KEYS: 'k' };
  const run = async (options: { stage?: string; replay?: string; json?: boolean } = {}) => {
    const out = createCaptureStream();
    const code = await runDeadLettersCommand({ limit: 50, json: options.json ?? false, env, ...options }, out);
    return { code, text: out.text() };
  };
  const listJson = async (stage?: string) => (await run({ json: true, ...(stage ? { stage } : {}) })).text.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Listed);

  before(async () => {
    // One refused event (collector) and one message the bus gave up on (its handler kept failing).
    const db = openSqliteDatabase(join(dataDir, 'bus.db'));
    await createSqliteDeadLetterStore({ db }).put([
      { dead_letter_id: 'dl-1', stage: 'collect', reason: 'properties.price: Expected number', errors: [{ path: 'properties.price', message: 'Expected number' }], payload: '{"event":"Product Added"}', source_id: 'wk', received_at: '2026-11-27T10:00:00.000Z' },
    ]);
    const bus = createSqliteBus({
      db,
      onError: () => {},
      subscriptions: [{ name: 'on-priority-event', topic: 'events-priority', maxDeliveryAttempts: 1, onMessage: async () => Promise.reject(new Error('fold failed: boom')) }],
    });
    await bus.publish('events-priority', [{ data: Buffer.from('{"event_id":"e-1"}'), attributes: { kind: 'track' } }]);
    bus.start();
    await bus.whenIdle();
    await bus.stop();
    db.close();
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  test("lists the bus's own dead letters beside refused input, with subscription, topic, attempts and last error", async () => {
    const { code, text } = await run();
    assert.equal(code, 0);
    assert.match(text, /on-priority-event/);
    assert.match(text, /events-priority/);
    assert.match(text, /fold failed: boom/);
    assert.match(text, /collect/);
    assert.match(text, /properties\.price: Expected number/);

    const records = await listJson();
    const undelivered = records.find((r) => r.kind === 'undelivered');
    assert.equal(undelivered?.subscription, 'on-priority-event');
    assert.equal(undelivered?.topic, 'events-priority');
    assert.equal(undelivered?.attempts, 1);
    assert.match(undelivered?.last_error ?? '', /fold failed: boom/);
    assert.equal(undelivered?.data, '{"event_id":"e-1"}');
    assert.ok(records.some((r) => r.kind === 'refused_input' && r.stage === 'collect'), 'refused input still listed');
    assert.deepEqual((await listJson('on-priority-event')).map((r) => r.kind), ['undelivered'], '--stage also names a subscription');
  });

  test('--replay <id> puts a bus dead letter back on its subscription and removes it from the list', async () => {
    const id = (await listJson()).find((r) => r.kind === 'undelivered')?.id;
    assert.ok(id);
    assert.equal((await run({ replay: 'nope' })).code, 1);
    assert.equal((await run({ replay: '999999' })).code, 1, 'unknown id');
    const replayed = await run({ replay: id });
    assert.equal(replayed.code, 0);
    assert.match(replayed.text, /on-priority-event/);
    assert.deepEqual((await listJson()).map((r) => r.kind), ['refused_input']);

    const db = openSqliteDatabase(join(dataDir, 'bus.db'));
    const bus = createSqliteBus({ db });
    assert.deepEqual(bus.stats().subscriptions.map((s) => [s.name, s.backlog, s.deadLettered]), [['on-priority-event', 1, 0]]);
    db.close();
  });
});
