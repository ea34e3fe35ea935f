import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { createCollectEntry } from './collect.ts';
import { createWriteKeys, writeKeyId } from './collect/write-keys.ts';
import type { HttpRequest } from './http.ts';
import type { BusMessage } from '../pipelines/events/bus.ts';
import type { DeadLetter } from '../pipelines/events/dead-letters.ts';
import { decodeEventMessage } from '../pipelines/events/encode-message.ts';
import { createManualClock } from '../pipelines/shared/clock.ts';

const writeKey = 'wk-test-secret';

const serverKey = 'sk-test-server-secret';

function setup(options: { failPublish?: boolean; shopHosts?: string[] } = {}) {
  const published: { topic: string; messages: BusMessage[] }[] = [];
  const deadLetters: DeadLetter[] = [];
  let ids = 0;
  const entry = createCollectEntry({
    writeKeys: createWriteKeys([writeKey, 'other-key'], [serverKey]),
    ...(options.shopHosts ? { shopHosts: options.shopHosts } : {}),
    bus: {
      publish: async (topic, messages) => {
        if (options.failPublish) throw new Error('bus down');
        published.push({ topic, messages: [...messages] });
      },
    },
    deadLetters: { put: async (records) => void deadLetters.push(...records) },
    clock: createManualClock('2026-11-27T10:00:00.000Z'),
    newEventId: () => `generated-${++ids}`,
  });
  const events = () => published.flatMap(({ topic, messages }) => messages.map((m) => ({ topic, event: decodeEventMessage(m.data) })));
  return { entry, published, deadLetters, events };
}

