import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { freePort, startRuntimeProcess, waitForHealth } from '../support/embedded-process.ts';

// Kill -9 the embedded runtime while events stream in; after a restart, every event that got a
// 2xx must be in `events` exactly once and folded into its profile exactly once. Loopback only,
// bounded in count and time.
const writeKey = 'crash-test-key';
const users = ['u-1', 'u-2', 'u-3', 'u-4'];
const batches = 400;
const perBatch = 10;

describe('crash recovery of the embedded runtime', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'nudge-crash-'));
  let child: ChildProcess | undefined;
  after(() => {
    child?.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('SIGKILL while events stream in loses no acknowledged event and folds each once', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    child = startRuntimeProcess({ NUDGE_DATA_DIR: dataDir, PORT: String(port), NUDGE_WRITE_KEYS: writeKey });
    await waitForHealth(base);

    const acknowledged = new Set<string>();
    let sent = 0;
    const killAfter = Math.floor(batches / 3);
    const senders = Array.from({ length: 4 }, async (_, lane) => {
      for (let b = lane; b < batches; b += 4) {
        const events = Array.from({ length: perBatch }, (_, i) => makeEvent(b, i));
        sent += 1;
        if (sent === killAfter) child?.kill('SIGKILL');
        try {
          const response = await fetch(`${base}/v1/batch`, { method: 'POST', headers: headers(), body: JSON.stringify({ batch: events }) });
          if (response.status === 200) events.forEach((event) => acknowledged.add(event.messageId));
        } catch {
          // The process is gone: this batch got no 2xx, so nothing is promised for it.
        }
      }
    });
    await Promise.all(senders);
    assert.ok(acknowledged.size > 0, 'some batches were acknowledged before the kill');
    assert.ok(acknowledged.size < batches * perBatch, 'the kill happened while events streamed in');

    child = startRuntimeProcess({ NUDGE_DATA_DIR: dataDir, PORT: String(port), NUDGE_WRITE_KEYS: writeKey });
    await waitForHealth(base);
    const host = JSON.parse(readFileSync(join(dataDir, 'host.json'), 'utf8')) as { url: string; adminToken: string };
    const query = async (sql: string) => {
      const response = await fetch(`${host.url}/_nudge/query`, { method: 'POST', headers: { authorization: `Bearer ${host.adminToken}` }, body: JSON.stringify({ sql }) });
      const body = (await response.json()) as { rows: Record<string, unknown>[]; error?: string };
      assert.equal(response.status, 200, body.error);
      return body.rows;
    };

    // Wait (bounded) until the restarted runtime has drained what the killed one left behind.
    const deadline = Date.now() + 60_000;
    let stored = new Set<string>();
    while (Date.now() < deadline) {
      stored = new Set((await query('SELECT event_id FROM nudge.events')).map((row) => String(row.event_id)));
      if ([...acknowledged].every((id) => stored.has(id))) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const missing = [...acknowledged].filter((id) => !stored.has(id));
    assert.deepEqual(missing, [], `${missing.length} acknowledged events missing from the warehouse`);
    assert.deepEqual(await query('SELECT event_id, COUNT(*) AS n FROM nudge.events GROUP BY event_id HAVING COUNT(*) > 1'), []);

    // Exactly-once folding: each user's order count equals their distinct orders in history.
    const expected = new Map((await query("SELECT user_id, COUNT(*) AS n FROM nudge.events WHERE kind = 'order_completed' GROUP BY user_id")).map((row) => [String(row.user_id), Number(row.n)]));
    for (const user of users) {
      const profile = await waitForProfileOrders(dataDir, user, expected.get(user) ?? 0);
      assert.equal(profile, expected.get(user) ?? 0, `orders folded for ${user}`);
    }
    child.kill('SIGTERM');
    await new Promise((resolve) => child?.once('exit', resolve));
  });
});

function makeEvent(batch: number, index: number) {
  const userId = users[(batch + index) % users.length]!;
  const messageId = `crash-${batch}-${index}`;
  return index % 2 === 0
    ? { type: 'track', event: 'Order Completed', userId, messageId, properties: { order_id: messageId, total: 1, products: [] } }
    : { type: 'track', event: 'Product Viewed', userId, messageId, properties: { product_id: `p-${index}`, price: 5 } };
}

function headers() {
  return { authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`, 'content-type': 'application/json' };
}

/** Reads the profile through the CLI's code path until its order count settles (bounded). */
async function waitForProfileOrders(dataDir: string, userId: string, expected: number): Promise<number> {
  const { runProfileCommand } = await import('../../functions/embedded/commands/profile-command.ts');
  const { createCaptureStream } = await import('../support/capture-stream.ts');
  const deadline = Date.now() + 30_000;
  let count = -1;
  while (Date.now() < deadline) {
    const out = createCaptureStream();
    if ((await runProfileCommand(userId, { NUDGE_DATA_DIR: dataDir }, out)) === 0) {
      count = (JSON.parse(out.text()) as { orders: { count: number } }).orders.count;
      if (count === expected) return count;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return count;
}
