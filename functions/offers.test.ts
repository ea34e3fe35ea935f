import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createWriteKeys } from './collect/write-keys.ts';
import type { HttpRequest } from './http.ts';
import { createOfferCheckEntry, maxOfferCheckBodyBytes } from './offers.ts';
import { signOfferCode } from '../pipelines/content/offer-code.ts';
import { createManualClock } from '../pipelines/shared/clock.ts';

const key = 'k'.repeat(32);
const oldKey = 'o'.repeat(32);
const serverKey = 'server-key-1';
const browserKey = 'browser-key-1';
const expiresAt = new Date('2026-03-02T10:00:00.000Z');
const code = signOfferCode({ prefix: 'LOOK10', expiresAt, sendId: 'send-1' }, key);

const basic = (writeKey: string) => `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;
function request(body: unknown, headers: Record<string, string | undefined> = { authorization: basic(serverKey) }, method = 'POST', path = '/v1/offers/check'): HttpRequest {
  const rawBody = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  return { method, path, headers: { 'content-type': 'application/json', ...headers }, query: new URLSearchParams(), rawBody };
}

function setup(at = new Date('2026-03-01T10:00:00.000Z')) {
  const logs: Record<string, unknown>[] = [];
  const clock = createManualClock(at);
  const entry = createOfferCheckEntry({ writeKeys: createWriteKeys([browserKey], [serverKey]), linkKeys: [key, oldKey], clock, log: (line) => logs.push(line) });
  return { entry, logs, clock };
}
const json = (body: string | Buffer | undefined) => JSON.parse(String(body)) as Record<string, unknown>;

describe('POST /v1/offers/check', () => {
  test('a valid code: its prefix and expiry; never logged in full', async () => {
    const { entry, logs } = setup();
    const response = await entry(request({ code }));
    assert.equal(response.status, 200);
    assert.equal(response.headers!['cache-control'], 'no-store');
    assert.deepEqual(json(response.body), { valid: true, code_prefix: 'LOOK10', expires_at: '2026-03-02T10:00:00.000Z' });
    assert.equal(logs.length, 1);
    assert.doesNotMatch(JSON.stringify(logs), new RegExp(code.slice(7)));
    assert.equal(logs[0]!.code_prefix, 'LOOK10');
  });

  test('expired once the injected clock reaches the expiry', async () => {
    const { entry, clock } = setup();
    clock.set(expiresAt);
    const response = await entry(request({ code }));
    assert.deepEqual(json(response.body), { valid: false, reason: 'expired' });
  });

  test('tampered, static and junk codes are unknown', async () => {
    const { entry, logs } = setup();
    const tampered = code.slice(0, -1) + (code.endsWith('Z') ? 'Y' : 'Z');
    for (const candidate of [tampered, `SHIPIT-${code.slice(7)}`, 'LOOK10', 'ada@example.com']) {
      const response = await entry(request({ code: candidate }));
      assert.equal(response.status, 200);
      assert.deepEqual(json(response.body), { valid: false, reason: 'unknown' }, candidate);
    }
    assert.doesNotMatch(JSON.stringify(logs), new RegExp(`ada@example|${tampered.slice(7)}|${code.slice(7)}`));
    assert.deepEqual(logs.map((line) => line.code_prefix), ['LOOK10', 'SHIPIT', null, null]);
  });

  test('rotation: a code signed with the older key still verifies; one signed with a foreign key does not', async () => {
    const { entry } = setup();
    const old = signOfferCode({ prefix: 'LOOK10', expiresAt, sendId: 'send-2' }, oldKey);
    assert.equal(json((await entry(request({ code: old }))).body).valid, true);
    const foreign = signOfferCode({ prefix: 'LOOK10', expiresAt, sendId: 'send-2' }, 'f'.repeat(32));
    assert.deepEqual(json((await entry(request({ code: foreign }))).body), { valid: false, reason: 'unknown' });
  });

  test('a browser key is refused with 403, a missing or unknown key with 401, before the body is read', async () => {
    const { entry } = setup();
    const browser = await entry(request({ code }, { authorization: basic(browserKey) }));
    assert.equal(browser.status, 403);
    assert.match(JSON.stringify(json(browser.body)), /needs a server write key/);
    for (const headers of [{}, { authorization: basic('nope') }, { authorization: 'Bearer x' }]) {
      const response = await entry(request({ code }, headers));
      assert.equal(response.status, 401);
      assert.equal(response.headers!['www-authenticate'], 'Basic realm="nudge"');
    }
    const head = (headers: Record<string, string>) => ({ method: 'POST', path: '/v1/offers/check', headers, query: new URLSearchParams() });
    const refused = (admission: ReturnType<NonNullable<typeof entry.admit>>) => ('refuse' in admission ? admission.refuse.status : null);
    assert.equal(refused(entry.admit!(head({ authorization: basic(browserKey) }))), 403);
    assert.equal(refused(entry.admit!(head({}))), 401);
    assert.equal(refused(entry.admit!(head({ authorization: basic(serverKey), 'content-length': String(maxOfferCheckBodyBytes + 1) }))), 413);
    const admitted = entry.admit!(head({ authorization: basic(serverKey) }));
    assert.ok(!('refuse' in admitted) && admitted.maxBodyBytes === maxOfferCheckBodyBytes);
  });

  test('a malformed body is a 400 naming the field', async () => {
    const { entry } = setup();
    const cases: [unknown, string, RegExp][] = [
      ['not json', '', /not JSON/],
      [[code], '', /JSON object/],
      [{}, 'code', /Required/],
      [{ code: 42 }, 'code', /Expected a string, got number/],
      [{ code: null }, 'code', /got null/],
      [{ code: '  ' }, 'code', /empty/],
      [{ code: 'X'.repeat(65) }, 'code', /At most 64/],
    ];
    for (const [body, path, message] of cases) {
      const response = await entry(request(body));
      assert.equal(response.status, 400, JSON.stringify(body));
      const [error] = json(response.body).errors as { path: string; message: string }[];
      assert.equal(error!.path, path);
      assert.match(error!.message, message);
    }
  });

  test('other methods, paths and oversize bodies are refused', async () => {
    const { entry } = setup();
    assert.equal((await entry(request({ code }, undefined, 'GET'))).status, 405);
    assert.equal((await entry(request({ code }, undefined, 'POST', '/v1/offers'))).status, 404);
    assert.equal((await entry(request({ code: code, pad: 'x'.repeat(maxOfferCheckBodyBytes) }))).status, 413);
    assert.equal((await entry(request({ code }, undefined, 'POST', '/nudge/v1/offers/check'))).status, 200, 'under a path prefix (a load balancer)');
  });

  test('needs a link key', () => {
    assert.throws(() => createOfferCheckEntry({ writeKeys: createWriteKeys([], [serverKey]), linkKeys: [], clock: createManualClock(new Date()) }), /link-signing key/);
  });
});