function request(path: string, body: unknown, headers: Record<string, string> = {}, raw?: Buffer): HttpRequest {
  return {
    method: 'POST',
    path,
    headers: { authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`, 'content-type': 'application/json', ...headers },
    query: new URLSearchParams(),
    rawBody: raw ?? Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
  };
}

const track = (extra: Record<string, unknown> = {}) => ({
  type: 'track',
  event: 'Product Added',
  anonymousId: 'anon-1',
  messageId: 'm-1',
  timestamp: '2026-11-27T09:59:00.000Z',
  properties: { product_id: 'p-1', name: 'Jacket', price: 120, quantity: 1 },
  ...extra,
});

function parse(body: string | Buffer | undefined): { success: boolean; errors?: { index?: number; path: string; message: string }[]; accepted?: number; rejected?: number } {
  return JSON.parse(String(body));
}

describe('collect entry', () => {
  test('accepts a track call, routes it to the priority topic and records the key id, not the key', async () => {
    const { entry, events } = setup();
    const response = await entry(request('/v1/track', track()));
    assert.equal(response.status, 200);
    assert.deepEqual(parse(response.body), { success: true });
    const [first] = events();
    assert.equal(first?.topic, 'events-priority');
    assert.equal(first?.event.event_id, 'm-1');
    assert.equal(first?.event.source_id, writeKeyId(writeKey));
    assert.ok(!JSON.stringify(first?.event).includes(writeKey));
  });

  test('refuses a missing or unknown write key with 401 and stores nothing', async () => {
    const { entry, published } = setup();
    const missing = await entry(request('/v1/track', track(), { authorization: '' }));
    assert.equal(missing.status, 401);
    assert.equal(parse(missing.body).errors?.[0]?.path, 'writeKey');
    const unknown = await entry(request('/v1/track', track(), { authorization: `Basic ${Buffer.from('nope:').toString('base64')}` }));
    assert.equal(unknown.status, 401);
    assert.equal(published.length, 0);
  });

  test('takes the write key from the body as analytics.js sends it (text/plain)', async () => {
    const { entry, events } = setup();
    const response = await entry(request('/v1/batch', { batch: [track()], writeKey: 'other-key' }, { authorization: '', 'content-type': 'text/plain' }));
    assert.equal(response.status, 200);
    assert.equal(events()[0]?.event.source_id, writeKeyId('other-key'));
  });

  test('answers 400 naming the problem for a body that is not JSON or not the spec', async () => {
    const { entry } = setup();
    const notJson = await entry(request('/v1/track', '{"type": "track",'));
    assert.equal(notJson.status, 400);
    assert.match(parse(notJson.body).errors?.[0]?.message ?? '', /not valid JSON/);
    const noIds = await entry(request('/v1/track', { event: 'Product Viewed', properties: {} }));
    assert.equal(noIds.status, 400);
    assert.ok(parse(noIds.body).errors?.some((error) => /anonymousId|userId/.test(error.path + error.message)));
  });

  test('answers 413 above 32 KB for one event and 500 KB for a batch', async () => {
    const { entry, published } = setup();
    const big = await entry(request('/v1/track', track({ properties: { product_id: 'p', padding: 'x'.repeat(33 * 1024) } })));
    assert.equal(big.status, 413);
    const hugeBatch = { batch: Array.from({ length: 40 }, (_, i) => track({ messageId: `m-${i}`, properties: { product_id: 'p', padding: 'x'.repeat(14 * 1024) } })) };
    const huge = await entry(request('/v1/batch', hugeBatch));
    assert.equal(huge.status, 413);
    assert.equal(published.length, 0);
  });

  test('keeps the valid events of a partly invalid batch and dead-letters the others', async () => {
    const { entry, events, deadLetters } = setup();
    const batch = [
      track({ messageId: 'ok-1' }),
      track({ messageId: 'bad-price', properties: { product_id: 'p-2', price: 'cheap' } }),
      { type: 'page', anonymousId: 'anon-1', messageId: 'ok-2', name: 'Home' },
      { type: 'track', event: 'Product Viewed', messageId: 'no-ids', properties: { product_id: 'p' } },
    ];
    const response = await entry(request('/v1/batch', { batch }));
    assert.equal(response.status, 200);
    const body = parse(response.body);
    assert.equal(body.accepted, 2);
    assert.equal(body.rejected, 2);
    assert.deepEqual(body.errors?.map((error) => error.index).sort(), [1, 3]);
    assert.ok(body.errors?.some((error) => error.index === 1 && error.path === 'properties.price'));
    assert.deepEqual(events().map(({ event }) => event.event_id).sort(), ['ok-1', 'ok-2']);
    assert.equal(deadLetters.length, 2);
    assert.ok(deadLetters.every((record) => record.stage === 'collect'));
    assert.match(deadLetters.find((record) => record.payload.includes('bad-price'))?.reason ?? '', /properties\.price/);
  });

  test('answers 400 when no event of a batch is valid, still dead-lettering them', async () => {
    const { entry, deadLetters, published } = setup();
    const response = await entry(request('/v1/batch', { batch: [track({ properties: { product_id: 'p', price: -1 } })] }));
    assert.equal(response.status, 400);
    assert.equal(deadLetters.length, 1);
    assert.equal(published.length, 0);
  });

  test('accepts gzip bodies', async () => {
    const { entry, events } = setup();
    const raw = gzipSync(Buffer.from(JSON.stringify({ batch: [track()] })));
    const response = await entry(request('/v1/batch', null, { 'content-encoding': 'gzip' }, raw));
    assert.equal(response.status, 200);
    assert.equal(events().length, 1);
  });

  test('answers the CORS preflight and sets CORS headers on answers', async () => {
    const { entry } = setup();
    const preflight = await entry({ ...request('/v1/batch', ''), method: 'OPTIONS', headers: { origin: 'https://shop.example' } });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers?.['access-control-allow-origin'], 'https://shop.example');
    const answer = await entry(request('/v1/track', track(), { origin: 'https://shop.example' }));
    assert.equal(answer.headers?.['access-control-allow-origin'], 'https://shop.example');
  });

  // Segment's analytics-next (analytics.js 2.0) posts to the short paths, and adds X-Retry-Count on
  // retries; RudderStack's JS SDK sends an AnonymousId header. Issue 10: the SDKs work unchanged.
  const shortPaths: [string, Record<string, unknown>, string][] = [
    ['/v1/t', { type: 'track', event: 'Product Viewed', anonymousId: 'a-1', properties: { product_id: 'sku-1' } }, 'product_viewed'],
    ['/v1/i', { type: 'identify', userId: 'u-1', traits: { email: 'ann@example.com' } }, 'identify'],
    ['/v1/p', { type: 'page', anonymousId: 'a-1', name: 'Home' }, 'page'],
    ['/v1/s', { type: 'screen', anonymousId: 'a-1', name: 'Home' }, 'page'],
    ['/v1/a', { type: 'alias', userId: 'u-1', previousId: 'a-1' }, 'alias'],
    ['/v1/b', { batch: [{ type: 'track', event: 'Product Viewed', anonymousId: 'a-1', properties: { product_id: 'sku-1' } }] }, 'product_viewed'],
  ];
  for (const [path, body, kind] of shortPaths) {
    test(`the short path ${path} is its long name, as analytics-next posts it`, async () => {
      const { entry, events } = setup();
      const response = await entry(request(path, { ...body, writeKey }, { 'content-type': 'text/plain' }));
      assert.equal(response.status, 200, JSON.stringify(response.body));
      assert.deepEqual(events().map(({ event }) => event.kind), [kind]);
    });
  }

  test('the CORS preflight allows the headers the SDKs send (X-Retry-Count, AnonymousId)', async () => {
    const { entry } = setup();
    const preflight = await entry({ ...request('/v1/t', ''), method: 'OPTIONS', headers: { origin: 'https://shop.example', 'access-control-request-headers': 'content-type,x-retry-count' } });
    const allowed = String(preflight.headers?.['access-control-allow-headers']).split(/,\s*/);
    for (const header of ['authorization', 'content-type', 'content-encoding', 'x-retry-count', 'anonymousid']) assert.ok(allowed.includes(header), header);
  });

  test('answers 503, never 2xx, when the bus cannot store the events', async () => {
    const { entry } = setup({ failPublish: true });
    const response = await entry(request('/v1/track', track()));
    assert.equal(response.status, 503);
  });

  test('answers 404 for unknown paths and 405 for other methods', async () => {
    const { entry } = setup();
    assert.equal((await entry(request('/v1/nope', {}))).status, 404);
    assert.equal((await entry({ ...request('/v1/track', {}), method: 'GET' })).status, 405);
  });
});

const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;
const head = (path: string, headers: Record<string, string>) => ({ method: 'POST', path, headers, query: new URLSearchParams() });

describe('collect entry: the door (issue 6)', () => {
  test('price 1e303 is refused with a field-level 400 and dead-lettered; the rest of the batch is stored', async () => {
    const { entry, events, deadLetters } = setup();
    const single = await entry(request('/v1/track', track({ properties: { product_id: 'p', price: 1e303 } })));
    assert.equal(single.status, 400);
    assert.equal(parse(single.body).errors?.[0]?.path, 'properties.price');
    const batch = await entry(request('/v1/batch', { batch: [track({ messageId: 'ok' }), track({ messageId: 'big', properties: { product_id: 'p', price: 1e303 } })] }));
    assert.equal(batch.status, 200);
    assert.deepEqual(parse(batch.body).errors?.map((e) => [e.index, e.path]), [[1, 'properties.price']]);
    assert.deepEqual(events().map(({ event }) => event.event_id), ['ok']);
    assert.equal(deadLetters.length, 2);
  });

  test('properties nested thousands of levels (≈8 KB): that event 400 naming the field, the nine others stored, never 503', async () => {
    const { entry, events, deadLetters } = setup();
    const deep = '['.repeat(4000) + ']'.repeat(4000);
    const valid = Array.from({ length: 9 }, (_, i) => JSON.stringify(track({ messageId: `ok-${i}` })));
    const bad = JSON.stringify(track({ messageId: 'deep', properties: { product_id: 'p', deep: '@' } })).replace('"@"', deep);
    const response = await entry(request('/v1/batch', `{"batch":[${[...valid, bad].join(',')}]}`));
    assert.equal(response.status, 200);
    const body = parse(response.body);
    assert.equal(body.accepted, 9);
    assert.match(body.errors?.[0]?.path ?? '', /^properties\.deep(\.0)+$/);
    assert.equal(events().length, 9);
    assert.equal(deadLetters.length, 1);
    assert.match(deadLetters[0]!.payload, /truncated/);
    const single = await entry(request('/v1/track', bad));
    assert.equal(single.status, 400);
  });

  test('a body that is not JSON is dead-lettered with the reason and the raw text', async () => {
    const { entry, deadLetters } = setup();
    const response = await entry(request('/v1/track', '{"type": "track",'));
    assert.equal(response.status, 400);
    assert.equal(deadLetters.length, 1);
    assert.match(deadLetters[0]!.reason, /not valid JSON/);
    assert.equal(deadLetters[0]!.payload, '{"type": "track",');
    assert.equal(deadLetters[0]!.source_id, writeKeyId(writeKey));
  });

  test('an oversize single event answers 413 and is dead-lettered', async () => {
    const { entry, deadLetters } = setup();
    const response = await entry(request('/v1/track', track({ properties: { product_id: 'p', padding: 'x'.repeat(33 * 1024) } })));
    assert.equal(response.status, 413);
    assert.equal(deadLetters.length, 1);
    assert.match(deadLetters[0]!.reason, /limit is 32768 bytes/);
    assert.match(deadLetters[0]!.payload, /"padding":"xxx/);
  });

  test('a browser key sending Catalog Updated: 403 for a single call; in a batch that event refused, the others kept', async () => {
    const { entry, events, deadLetters } = setup();
    const catalog = track({ event: 'Catalog Updated', messageId: 'cat', properties: { product_id: 'p', price: 1 } });
    const single = await entry(request('/v1/track', catalog));
    assert.equal(single.status, 403);
    assert.equal(parse(single.body).errors?.[0]?.path, 'event');
    assert.match(parse(single.body).errors?.[0]?.message ?? '', /server write key/);
    const batch = await entry(request('/v1/batch', { batch: [track({ messageId: 'add' }), catalog] }));
    assert.equal(batch.status, 200);
    assert.deepEqual(parse(batch.body).errors?.map((e) => [e.index, e.path]), [[1, 'event']]);
    const onlyCatalog = await entry(request('/v1/batch', { batch: [catalog] }));
    assert.equal(onlyCatalog.status, 403);
    assert.deepEqual(events().map(({ event }) => event.event_id), ['add']);
    assert.equal(deadLetters.length, 3);
  });

  test('a server key may send Catalog Updated; its links must stay on the shop domains', async () => {
    const { entry, events } = setup({ shopHosts: ['shop.example'] });
    const auth = { authorization: basic(serverKey) };
    const ok = await entry(request('/v1/track', track({ event: 'Catalog Updated', properties: { product_id: 'p', price: 1, url: 'https://shop.example/p' } }), auth));
    assert.equal(ok.status, 200);
    assert.equal(events()[0]?.topic, 'events-catalog');
    const offSite = await entry(request('/v1/track', track({ event: 'Catalog Updated', properties: { product_id: 'p', price: 1, image_url: 'https://evil.example/x.png' } }), auth));
    assert.equal(offSite.status, 400);
    assert.equal(parse(offSite.body).errors?.[0]?.path, 'properties.image_url');
  });

  test('admit, before any body byte is read: 401 for an unknown key, 413 for a Content-Length over the endpoint cap', () => {
    const { entry } = setup();
    const admit = entry.admit!;
    const unknown = admit(head('/v1/batch', { authorization: basic('nope'), 'content-length': '100' }));
    assert.equal('refuse' in unknown && unknown.refuse.status, 401);
    const bigSingle = admit(head('/v1/track', { authorization: basic(writeKey), 'content-length': String(64 * 1024 + 1) }));
    assert.equal('refuse' in bigSingle && bigSingle.refuse.status, 413);
    const bigBatch = admit(head('/v1/batch', { authorization: basic(writeKey), 'content-length': String(500 * 1024 + 1) }));
    assert.equal('refuse' in bigBatch && bigBatch.refuse.status, 413);
    const okBatch = admit(head('/v1/batch', { authorization: basic(writeKey), 'content-length': String(500 * 1024) }));
    assert.deepEqual('maxBodyBytes' in okBatch && okBatch.maxBodyBytes, 500 * 1024);
  });

  test('admit: without a key in the header (analytics.js body keys) at most 64 KB is read before authenticating', () => {
    const { entry } = setup();
    const admit = entry.admit!;
    const bodyKey = admit(head('/v1/batch', { 'content-type': 'text/plain' }));
    assert.deepEqual('maxBodyBytes' in bodyKey && bodyKey.maxBodyBytes, 64 * 1024);
    const tooBig = admit(head('/v1/batch', { 'content-length': String(64 * 1024 + 1) }));
    assert.equal('refuse' in tooBig && tooBig.refuse.status, 413);
    assert.match(String('refuse' in tooBig && tooBig.refuse.body), /Authorization header/);
  });

  test('the entry itself enforces the cap when a platform has already read the body, gzip included', async () => {
    const { entry } = setup();
    const unauthenticated = await entry(request('/v1/batch', { batch: [], writeKey, padding: 'x'.repeat(70 * 1024) }, { authorization: '' }));
    assert.equal(unauthenticated.status, 413);
    const bomb = gzipSync(Buffer.from(JSON.stringify(track({ properties: { product_id: 'p', padding: 'x'.repeat(100 * 1024) } }))));
    const inflated = await entry(request('/v1/track', null, { 'content-encoding': 'gzip' }, bomb));
    assert.equal(inflated.status, 413);
  });
});
