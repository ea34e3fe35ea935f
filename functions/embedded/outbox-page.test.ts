import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { HttpRequest } from '../http.ts';
import type { OutgoingEmail } from '../../pipelines/delivery/mailer.ts';
import { sendId } from '../../pipelines/delivery/send-id.ts';
import { createManualClock } from '../../pipelines/shared/clock.ts';
import { createOutboxMailer, outboxPath } from './outbox-mailer.ts';
import { createOutboxPageEntry } from './outbox-page.ts';

const root = mkdtempSync(join(tmpdir(), 'nudge-outbox-page-'));
after(() => rmSync(root, { recursive: true, force: true }));

const get = (path: string, method = 'GET', host = '127.0.0.1:8080'): HttpRequest => ({ method, path, headers: { host }, query: new URLSearchParams(), rawBody: Buffer.alloc(0) });

const emailFor = (cart: string, overrides: Partial<OutgoingEmail> = {}): OutgoingEmail => {
  const send_id = sendId('cart-abandonment', cart, 0);
  return {
    send_id,
    to: { email: 'zoe@example.com', name: 'Zoë <Ångström>' },
    from: { email: 'hello@shop.example', name: 'Shöp & Co' },
    subject: `Your cart ${cart} <is waiting>`,
    html: `<!doctype html><html><head><style>p { color: red; }</style></head><body class="email"><p>Hi Zoë, socks × 2</p><img src="https://cdn.example/42.jpg" alt="Socks"><script>alert(1)</script></body></html>`,
    text: `Hi Zoë,\nWool socks × 2 (${cart})`,
    headers: { 'List-Unsubscribe': '<https://mail.shop.example/unsubscribe?token=abc.def>', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
    categories: ['cart-abandonment'],
    custom_args: { send_id, campaign_id: 'cart-abandonment', variant_id: 'a' },
    ...overrides,
  };
};

describe('outbox page', () => {
  const dataDir = join(root, 'data');
  const entry = createOutboxPageEntry({ dataDir });
  const first = emailFor('cart-1');
  const second = emailFor('cart-2');
  const textOnly = emailFor('cart-3');

  test('an outbox that does not exist yet lists no email', async () => {
    const response = await createOutboxPageEntry({ dataDir: join(root, 'empty') })(get('/outbox'));
    assert.equal(response.status, 200);
    assert.match(String(response.body), /No email has been sent yet/);
  });

  before(async () => {
    const clock = createManualClock('2026-03-01T10:00:00.000Z');
    const mailer = createOutboxMailer({ dataDir, clock });
    await mailer(first);
    clock.advance(60_000);
    await mailer(second);
    clock.advance(60_000);
    // A text-only message cannot come from the mailer (html is required): write one by hand.
    writeFileSync(
      outboxPath(dataDir, textOnly.send_id),
      ['From: Shop <hello@shop.example>', 'To: zoe@example.com', 'Subject: Plain <only>', 'Date: Sun, 01 Mar 2026 09:00:00 +0000', 'Content-Type: text/plain; charset=utf-8', '', 'Just <text>.', ''].join('\r\n'),
    );
  });

  test('GET /outbox lists every email newest first with escaped subject, recipient, date and links', async () => {
    for (const path of ['/outbox', '/outbox/']) {
      const response = await entry(get(path));
      assert.equal(response.status, 200);
      assert.equal(response.headers!['content-type'], 'text/html; charset=utf-8');
      const page = String(response.body);
      assert.match(page, /3 emails, newest first/);
      const order = [second, first, textOnly].map((email) => page.indexOf(`href="/outbox/${email.send_id}"`));
      assert.ok(order.every((at) => at > 0), 'each email links to its view');
      assert.deepStrictEqual([...order].sort((a, b) => a - b), order, 'newest first');
      assert.ok(page.includes('Your cart cart-2 &#60;is waiting&#62;'), 'subject escaped');
      assert.ok(!page.includes('<is waiting>'));
      assert.ok(page.includes('<td>Zoë &#60;Ångström&#62; &#60;zoe@example.com&#62;</td>'), 'recipient escaped');
      assert.ok(page.includes('2026-03-01T10:01:00.000Z'));
      assert.ok(page.includes(`href="/outbox/${first.send_id}.eml"`));
      assert.ok(page.includes(`href="/outbox/${first.send_id}.txt"`));
    }
  });

  test('GET /outbox/<id> serves the email\'s own HTML with an escaped header bar and a script-blocking CSP', async () => {
    const response = await entry(get(`/outbox/${first.send_id}`));
    assert.equal(response.status, 200);
    const csp = response.headers!['content-security-policy']!;
    assert.match(csp, /script-src 'none'/);
    assert.match(csp, /(^|; )sandbox /);
    assert.doesNotMatch(csp, /allow-scripts|allow-same-origin/);
    const page = String(response.body);
    assert.match(page, /^<!doctype html><html><head><style>p \{ color: red; \}<\/style><\/head><body class="email"><div id="nudge-outbox-bar"/, 'the bar sits right after <body>, the email document intact');
    const bar = page.slice(page.indexOf('<div id="nudge-outbox-bar"'), page.indexOf('<p>Hi Zoë'));
    assert.ok(bar.includes('Your cart cart-1 &#60;is waiting&#62;'), bar);
    assert.ok(bar.includes('From: Shöp &#38; Co &#60;hello@shop.example&#62;'), bar);
    assert.ok(bar.includes('To: Zoë &#60;Ångström&#62; &#60;zoe@example.com&#62;'), bar);
    assert.ok(!bar.includes('<is waiting>') && !bar.includes('<Ångström>'), 'header values are escaped');
    assert.ok(page.includes('<img src="https://cdn.example/42.jpg" alt="Socks">'), 'the email HTML is served as sent');
  });

  test('a text-only email is shown as escaped preformatted text under the bar', async () => {
    const response = await entry(get(`/outbox/${textOnly.send_id}`));
    assert.equal(response.status, 200);
    const page = String(response.body);
    assert.match(page, /<pre[^>]*>Just &#60;text&#62;\.\r?\n?<\/pre>/);
    assert.ok(page.includes('Plain &#60;only&#62;'));
  });

  test('GET /outbox/<id>.eml downloads the exact file; .txt answers the text part', async () => {
    const eml = await entry(get(`/outbox/${first.send_id}.eml`));
    assert.equal(eml.status, 200);
    assert.equal(eml.headers!['content-type'], 'message/rfc822');
    assert.equal(eml.headers!['content-disposition'], `attachment; filename="${first.send_id}.eml"`);
    assert.ok(Buffer.isBuffer(eml.body));
    assert.deepStrictEqual(eml.body, readFileSync(outboxPath(dataDir, first.send_id)));

    const text = await entry(get(`/outbox/${first.send_id}.txt`));
    assert.equal(text.status, 200);
    assert.equal(text.headers!['content-type'], 'text/plain; charset=utf-8');
    assert.equal(String(text.body).replace(/\r\n/g, '\n'), first.text);
  });

  test('unknown ids, ids that are not send ids and traversal attempts are 404; other methods 405', async () => {
    const unknown = sendId('x', 'z', 0);
    writeFileSync(join(dataDir, 'secret.txt'), 'do not serve');
    for (const path of [
      `/outbox/${unknown}`,
      `/outbox/${unknown}.eml`,
      `/outbox/${unknown}.txt`,
      '/outbox/../secret',
      '/outbox/..%2Fsecret.txt',
      '/outbox/%2e%2e/secret.txt',
      '/outbox/.hidden.eml',
      '/outbox/a/b',
      `/outbox/${first.send_id}.html`,
      '/outboxes',
    ]) {
      const response = await entry(get(path));
      assert.equal(response.status, 404, path);
      assert.doesNotMatch(String(response.body), /do not serve/, path);
    }
    const response = await entry(get('/outbox', 'POST'));
    assert.equal(response.status, 405);
    assert.equal(response.headers!.allow, 'GET, HEAD');
  });

  test('DNS rebinding: a Host that is not a loopback name (or the configured host) is refused with 403', async () => {
    for (const host of ['evil.example', 'evil.example:8080', '']) {
      const response = await entry(get('/outbox', 'GET', host));
      assert.equal(response.status, 403, host);
      assert.doesNotMatch(String(response.body), /zoe@example\.com/);
    }
    for (const host of ['localhost:8080', '127.0.0.1:8080', '[::1]:8080', 'LOCALHOST']) {
      assert.equal((await entry(get('/outbox', 'GET', host))).status, 200, host);
    }
    const named = createOutboxPageEntry({ dataDir, allowedHosts: ['nudge.internal'] });
    assert.equal((await named(get('/outbox', 'GET', 'nudge.internal:8080'))).status, 200);
  });
});
