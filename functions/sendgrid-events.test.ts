import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, test } from 'node:test';
import type { HttpRequest } from './http.ts';
import { createSendGridEventsEntry } from './sendgrid-events.ts';
import { checkWebhookSignature, parseWebhookPublicKey } from './sendgrid-events/verify-signature.ts';
import type { DeadLetter } from '../pipelines/events/dead-letters.ts';
import { createManualClock } from '../pipelines/shared/clock.ts';

const now = new Date('2026-12-01T10:00:00.000Z');
const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const publicKeyBase64 = publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
const nowSeconds = String(now.getTime() / 1000);

function signed(body: string, timestamp = nowSeconds, key = privateKey): HttpRequest {
  const signature = sign('sha256', Buffer.concat([Buffer.from(timestamp), Buffer.from(body)]), key).toString('base64');
  return request(body, { 'x-twilio-email-event-webhook-signature': signature, 'x-twilio-email-event-webhook-timestamp': timestamp });
}

function request(body: string, headers: Record<string, string> = {}, method = 'POST'): HttpRequest {
  return { method, path: '/webhooks/sendgrid', headers: { 'content-type': 'application/json', ...headers }, query: new URLSearchParams(), rawBody: Buffer.from(body) };
}

function harness(options: { verify?: boolean; fail?: boolean } = {}) {
  const taken: unknown[][] = [];
  const deadLetters: DeadLetter[] = [];
  let id = 0;
  const entry = createSendGridEventsEntry({
    publicKey: options.verify === false ? null : parseWebhookPublicKey(publicKeyBase64),
    take: async (events) => {
      if (options.fail) throw new Error('ledger unavailable');
      taken.push([...events]);
      return { recorded: events.length, suppressed: 0, dead_lettered: 0, ignored: 0 };
    },
    deadLetters: { put: async (records) => void deadLetters.push(...records) },
    clock: createManualClock(now),
    newId: () => `dl-${++id}`,
  });
  return { entry, taken, deadLetters };
}

const batch = JSON.stringify([{ event: 'delivered', sg_event_id: 'e1', timestamp: 1_764_583_000, send_id: 's1' }]);

describe('the SendGrid Event Webhook entry', () => {
  test('a batch signed with the key is taken, as parsed from the exact bytes', async () => {
    const h = harness();
    const response = await h.entry(signed(batch));
    assert.equal(response.status, 200);
    assert.deepEqual(h.taken, [JSON.parse(batch)]);
    assert.deepEqual(JSON.parse(String(response.body)), { received: 1, recorded: 1, suppressed: 0, dead_lettered: 0, ignored: 0 });
  });

  test('no signature headers: 401, nothing taken or stored', async () => {
    const h = harness();
    assert.equal((await h.entry(request(batch))).status, 401);
    assert.deepEqual([h.taken, h.deadLetters], [[], []]);
  });

  test('a body changed after signing (even by whitespace), another key, a garbled signature: 403, nothing stored', async () => {
    const h = harness();
    const good = signed(batch);
    const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
    const requests = [
      { ...good, rawBody: Buffer.from(batch + ' ') },
      { ...good, rawBody: Buffer.from(batch.replace('delivered', 'spamreport')) },
      signed(batch, nowSeconds, other),
      request(batch, { 'x-twilio-email-event-webhook-signature': 'bm90IGEgc2lnbmF0dXJl', 'x-twilio-email-event-webhook-timestamp': nowSeconds }),
      request(batch, { 'x-twilio-email-event-webhook-signature': good.headers['x-twilio-email-event-webhook-signature']!, 'x-twilio-email-event-webhook-timestamp': `${nowSeconds}0` }),
    ];
    for (const r of requests) assert.equal((await h.entry(r)).status, 403);
    assert.deepEqual([h.taken, h.deadLetters], [[], []]);
  });

  test('a correctly signed request older than five minutes is a replay: 403; at five minutes it is still taken', async () => {
    const h = harness();
    assert.equal((await h.entry(signed(batch, String(now.getTime() / 1000 - 301)))).status, 403);
    assert.equal((await h.entry(signed(batch, String(now.getTime() / 1000 + 301)))).status, 403);
    assert.equal(h.taken.length, 0);
    assert.equal((await h.entry(signed(batch, String(now.getTime() / 1000 - 300)))).status, 200);
  });

  test('signed but not JSON, or JSON but not an array: 400 and the body dead-lettered whole', async () => {
    const h = harness();
    assert.equal((await h.entry(signed('not json'))).status, 400);
    assert.equal((await h.entry(signed('{"event":"open"}'))).status, 400);
    assert.deepEqual(h.deadLetters.map((d) => [d.stage, d.reason, d.payload, d.errors[0]!.message]), [
      ['sendgrid-webhook', 'invalid_body', 'not json', 'body is not JSON'],
      ['sendgrid-webhook', 'invalid_body', '{"event":"open"}', 'body is not a JSON array of events'],
    ]);
    assert.equal(h.taken.length, 0);
  });

  test('a failure while taking the batch answers 503, so SendGrid sends it again', async () => {
    const response = await harness({ fail: true }).entry(signed(batch));
    assert.equal(response.status, 503);
    assert.equal(response.headers?.['retry-after'], '30');
  });

  test('without signature headers a post is refused before its body is read; with them it may send 4 MB, 8 at a time', () => {
    const h = harness();
    const head = (headers: Record<string, string>) => ({ method: 'POST', path: '/webhooks/sendgrid', headers, query: new URLSearchParams() });
    const refused = h.entry.admit?.(head({ 'content-length': '100' }));
    assert.ok(refused && 'refuse' in refused && refused.refuse.status === 401);
    const admitted = h.entry.admit?.(head({ 'content-length': '100', 'x-twilio-email-event-webhook-signature': 's', 'x-twilio-email-event-webhook-timestamp': '1' }));
    assert.ok(admitted && !('refuse' in admitted));
    assert.deepEqual([admitted.maxBodyBytes, admitted.maxConcurrentBodies], [4 * 1024 * 1024, 8]);
  });

  test('only POST; a declared body over the cap is refused before it is read', async () => {
    const h = harness();
    assert.equal((await h.entry(request(batch, {}, 'GET'))).status, 405);
    assert.deepEqual(h.entry.admit?.({ method: 'POST', path: '/webhooks/sendgrid', headers: { 'content-length': String(64 * 1024 * 1024), 'x-twilio-email-event-webhook-signature': 's', 'x-twilio-email-event-webhook-timestamp': '1' }, query: new URLSearchParams() }), {
      refuse: { status: 413, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify({ error: 'body larger than 4194304 bytes' }) },
    });
  });

  test('with verification off (local tests only) an unsigned batch is taken', async () => {
    const h = harness({ verify: false });
    assert.equal((await h.entry(request(batch))).status, 200);
    assert.equal(h.taken.length, 1);
  });
});

