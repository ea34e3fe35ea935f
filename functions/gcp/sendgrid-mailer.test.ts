import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import { MailerOutcomeUnknownError, PermanentMailerError, TransientMailerError, type OutgoingEmail } from '../../pipelines/delivery/mailer.ts';
import { buildUnsubscribeUrl, listUnsubscribeHeaders, signToken } from '../../pipelines/delivery/signed-links.ts';
import { createManualClock } from '../../pipelines/shared/clock.ts';
import { createSendGridMailer, parseRetryAfter, type SendGridMailerDeps } from './sendgrid-mailer.ts';

/** A stand-in for api.sendgrid.com on 127.0.0.1: records each request, answers from a script. */
type Captured = { method: string; url: string; headers: IncomingMessage['headers']; body: Record<string, unknown> };
type Reply = (res: ServerResponse) => void;
const captured: Captured[] = [];
let script: Reply[] = [];
let server: Server;
let apiBase: string;

const accepted = (id: string): Reply => (res) => res.writeHead(202, { 'X-Message-Id': id }).end();
const status = (code: number, headers: Record<string, string> = {}, body: unknown = { errors: [] }): Reply => (res) => res.writeHead(code, { 'Content-Type': 'application/json', ...headers }).end(JSON.stringify(body));

before(async () => {
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    req.on('end', () => {
      captured.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: raw ? JSON.parse(raw) : {} });
      const reply = script.shift();
      if (reply) reply(res);
      else status(500, {}, { errors: [{ message: 'no scripted reply' }] })(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  apiBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  captured.length = 0;
  script = [];
});

const key = 'link-signing-key-of-at-least-32-bytes!';
const unsubscribeUrl = buildUnsubscribeUrl('https://mail.shop.example/nudge', signToken({ kind: 'unsubscribe', send_id: 's-1', person_id: 'person-1' }, key));
const email: OutgoingEmail = {
  send_id: 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
  to: { email: 'zoe@example.com', name: 'Zoë' },
  from: { email: 'hello@shop.example', name: 'Shop' },
  reply_to: { email: 'care@shop.example', name: 'Shop care' },
  subject: 'Zoë, your Wool socks are waiting',
  html: '<p>Hi Zoë</p><p>Wool socks × 2 <img src="https://cdn.example/42.jpg"></p>',
  text: 'Hi Zoë\nWool socks × 2',
  headers: listUnsubscribeHeaders(unsubscribeUrl),
  categories: ['cart-abandonment', 'step-0'],
  custom_args: { send_id: 'a1b2c3d4e5f60718293a4b5c6d7e8f90', campaign_id: 'cart-abandonment', variant_id: 'subject-b' },
};

function mailerWith(overrides: Partial<SendGridMailerDeps> = {}) {
  const sleeps: number[] = [];
  const mailer = createSendGridMailer({
    apiKey: 'SG.test-key',
    apiBase,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...overrides,
  });
  return { mailer, sleeps };
}

describe('sendgrid mailer against a local capture server', () => {
  test('POSTs /v3/mail/send with the personalised content, categories, custom_args and unsubscribe headers', async () => {
    script = [accepted('sg-msg-1')];
    const { mailer, sleeps } = mailerWith();
    assert.deepStrictEqual(await mailer(email), { provider: 'sendgrid', provider_message_id: 'sg-msg-1' });
    assert.deepStrictEqual(sleeps, []);
    assert.equal(captured.length, 1);
    const [request] = captured as [Captured];
    assert.equal(request.method, 'POST');
    assert.equal(request.url, '/v3/mail/send');
    assert.equal(request.headers.authorization, 'Bearer SG.test-key');
    assert.deepStrictEqual(request.body.personalizations, [{ to: [{ email: 'zoe@example.com', name: 'Zoë' }] }]);
    assert.deepStrictEqual(request.body.from, { email: 'hello@shop.example', name: 'Shop' });
    assert.deepStrictEqual(request.body.reply_to, { email: 'care@shop.example', name: 'Shop care' });
    assert.equal(request.body.subject, email.subject);
    assert.deepStrictEqual(request.body.content, [
      { type: 'text/plain', value: email.text },
      { type: 'text/html', value: email.html },
    ]);
    assert.deepStrictEqual(request.body.categories, ['cart-abandonment', 'step-0']);
    assert.deepStrictEqual(request.body.custom_args, email.custom_args);
    assert.deepStrictEqual(request.body.headers, {
      'List-Unsubscribe': `<${unsubscribeUrl}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    });
    assert.deepStrictEqual(request.body.tracking_settings, {
      click_tracking: { enable: false, enable_text: false },
      open_tracking: { enable: false },
      subscription_tracking: { enable: false },
    });
  });

  test('a message that asks for ESP tracking turns on SendGrid click and open tracking (never subscription tracking)', async () => {
    script = [accepted('sg-msg-t')];
    const { mailer } = mailerWith();
    await mailer({ ...email, esp_tracking: true });
    assert.deepStrictEqual(captured[0]!.body.tracking_settings, {
      click_tracking: { enable: true, enable_text: true },
      open_tracking: { enable: true },
      subscription_tracking: { enable: false },
    });
  });

  test('a 429 with Retry-After in seconds is retried once, after that wait', async () => {
    script = [status(429, { 'Retry-After': '2' }), accepted('sg-msg-2')];
    const { mailer, sleeps } = mailerWith();
    assert.deepStrictEqual(await mailer(email), { provider: 'sendgrid', provider_message_id: 'sg-msg-2' });
    assert.deepStrictEqual(sleeps, [2000]);
    assert.equal(captured.length, 2);
    assert.deepStrictEqual(captured[1]!.body, captured[0]!.body, 'the same request again');
  });

  test('a Retry-After HTTP date is waited for relative to the clock', async () => {
    script = [status(429, { 'Retry-After': 'Sun, 01 Mar 2026 10:00:07 GMT' }), accepted('sg-msg-3')];
    const { mailer, sleeps } = mailerWith({ clock: createManualClock('2026-03-01T10:00:00.000Z') });
    await mailer(email);
    assert.deepStrictEqual(sleeps, [7000]);
  });

  test('a 5xx may come after SendGrid queued the email: outcome unknown (in doubt), never retried blindly', async () => {
    for (const code of [500, 502, 503, 504]) {
      captured.length = 0;
      script = [status(code), accepted('would-be-a-duplicate')];
      const { mailer, sleeps } = mailerWith({ baseDelayMs: 100 });
      await assert.rejects(mailer(email), (error) => error instanceof MailerOutcomeUnknownError && error.message.includes(String(code)));
      assert.equal(captured.length, 1, `${code}: one request, no second email`);
      assert.deepStrictEqual(sleeps, []);
    }
  });

  test('a Retry-After longer than maxDelayMs is handed back instead of slept through', async () => {
    script = [status(429, { 'Retry-After': '120' })];
    const { mailer, sleeps } = mailerWith({ maxDelayMs: 30_000 });
    await assert.rejects(mailer(email), (error) => error instanceof TransientMailerError && error.retryAfterMs === 120_000);
    assert.equal(captured.length, 1);
    assert.deepStrictEqual(sleeps, []);
  });

  test('a 400 is permanent: no retry, and SendGrid’s reason is in the message', async () => {
    script = [status(400, {}, { errors: [{ message: 'Does not contain a valid address.', field: 'personalizations.0.to.0.email' }] })];
    const { mailer, sleeps } = mailerWith();
    await assert.rejects(
      mailer(email),
      (error) => error instanceof PermanentMailerError && error.status === 400 && /personalizations\.0\.to\.0\.email: Does not contain a valid address/.test(error.message),
    );
    assert.equal(captured.length, 1);
    assert.deepStrictEqual(sleeps, []);
  });

  test('an invalid message is refused before any request', async () => {
    const { mailer } = mailerWith();
    await assert.rejects(mailer({ ...email, custom_args: { ...email.custom_args, email: 'zoe@example.com' } as never }), PermanentMailerError);
    assert.equal(captured.length, 0);
  });

  test('a connection dropped after the request was sent is an unknown outcome and is not retried', async () => {
    script = [(res) => res.socket?.destroy()];
    const { mailer, sleeps } = mailerWith();
    await assert.rejects(mailer(email), MailerOutcomeUnknownError);
    assert.equal(captured.length, 1);
    assert.deepStrictEqual(sleeps, []);
  });

  test('a refused connection never reached SendGrid: retried, then transient', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const { mailer, sleeps } = mailerWith({ apiBase: `http://127.0.0.1:${port}`, maxAttempts: 3, baseDelayMs: 10 });
    await assert.rejects(mailer(email), (error) => error instanceof TransientMailerError && /ECONNREFUSED/.test(error.message));
    assert.deepStrictEqual(sleeps, [10, 20]);
  });
});

test('parseRetryAfter reads delta-seconds and HTTP dates, and ignores junk', () => {
  const now = new Date('2026-03-01T10:00:00.000Z');
  assert.equal(parseRetryAfter('0', now), 0);
  assert.equal(parseRetryAfter(' 3 ', now), 3000);
  assert.equal(parseRetryAfter('Sun, 01 Mar 2026 10:01:00 GMT', now), 60_000);
  assert.equal(parseRetryAfter('Sun, 01 Mar 2026 09:00:00 GMT', now), 0, 'a past date means now');
  assert.equal(parseRetryAfter('soon', now), undefined);
  assert.equal(parseRetryAfter(undefined, now), undefined);
});
