import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createHttpHost } from './http-host.ts';

test('routes by exact path or prefix and hands the entry the raw body', async () => {
  const seen: { path: string; body: string }[] = [];
  const host = createHttpHost({
    routes: [
      { path: '/v1/', entry: async (request) => (seen.push({ path: request.path, body: request.rawBody.toString() }), { status: 200, body: 'ok' }) },
      { path: '/healthz', entry: async () => ({ status: 204 }) },
    ],
  });
  const { url } = await host.listen(0, '127.0.0.1');
  try {
    assert.equal((await fetch(`${url}/v1/track?x=1`, { method: 'POST', body: 'raw bytes' })).status, 200);
    assert.deepEqual(seen, [{ path: '/v1/track', body: 'raw bytes' }]);
    assert.equal((await fetch(`${url}/healthz`)).status, 204);
    assert.equal((await fetch(`${url}/healthzz`)).status, 404);
  } finally {
    await host.close();
  }
});

test('close lets a request in flight finish and answer before resolving', async () => {
  let release: () => void = () => {};
  const gate = new Promise<void>((resolve) => (release = resolve));
  let entered: () => void = () => {};
  const started = new Promise<void>((resolve) => (entered = resolve));
  let finished = false;
  const host = createHttpHost({
    routes: [
      {
        path: '/slow',
        entry: async () => {
          entered();
          await gate;
          finished = true;
          return { status: 200, body: 'done' };
        },
      },
    ],
  });
  const { url } = await host.listen(0, '127.0.0.1');
  const answer = fetch(`${url}/slow`, { method: 'POST', body: 'x' });
  await started;
  let closed = false;
  const closing = host.close().then(() => (closed = true));
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(closed, false, 'close waits for the request in flight');
  release();
  const response = await answer;
  assert.equal(response.status, 200);
  assert.equal(await response.text(), 'done');
  await closing;
  assert.equal(finished, true);
});
