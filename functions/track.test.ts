import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { HttpRequest } from './http.ts';
import { createTrackEntry, TRACKING_PIXEL, type TrackDeps } from './track.ts';
import { signToken, type LinkTokenPayload } from '../pipelines/delivery/signed-links.ts';
import { EmailEvent } from '../pipelines/engagement/email-event.ts';
import { createManualClock } from '../pipelines/shared/clock.ts';
import type { WarehouseRow } from '../pipelines/warehouse/warehouse.ts';

const key = 'k'.repeat(32);
const oldKey = 'o'.repeat(32);
const sentAt = new Date('2026-03-01T10:00:00.000Z');
const iat = sentAt.getTime() / 1000;
const destination = 'https://shop.example/cart?r=1&utm_source=nudge&utm_medium=email';
const chrome = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
const common = { send_id: 'send-1', person_id: 'person-1', campaign_id: 'cart-abandonment', iat, exp: iat + 86_400 };
const clickToken = (overrides: Partial<LinkTokenPayload> = {}, signingKey = key) => signToken({ kind: 'click', ...common, url: destination, link_index: 2, ...overrides }, signingKey);
const openToken = (overrides: Partial<LinkTokenPayload> = {}) => signToken({ kind: 'open', ...common, ...overrides }, key);

function request(method: string, path: string, headers: Record<string, string> = { 'user-agent': chrome }): HttpRequest {
  return { method, path, headers, query: new URLSearchParams(), rawBody: Buffer.alloc(0), remoteAddress: '203.0.113.9' };
}

function setup(overrides: Partial<TrackDeps> = {}, at = new Date(sentAt.getTime() + 10 * 60_000)) {
  const rows: { table: string; row: WarehouseRow }[] = [];
  const logs: Record<string, unknown>[] = [];
  const clock = createManualClock(at);
  const entry = createTrackEntry({
    linkKeys: [key, oldKey],
    facts: { insertRows: async (table, inserted) => void rows.push(...inserted.map((row) => ({ table, row }))) },
    clock,
    log: (line) => logs.push(line),
    ...overrides,
  });
  return { entry, rows, logs, clock };
}

/** Flips one character in the middle of the payload part. */
function tamper(token: string): string {
  const i = Math.floor(token.indexOf('.') / 2);
  return token.slice(0, i) + (token[i] === 'A' ? 'B' : 'A') + token.slice(i + 1);
}

describe('click redirect', () => {
  test('a valid click redirects to exactly the signed URL and writes one human click row', async () => {
    const { entry, rows } = setup();
    const response = await entry(request('GET', `/c/${clickToken()}`));
    assert.equal(response.status, 302);
    assert.equal(response.headers!.location, destination);
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.table, 'email_events');
    const row = EmailEvent.parse(rows[0]!.row);
    assert.deepEqual(
      { ...row, email_event_id: undefined },
      {
        email_event_id: undefined,
        send_id: 'send-1',
        campaign_id: 'cart-abandonment',
        person_id: 'person-1',
        event_type: 'click',
        source: 'first_party',
        occurred_at: '2026-03-01T10:10:00.000Z',
        received_at: '2026-03-01T10:10:00.000Z',
        is_machine: false,
        machine_reason: null,
        bounce_type: null,
        status_code: null,
        url: destination,
        link_index: 2,
        provider_message_id: null,
      },
    );
    assert.match(row.email_event_id, /^first_party:[0-9a-f]{32}$/);
  });

  test('a token signed with a rotated-out key still redirects; behind a path prefix too', async () => {
    const { entry } = setup();
    const response = await entry(request('GET', `/nudge/c/${clickToken({}, oldKey)}`));
    assert.equal(response.status, 302);
    assert.equal(response.headers!.location, destination);
  });

  test('tampered, expired, foreign-key, wrong-kind, junk and non-http tokens get a plain 400 page: no Location, no row', async () => {
    const { entry, rows } = setup();
    const invalid = {
      tampered: tamper(clickToken()),
      expired: clickToken({ exp: iat + 60 }),
      foreign: clickToken({}, 'f'.repeat(32)),
      'an open token': openToken(),
      'an unsubscribe token': signToken({ kind: 'unsubscribe', send_id: 's', person_id: 'p' }, key),
      'no campaign': signToken({ kind: 'click', send_id: 's', person_id: 'p', url: destination }, key),
      'no URL': signToken({ kind: 'click', ...common }, key),
      'a javascript: URL': clickToken({ url: 'javascript:alert(1)' }),
      'a data: URL': clickToken({ url: 'data:text/html,hi' }),
      junk: 'not-a-token',
      empty: '',
    };
    const pages = new Set<string>();
    for (const [name, token] of Object.entries(invalid)) {
      const response = await entry(request('GET', `/c/${token}`));
      assert.equal(response.status, 400, name);
      assert.equal(response.headers!.location, undefined, name);
      assert.match(response.headers!['content-type']!, /^text\/html/, name);
      pages.add(String(response.body));
    }
    assert.equal(pages.size, 1, 'one page whatever the reason');
    assert.equal(rows.length, 0);
  });

  test('a HEAD is answered like a GET and kept as a machine click (head_request)', async () => {
    const { entry, rows } = setup();
    const response = await entry(request('HEAD', `/c/${clickToken()}`));
    assert.equal(response.status, 302);
    assert.equal(response.headers!.location, destination);
    assert.deepEqual([rows[0]!.row.is_machine, rows[0]!.row.machine_reason], [true, 'head_request']);
  });

  test('a click a second after sending, or by a link scanner, is kept as a machine click', async () => {
    const soon = setup({}, new Date(sentAt.getTime() + 1000));
    await soon.entry(request('GET', `/c/${clickToken()}`));
    assert.deepEqual([soon.rows[0]!.row.is_machine, soon.rows[0]!.row.machine_reason], [true, 'too_soon_after_delivery']);
    const scanner = setup();
    await scanner.entry(request('GET', `/c/${clickToken()}`, { 'user-agent': 'Mimecast' }));
    assert.deepEqual([scanner.rows[0]!.row.is_machine, scanner.rows[0]!.row.machine_reason], [true, 'user_agent']);
  });

  test('the row key is the same for the same request written twice, different for another hit', async () => {
    const { entry, rows, clock } = setup();
    const token = clickToken();
    await entry(request('GET', `/c/${token}`));
    clock.advance(5000);
    await entry(request('GET', `/c/${token}`));
    await entry(request('HEAD', `/c/${token}`));
    const ids = rows.map(({ row }) => row.email_event_id);
    assert.equal(new Set(ids).size, 3);
    const again = setup();
    await again.entry(request('GET', `/c/${token}`));
    assert.equal(again.rows[0]!.row.email_event_id, ids[0], 'same request, same instant: same key');
  });

  test('a failure to queue the row still redirects, and the log names no person, address or URL', async () => {
    const { entry, logs } = setup({ facts: { insertRows: async () => Promise.reject(new Error('topic unavailable')) } });
    const response = await entry(request('GET', `/c/${clickToken()}`));
    assert.equal(response.status, 302);
    assert.equal(response.headers!.location, destination);
    assert.ok(logs.some((line) => line.severity === 'ERROR'));
    const logged = JSON.stringify(logs);
    for (const secret of ['person-1', '203.0.113.9', 'shop.example', chrome]) assert.ok(!logged.includes(secret), secret);
  });

  test('other methods are refused before the token is looked at', async () => {
    const { entry, rows } = setup();
    assert.equal((await entry(request('POST', `/c/${clickToken()}`))).status, 405);
    assert.equal(rows.length, 0);
  });
});

