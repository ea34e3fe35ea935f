import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { HttpRequest } from './http.ts';
import { createUnsubscribeEntry, type UnsubscribeDeps } from './unsubscribe.ts';
import { signToken, type LinkTokenPayload } from '../pipelines/delivery/signed-links.ts';
import { createManualClock } from '../pipelines/shared/clock.ts';

const key = 'k'.repeat(32);
const oldKey = 'o'.repeat(32);
const now = new Date('2026-03-01T10:00:00.000Z');
const token = (overrides: Partial<LinkTokenPayload> = {}, signingKey = key) =>
  signToken({ kind: 'unsubscribe', send_id: 'send-1', person_id: 'person-<b>zoe@example.com</b>', exp: now.getTime() / 1000 + 3600, ...overrides }, signingKey);

function request(method: string, query: Record<string, string>, body = '', contentType = 'application/x-www-form-urlencoded'): HttpRequest {
  return { method, path: '/unsubscribe', headers: { 'content-type': contentType }, query: new URLSearchParams(query), rawBody: Buffer.from(body) };
}

function setup(overrides: Partial<UnsubscribeDeps> = {}) {
  const calls: Array<{ person_id: string; send_id: string; at: Date }> = [];
  const logs: Record<string, unknown>[] = [];
  const entry = createUnsubscribeEntry({
    linkKeys: [key, oldKey],
    unsubscribe: async (call) => {
      calls.push(call);
    },
    clock: createManualClock(now),
    log: (line) => logs.push(line),
    ...overrides,
  });
  return { entry, calls, logs };
}
const text = (body: unknown) => String(body);

describe('unsubscribe entry', () => {
  test('GET shows a confirmation page with a POST form and unsubscribes nobody (scanners prefetch links)', async () => {
    const { entry, calls } = setup();
    const t = token();
    const response = await entry(request('GET', { token: t }));
    assert.equal(response.status, 200);
    assert.match(response.headers!['content-type']!, /^text\/html; charset=utf-8$/);
    assert.match(response.headers!['content-security-policy']!, /default-src 'none'/);
    assert.equal(response.headers!['cache-control'], 'no-store');
    assert.equal(response.headers!['referrer-policy'], 'no-referrer');
    const page = text(response.body);
    assert.ok(page.includes(`<form method="post" action="?token=${t}">`), page);
    assert.match(page, /<input type="hidden" name="List-Unsubscribe" value="One-Click">/);
    assert.match(page, /<button type="submit">Unsubscribe<\/button>/);
    assert.doesNotMatch(page, /zoe|person-/, 'no personal data on the page');
    assert.deepStrictEqual(calls, []);
    assert.equal((await entry(request('HEAD', { token: t }))).status, 200);
    assert.deepStrictEqual(calls, []);
  });

  test('one-click POST (RFC 8058 body) unsubscribes the token\'s person at once and answers 200', async () => {
    const { entry, calls, logs } = setup();
    const response = await entry(request('POST', { token: token() }, 'List-Unsubscribe=One-Click'));
    assert.equal(response.status, 200);
    assert.match(text(response.body), /You are unsubscribed/);
    assert.doesNotMatch(text(response.body), /zoe|person-/);
    assert.deepStrictEqual(calls, [{ person_id: 'person-<b>zoe@example.com</b>', send_id: 'send-1', at: now }]);
    assert.deepStrictEqual(logs, [{ severity: 'INFO', message: 'unsubscribe: done', send_id: 'send-1' }]);
    assert.doesNotMatch(JSON.stringify(logs), /zoe|person-/, 'logs carry the send id, never the person');
  });

  test('a multipart one-click body, an empty body and a repeat all unsubscribe: the token is the authority', async () => {
    const { entry, calls } = setup();
    const multipart = '--b\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--b--\r\n';
    assert.equal((await entry(request('POST', { token: token() }, multipart, 'multipart/form-data; boundary=b'))).status, 200);
    assert.equal((await entry(request('POST', { token: token() }, ''))).status, 200);
    assert.equal((await entry(request('post', { token: token() }))).status, 200);
    assert.equal(calls.length, 3);
  });

  test('a link signed with a rotated-out key still works', async () => {
    const { entry, calls } = setup();
    assert.equal((await entry(request('POST', { token: token({ send_id: 'send-old' }, oldKey) }))).status, 200);
    assert.deepStrictEqual(calls.map((c) => c.send_id), ['send-old']);
  });

  test('missing, tampered, foreign-key, expired or non-unsubscribe tokens get the 400 page and change nothing', async () => {
    const { entry, calls } = setup();
    const good = token();
    const [body, mac] = good.split('.') as [string, string];
    const forged = Buffer.from(JSON.stringify({ kind: 'unsubscribe', send_id: 'send-1', person_id: 'someone-else' })).toString('base64url');
    const cases: Array<[string, Record<string, string>]> = [
      ['missing', {}],
      ['empty', { token: '' }],
      ['garbage', { token: 'not-a-token' }],
      ['payload swapped', { token: `${forged}.${mac}` }],
      ['signature altered', { token: `${body}.${mac.slice(0, -2)}AA` }],
      ['unknown key', { token: token({}, 'x'.repeat(32)) }],
      ['expired', { token: token({ exp: now.getTime() / 1000 - 1 }) }],
      ['a click token', { token: token({ kind: 'click', url: 'https://shop.example/' }) }],
    ];
    for (const [what, query] of cases) {
      for (const method of ['GET', 'POST']) {
        const response = await entry(request(method, query, 'List-Unsubscribe=One-Click'));
        assert.equal(response.status, 400, `${what} ${method}`);
        assert.match(text(response.body), /not valid/, `${what} ${method}`);
        assert.doesNotMatch(text(response.body), /<form/, `${what} ${method}: no button to press`);
      }
    }
    assert.deepStrictEqual(calls, []);
  });

  test('a failing suppression answers 503 with Retry-After, and logs without personal data', async () => {
    const { entry, logs } = setup({
      unsubscribe: async () => {
        throw new Error('bus down');
      },
    });
    const response = await entry(request('POST', { token: token() }, 'List-Unsubscribe=One-Click'));
    assert.equal(response.status, 503);
    assert.equal(response.headers!['retry-after'], '30');
    assert.doesNotMatch(text(response.body), /unsubscribed/i);
    assert.deepStrictEqual(logs, [{ severity: 'ERROR', message: 'unsubscribe: could not record the suppression', send_id: 'send-1', error: 'Error: bus down' }]);
  });

  test('other methods get 405; no keys is a configuration error', async () => {
    const { entry, calls } = setup();
    const response = await entry(request('PUT', { token: token() }));
    assert.equal(response.status, 405);
    assert.equal(response.headers!.allow, 'GET, HEAD, POST');
    assert.deepStrictEqual(calls, []);
    assert.throws(() => createUnsubscribeEntry({ linkKeys: [], unsubscribe: async () => undefined, clock: createManualClock(now) }), /link-signing key/);
  });
});

