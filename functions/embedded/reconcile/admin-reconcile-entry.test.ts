import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createAdminReconcileEntry } from './admin-reconcile-entry.ts';
import { ReconcileBusyError, type EmbeddedReconcile } from './embedded-reconcile.ts';
import type { HttpRequest } from '../../http.ts';

// POST /_nudge/reconcile: the same guards as the admin query (machine, Host, token), then the run.
const adminToken = 'token-123';

function setup(fail?: Error) {
  const asked: boolean[] = [];
  const reconcile: EmbeddedReconcile = {
    run: async ({ dryRun }) => {
      asked.push(dryRun);
      if (fail) throw fail;
      return { run_id: 'r-1', dry_run: dryRun } as never;
    },
    startNightly: () => null,
  };
  return { entry: createAdminReconcileEntry({ reconcile, adminToken }), asked };
}

function post(body: string, overrides: Partial<HttpRequest> = {}): HttpRequest {
  return {
    method: 'POST',
    path: '/_nudge/reconcile',
    headers: { authorization: `Bearer ${adminToken}`, host: 'localhost:8080' },
    query: new URLSearchParams(),
    rawBody: Buffer.from(body),
    remoteAddress: '127.0.0.1',
    ...overrides,
  };
}

describe('admin reconcile entry', () => {
  test('runs, dry or not, and answers the run row', async () => {
    const { entry, asked } = setup();
    const dry = await entry(post('{"dry_run": true}'));
    const real = await entry(post(''));
    assert.deepEqual([dry.status, real.status], [200, 200]);
    assert.deepEqual(asked, [true, false]);
    assert.deepEqual(JSON.parse(String(dry.body)), { run: { run_id: 'r-1', dry_run: true } });
  });

  const refusals: [string, Partial<HttpRequest>, string, number][] = [
    ['another machine', { remoteAddress: '10.0.0.7' }, '{}', 403],
    ['a Host that is not loopback (DNS rebinding)', { headers: { authorization: `Bearer ${adminToken}`, host: 'evil.example' } }, '{}', 403],
    ['no token', { headers: { host: 'localhost' } }, '{}', 401],
    ['a wrong token', { headers: { authorization: 'Bearer token-124', host: 'localhost' } }, '{}', 401],
    ['GET', { method: 'GET' }, '', 405],
    ['a body that is not JSON', {}, 'dry', 400],
    ['dry_run not a boolean', {}, '{"dry_run": 1}', 400],
  ];
  for (const [name, overrides, body, status] of refusals) {
    test(`${name} → ${status}, and nothing runs`, async () => {
      const { entry, asked } = setup();
      assert.equal((await entry(post(body, overrides))).status, status);
      assert.deepEqual(asked, []);
    });
  }

  test('a run already going → 409; a failed run → 500 with its message', async () => {
    assert.equal((await setup(new ReconcileBusyError('busy')).entry(post('{}'))).status, 409);
    const failed = await setup(new Error('warehouse closed')).entry(post('{}'));
    assert.deepEqual([failed.status, JSON.parse(String(failed.body))], [500, { error: 'warehouse closed' }]);
  });
});
