import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { parseEmbeddedConfig } from '../../functions/embedded/config.ts';
import { startEmbeddedRuntime, type EmbeddedRuntime } from '../../functions/embedded/runtime.ts';
import type { Warehouse } from '../../pipelines/warehouse/warehouse.ts';
import { copyTemplatesWithWait } from '../support/short-wait-templates.ts';

// Issue 6, item 8: the email must not wait behind warehouse writes. The embedded runtime with a
// warehouse whose decision/send inserts are held (as DuckDB holds them behind a burst of events):
// the email still goes out, and the rows arrive once the warehouse is released.
const writeKey = 'facts-key';

describe('warehouse facts are off the path to the mailer', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'nudge-facts-'));
  let runtime: EmbeddedRuntime | undefined;
  after(async () => {
    release();
    await runtime?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  // The journey's facts only: identity rows (person_identities) are written as events fold, and
  // holding them would keep the bus from ever going idle before the step runs.
  const holdFactInserts = (warehouse: Warehouse): Warehouse => ({
    ...warehouse,
    insertRows: async (table, rows) => {
      if (table === 'decisions' || table === 'email_sends') await held;
      return warehouse.insertRows(table, rows);
    },
  });

  test('with warehouse inserts held, the email goes out and the step finishes; the rows appear once released', async () => {
    const templatesDir = copyTemplatesWithWait(join(dataDir, 'templates'), '1s');
    runtime = await startEmbeddedRuntime(
      parseEmbeddedConfig({ PORT: '0', NUDGE_DATA_DIR: dataDir, NUDGE_WRITE_KEYS: writeKey, NUDGE_TEMPLATES_DIR: templatesDir, NUDGE_HOLDOUT_PERCENT: '0', NUDGE_QUIET_HOURS: 'off' }),
      { log: () => {}, wrapWarehouse: holdFactInserts },
    );
    const response = await fetch(`${runtime.url}/v1/batch`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        batch: [
          { type: 'identify', userId: 'u-1', traits: { email: 'ann@example.com', email_marketing_consent: true } },
          { type: 'track', event: 'Product Added', userId: 'u-1', properties: { cart_id: 'c-1', product_id: 'jacket-1', name: 'Rain jacket', price: 129, quantity: 1 } },
        ],
      }),
    });
    assert.equal(response.status, 200);
    await runtime.bus.whenIdle();
    await new Promise((resolve) => setTimeout(resolve, 1300));

    // Before the fix the step awaited the held insert and never reached the mailer: bound the wait.
    const outcome = await Promise.race([
      runtime.sweepTimers(),
      new Promise((resolve) => setTimeout(() => resolve('the step is stuck behind the warehouse'), 10_000)),
    ]);
    assert.notEqual(outcome, 'the step is stuck behind the warehouse');
    // The runtime's own sweep (each second) may hold the timer when ours runs: wait for its email,
    // bounded, rather than race it.
    const outbox = join(dataDir, 'outbox');
    const emails = () => (existsSync(outbox) ? readdirSync(outbox).filter((name) => name.endsWith('.eml')).length : 0);
    for (const until = Date.now() + 10_000; emails() === 0 && Date.now() < until; ) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(emails(), 1, 'the email went out while the warehouse rows were held');
    assert.deepEqual(await runtime.warehouse.query('SELECT COUNT(*) AS n FROM nudge.decisions'), [{ n: 0 }], 'while the rows wait');

    release();
    await runtime.bus.whenIdle();
    assert.deepEqual(await runtime.warehouse.query('SELECT reason FROM nudge.decisions'), [{ reason: 'eligible' }]);
    assert.deepEqual(await runtime.warehouse.query('SELECT status, provider FROM nudge.email_sends'), [{ status: 'sent', provider: 'outbox' }]);
  });
});
