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

function setup(options: { failPublish?: boolean } = {}) {
  const published: { topic: string; messages: BusMessage[] }[] = [];
  const deadLetters: DeadLetter[] = [];
  let ids = 0;
  const entry = createCollectEntry({
    writeKeys: createWriteKeys([writeKey, 'other-key']),
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
