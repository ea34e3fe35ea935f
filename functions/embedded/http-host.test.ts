import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { describe, test } from 'node:test';
import { createHttpHost } from './http-host.ts';
import type { HttpAdmission, HttpEntry, HttpRequest, HttpRequestHead, HttpResponse } from '../http.ts';

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

/** A raw HTTP/1.1 client: sends the head and part of a body, resolves with the status line once the host answers. */
function openUpload(url: string, head: string, body = ''): { status: Promise<string>; socket: Socket } {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  socket.write(head + body);
  let received = '';
  const status = new Promise<string>((resolve, reject) => {
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      if (received.includes('\r\n\r\n')) resolve(received);
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(received));
  });
  return { status, socket };
}

/** An entry that admits up to 1000 body bytes and refuses requests without an x-key header. */
function guardedEntry(calls: string[]): HttpEntry {
  const entry = async (request: HttpRequest): Promise<HttpResponse> => {
    calls.push(request.rawBody.toString());
    return { status: 200, body: 'stored' };
  };
  return Object.assign(entry, {
    admit: (head: HttpRequestHead): HttpAdmission =>
      head.headers['x-key'] === 'good' ? { maxBodyBytes: 1000, tooLarge: { status: 413, body: 'too large' } } : { refuse: { status: 401, body: 'who?' } },
  });
}

describe('http host: bodies are read only when admitted, within caps', () => {
  test('refuses with the entry answer (401) before reading any of the body', async () => {
    const calls: string[] = [];
    const host = createHttpHost({ routes: [{ path: '/up', entry: guardedEntry(calls) }] });
    const { url } = await host.listen(0, '127.0.0.1');
    try {
      const upload = openUpload(url, 'POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 4000000\r\n\r\n', 'a'.repeat(10));
      assert.match(await upload.status, /^HTTP\/1\.1 401 /);
      assert.match(await upload.status, /connection: close/i);
      upload.socket.destroy();
      assert.deepEqual(calls, []);
    } finally {
      await host.close();
    }
  });

  test('413 as soon as Content-Length exceeds the cap, without waiting for the body', async () => {
    const host = createHttpHost({ routes: [{ path: '/up', entry: guardedEntry([]) }] });
    const { url } = await host.listen(0, '127.0.0.1');
    try {
      const upload = openUpload(url, 'POST /up HTTP/1.1\r\nHost: x\r\nx-key: good\r\nContent-Length: 1001\r\n\r\n');
      assert.match(await upload.status, /^HTTP\/1\.1 413 /);
      upload.socket.destroy();
    } finally {
      await host.close();
    }
  });

  test('413 as soon as streamed (chunked) bytes exceed the cap, before the body ends', async () => {
    const calls: string[] = [];
    const host = createHttpHost({ routes: [{ path: '/up', entry: guardedEntry(calls) }] });
    const { url } = await host.listen(0, '127.0.0.1');
    try {
      const chunk = 'b'.repeat(1200);
      const upload = openUpload(url, 'POST /up HTTP/1.1\r\nHost: x\r\nx-key: good\r\nTransfer-Encoding: chunked\r\n\r\n', `${chunk.length.toString(16)}\r\n${chunk}\r\n`);
      assert.match(await upload.status, /^HTTP\/1\.1 413 /);
      upload.socket.destroy();
      assert.deepEqual(calls, []);
    } finally {
      await host.close();
    }
  });

  test('503 with Retry-After, nothing buffered, once the concurrent-body cap is reached; a slot frees when a body completes', async () => {
    const calls: string[] = [];
    const host = createHttpHost({ routes: [{ path: '/up', entry: guardedEntry(calls) }], maxConcurrentBodies: 2 });
    const { url } = await host.listen(0, '127.0.0.1');
    const head = 'POST /up HTTP/1.1\r\nHost: x\r\nx-key: good\r\nContent-Length: 20\r\n\r\n';
    try {
      const first = openUpload(url, head, 'a'.repeat(10));
      const second = openUpload(url, head, 'b'.repeat(10));
      while (host.bodiesBeingRead() < 2) await new Promise((resolve) => setImmediate(resolve));
      const third = openUpload(url, head, 'c'.repeat(10));
      const refused = await third.status;
      assert.match(refused, /^HTTP\/1\.1 503 /);
      assert.match(refused, /retry-after: 1/i);
      third.socket.destroy();
      first.socket.write('a'.repeat(10));
      assert.match(await first.status, /^HTTP\/1\.1 200 /);
      assert.deepEqual(calls, ['a'.repeat(20)]);
      const fourth = openUpload(url, head, 'd'.repeat(20));
      assert.match(await fourth.status, /^HTTP\/1\.1 200 /);
      for (const upload of [first, second, fourth]) upload.socket.destroy();
    } finally {
      await host.close();
    }
  });

  test('unfinished uploads without a key, many of them, are all refused unread and hold no body slot', async () => {
    const host = createHttpHost({ routes: [{ path: '/up', entry: guardedEntry([]) }], maxConcurrentBodies: 2 });
    const { url } = await host.listen(0, '127.0.0.1');
    try {
      const uploads = Array.from({ length: 20 }, () => openUpload(url, 'POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 4000000\r\n\r\n', 'z'.repeat(1000)));
      const statuses = await Promise.all(uploads.map((upload) => upload.status));
      assert.ok(statuses.every((status) => /^HTTP\/1\.1 401 /.test(status)));
      assert.equal(host.bodiesBeingRead(), 0);
      for (const upload of uploads) upload.socket.destroy();
    } finally {
      await host.close();
    }
  });

  test("uploads left hanging on one route do not take another route's slots; a route may ask for fewer", async () => {
    const calls: string[] = [];
    const webhook = Object.assign(async () => ({ status: 200 }), {
      admit: () => ({ maxBodyBytes: 1000, tooLarge: { status: 413 }, maxConcurrentBodies: 1 }),
    });
    const host = createHttpHost({ routes: [{ path: '/up', entry: guardedEntry(calls) }, { path: '/hook', entry: webhook }], maxConcurrentBodies: 2 });
    const { url } = await host.listen(0, '127.0.0.1');
    const hookHead = 'POST /hook HTTP/1.1\r\nHost: x\r\nContent-Length: 20\r\n\r\n';
    try {
      const hanging = openUpload(url, hookHead, 'h'.repeat(5));
      while (host.bodiesBeingRead() < 1) await new Promise((resolve) => setImmediate(resolve));
      const second = openUpload(url, hookHead, 'h'.repeat(5));
      assert.match(await second.status, /^HTTP\/1\.1 503 /, 'the route asked for one at a time');
      second.socket.destroy();
      // The collector's route still has both of its slots.
      const upHead = 'POST /up HTTP/1.1\r\nHost: x\r\nx-key: good\r\nContent-Length: 4\r\n\r\n';
      const a = openUpload(url, upHead, 'abcd');
      const b = openUpload(url, upHead, 'efgh');
      assert.match(await a.status, /^HTTP\/1\.1 200 /);
      assert.match(await b.status, /^HTTP\/1\.1 200 /);
      for (const upload of [hanging, a, b]) upload.socket.destroy();
    } finally {
      await host.close();
    }
  });
});