describe('open pixel', () => {
  test('valid: 200 with the same 1x1 GIF and no-cache headers, and one open row', async () => {
    const { entry, rows } = setup();
    const response = await entry(request('GET', `/o/${openToken()}.gif`));
    assert.equal(response.status, 200);
    assert.equal(response.headers!['content-type'], 'image/gif');
    assert.match(response.headers!['cache-control']!, /no-store/);
    assert.ok(Buffer.isBuffer(response.body));
    assert.deepEqual(response.body, TRACKING_PIXEL);
    assert.deepEqual([...TRACKING_PIXEL.subarray(0, 6)], [...Buffer.from('GIF89a')]);
    assert.deepEqual([TRACKING_PIXEL.readUInt16LE(6), TRACKING_PIXEL.readUInt16LE(8)], [1, 1], '1×1');
    assert.equal(rows.length, 1);
    assert.deepEqual(
      { type: rows[0]!.row.event_type, url: rows[0]!.row.url, link_index: rows[0]!.row.link_index, machine: rows[0]!.row.is_machine },
      { type: 'open', url: null, link_index: null, machine: false },
    );
  });

  test('invalid: 400 and otherwise the very same answer (headers and bytes), and no row', async () => {
    const { entry, rows } = setup();
    const valid = await entry(request('GET', `/o/${openToken()}.gif`));
    for (const path of [`/o/${tamper(openToken())}.gif`, `/o/${openToken({ exp: iat + 1 })}.gif`, `/o/${clickToken()}.gif`, '/o/x.gif', `/o/${openToken()}`]) {
      const response = await entry(request('GET', path));
      assert.equal(response.status, 400, path);
      assert.deepEqual(response.headers, valid.headers, path);
      assert.deepEqual(response.body, valid.body, path);
    }
    assert.equal(rows.length, 1, 'only the valid hit');
  });

  test('pixel bytes are identical for every request', async () => {
    const { entry } = setup();
    const bodies = await Promise.all([openToken(), openToken({ send_id: 'other' }), 'junk'].map(async (token) => (await entry(request('GET', `/o/${token}.gif`))).body as Buffer));
    for (const body of bodies) assert.ok(body.equals(TRACKING_PIXEL));
  });

  test("an open seconds after sending, or by a link scanner, is a machine open; Gmail's proxy later is the person's", async () => {
    const soon = setup({}, new Date(sentAt.getTime() + 2000));
    await soon.entry(request('GET', `/o/${openToken()}.gif`));
    assert.equal(soon.rows[0]!.row.machine_reason, 'too_soon_after_delivery');
    const scanner = setup();
    await scanner.entry(request('GET', `/o/${openToken()}.gif`, { 'user-agent': 'Mozilla/5.0 (compatible; Proofpoint URL Defense)' }));
    assert.equal(scanner.rows[0]!.row.machine_reason, 'user_agent');
    const proxy = setup();
    await proxy.entry(request('GET', `/o/${openToken()}.gif`, { 'user-agent': 'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)' }));
    assert.deepEqual([proxy.rows[0]!.row.is_machine, proxy.rows[0]!.row.machine_reason], [false, null]);
  });

  test('a failure to queue the row still serves the pixel', async () => {
    const { entry } = setup({ facts: { insertRows: async () => Promise.reject(new Error('down')) } });
    const response = await entry(request('GET', `/o/${openToken()}.gif`));
    assert.equal(response.status, 200);
  });
});

test('a path that is neither /o/ nor /c/ is a 404', async () => {
  const { entry } = setup();
  assert.equal((await entry(request('GET', '/x/abc'))).status, 404);
});