describe('the unsubscribe is recorded for the KPIs', () => {
  const rowsOf = () => {
    const rows: Record<string, unknown>[] = [];
    return { rows, facts: { insertRows: async (table: string, inserted: readonly Record<string, unknown>[]) => void rows.push(...inserted.map((row) => ({ table, ...row }))) } };
  };

  test('a POST with a link that names its campaign queues one email_events row; a repeat is the same row; a GET none', async () => {
    const { rows, facts } = rowsOf();
    const { entry } = setup({ facts });
    const link = token({ campaign_id: 'cart-abandonment' });
    await entry(request('GET', { token: link }));
    assert.equal(rows.length, 0, 'the confirmation page records nothing');
    assert.equal((await entry(request('POST', { token: link }, 'List-Unsubscribe=One-Click'))).status, 200);
    assert.equal((await entry(request('POST', { token: link }, 'List-Unsubscribe=One-Click'))).status, 200);
    assert.equal(rows.length, 2);
    assert.equal(rows[0]!.email_event_id, rows[1]!.email_event_id, 'one key per send');
    assert.deepEqual([rows[0]!.table, rows[0]!.event_type, rows[0]!.source, rows[0]!.send_id, rows[0]!.campaign_id, rows[0]!.person_id, rows[0]!.occurred_at], [
      'email_events', 'unsubscribe', 'first_party', 'send-1', 'cart-abandonment', 'person-<b>zoe@example.com</b>', now.toISOString(),
    ]);
  });

  test('a link signed before links carried the campaign still unsubscribes, without a row', async () => {
    const { rows, facts } = rowsOf();
    const { entry, calls } = setup({ facts });
    assert.equal((await entry(request('POST', { token: token() }))).status, 200);
    assert.equal(calls.length, 1);
    assert.equal(rows.length, 0);
  });

  test('a row that cannot be queued leaves the unsubscribe done (200) and logs no personal data', async () => {
    const { entry, calls, logs } = setup({ facts: { insertRows: async () => Promise.reject(new Error('bus down for zoe@example.com')) } });
    assert.equal((await entry(request('POST', { token: token({ campaign_id: 'c' }) }))).status, 200);
    assert.equal(calls.length, 1);
    assert.doesNotMatch(JSON.stringify(logs), /zoe/);
  });
});