describe('parseWebhookPublicKey', () => {
  test("takes SendGrid's base64 DER key, or the same key as PEM", () => {
    assert.equal(parseWebhookPublicKey(publicKeyBase64).asymmetricKeyType, 'ec');
    assert.equal(parseWebhookPublicKey(publicKey.export({ format: 'pem', type: 'spki' }).toString()).asymmetricKeyType, 'ec');
  });

  test('anything else is refused naming the variable', () => {
    assert.throws(() => parseWebhookPublicKey('not-a-key'), /SENDGRID_WEBHOOK_PUBLIC_KEY/);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
    assert.throws(() => parseWebhookPublicKey(rsa), /SENDGRID_WEBHOOK_PUBLIC_KEY.*rsa/);
  });
});

describe('checkWebhookSignature', () => {
  const key = parseWebhookPublicKey(`\n  ${publicKeyBase64}\n`);
  const body = Buffer.from(batch);
  const signatureOf = (timestamp: string) => sign('sha256', Buffer.concat([Buffer.from(timestamp), body]), privateKey).toString('base64');
  const check = (signature: string | undefined, timestamp: string | undefined) => checkWebhookSignature({ key, signature, timestamp, rawBody: body, now });

  test('each answer for its case (a key pasted with surrounding whitespace still parses)', () => {
    assert.equal(check(signatureOf(nowSeconds), nowSeconds), 'valid');
    assert.equal(check(undefined, nowSeconds), 'missing');
    assert.equal(check(signatureOf(nowSeconds), undefined), 'missing', 'one header without the other');
    assert.equal(check('', nowSeconds), 'missing');
    assert.equal(check('%%%', nowSeconds), 'invalid', 'not base64');
    const old = String(now.getTime() / 1000 - 301);
    assert.equal(check(signatureOf(old), old), 'stale');
  });

  test('a timestamp that is not whole seconds is refused even when it was signed so', () => {
    for (const timestamp of [`${nowSeconds}.5`, `+${nowSeconds}`, `${nowSeconds}abc`, `abc${nowSeconds}`, '1e9']) {
      assert.equal(check(signatureOf(timestamp), timestamp), 'invalid', timestamp);
    }
    assert.equal(check(signatureOf(`${nowSeconds}000`), `${nowSeconds}000`), 'not_seconds', 'milliseconds are named as such');
  });
});
