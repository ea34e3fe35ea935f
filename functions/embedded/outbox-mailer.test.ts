import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { PermanentMailerError, type OutgoingEmail } from '../../pipelines/delivery/mailer.ts';
import { sendId } from '../../pipelines/delivery/send-id.ts';
import { createManualClock } from '../../pipelines/shared/clock.ts';
import { createOutboxMailer, listOutbox, outboxPath, readOutboxEmail } from './outbox-mailer.ts';

const root = mkdtempSync(join(tmpdir(), 'nudge-outbox-'));
after(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const newDataDir = () => join(root, `data-${++dirs}`);

const unsubscribe = '<https://mail.shop.example/nudge/unsubscribe?token=eyJraW5kIjoidW5zdWJzY3JpYmUiLCJzZW5kX2lkIjoiYWJjIn0.c2lnbmF0dXJlc2lnbmF0dXJlc2lnbmF0dXJlc2lnbmF0dXI>';
const emailFor = (cart: string, overrides: Partial<OutgoingEmail> = {}): OutgoingEmail => {
  const send_id = sendId('cart-abandonment', cart, 0);
  return {
    send_id,
    to: { email: 'zoe@example.com', name: 'Zoë Ångström' },
    from: { email: 'hello@shop.example', name: 'Shöp' },
    reply_to: { email: 'care@shop.example' },
    subject: 'Zoë, your cart is waiting — 10% off ✨',
    html: '<!doctype html><html><body><p>Hi Zoë,</p><p>Wool socks × 2 — €24.50</p><img src="https://cdn.example/42.jpg" alt="Socks"></body></html>',
    text: 'Hi Zoë,\nWool socks × 2 — €24.50\nUnsubscribe: https://mail.shop.example/nudge/unsubscribe?token=abc',
    headers: { 'List-Unsubscribe': unsubscribe, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
    categories: ['cart-abandonment', 'step-0'],
    custom_args: { send_id, campaign_id: 'cart-abandonment', variant_id: 'subject-b' },
    ...overrides,
  };
};
const lf = (text: string | null) => text?.replace(/\r\n/g, '\n') ?? null;

describe('outbox mailer', () => {
  test('writes one RFC 5322 .eml per send: headers, text and html parts read back as sent', async () => {
    const dataDir = newDataDir();
    const clock = createManualClock('2026-03-01T10:00:00.000Z');
    const email = emailFor('cart-1');
    assert.deepStrictEqual(await createOutboxMailer({ dataDir, clock })(email), { provider: 'outbox', provider_message_id: email.send_id });

    const file = join(dataDir, 'outbox', `${email.send_id}.eml`);
    assert.equal(outboxPath(dataDir, email.send_id), file);
    const raw = readFileSync(file, 'utf8');
    const [head] = raw.split('\r\n\r\n');
    assert.match(head!, /^[\x20-\x7e\r\n\t]*$/, 'headers are 7-bit: non-ASCII is MIME-encoded');
    assert.doesNotMatch(raw.replace(/\r\n/g, ''), /\n/, 'CRLF line ends only');
    assert.match(head!, /^MIME-Version: 1\.0$/m);
    assert.match(head!, /^Content-Type: multipart\/alternative;/m);

    const read = (await readOutboxEmail(dataDir, email.send_id))!;
    assert.equal(read.subject, email.subject);
    assert.equal(read.to, 'Zoë Ångström <zoe@example.com>');
    assert.equal(read.from, 'Shöp <hello@shop.example>');
    assert.equal(read.date, '2026-03-01T10:00:00.000Z');
    assert.equal(read.headers['reply-to'], 'care@shop.example');
    assert.equal(read.headers['message-id'], `<${email.send_id}@shop.example>`);
    assert.equal(read.headers['list-unsubscribe'], unsubscribe);
    assert.equal(read.headers['list-unsubscribe-post'], 'List-Unsubscribe=One-Click');
    assert.equal(read.headers['x-nudge-send-id'], email.send_id);
    assert.equal(read.headers['x-nudge-campaign-id'], 'cart-abandonment');
    assert.equal(read.headers['x-nudge-variant-id'], 'subject-b');
    assert.equal(read.headers['x-nudge-categories'], 'cart-abandonment, step-0');
    assert.equal(lf(read.text), email.text);
    assert.equal(lf(read.html), email.html);
    assert.equal(read.bytes, Buffer.byteLength(raw));
  });

  test('sending the same send_id again, even with other content, keeps the first file and returns the same id', async () => {
    const dataDir = newDataDir();
    const mailer = createOutboxMailer({ dataDir });
    const email = emailFor('cart-2');
    const first = await mailer(email);
    const bytes = readFileSync(outboxPath(dataDir, email.send_id));
    const second = await mailer({ ...email, subject: 'A different subject' });
    assert.deepStrictEqual(second, first);
    assert.deepStrictEqual(readFileSync(outboxPath(dataDir, email.send_id)), bytes);
    assert.deepStrictEqual(readdirSync(join(dataDir, 'outbox')), [`${email.send_id}.eml`]);
  });

  test('concurrent sends of one send_id through two mailers leave exactly one file and no temp files', async () => {
    const dataDir = newDataDir();
    const [a, b] = [createOutboxMailer({ dataDir }), createOutboxMailer({ dataDir })];
    const email = emailFor('cart-3');
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b)({ ...email, subject: `attempt ${i}` })));
    assert.equal(new Set(results.map((r) => r.provider_message_id)).size, 1);
    assert.deepStrictEqual(readdirSync(join(dataDir, 'outbox')), [`${email.send_id}.eml`]);
    assert.match((await readOutboxEmail(dataDir, email.send_id))!.subject, /^attempt \d$/);
  });

  test('an invalid email is a PermanentMailerError and writes nothing', async () => {
    const dataDir = newDataDir();
    const email = emailFor('cart-4');
    await assert.rejects(createOutboxMailer({ dataDir })({ ...email, custom_args: { ...email.custom_args, email: 'zoe@example.com' } as never }), PermanentMailerError);
    await assert.rejects(createOutboxMailer({ dataDir })({ ...email, send_id: '../escape' }), /send_id/);
    assert.deepStrictEqual(await listOutbox(dataDir), []);
  });

  test('listOutbox lists emails newest first and skips temp files; readOutboxEmail answers null for unknown ids', async () => {
    const dataDir = newDataDir();
    assert.deepStrictEqual(await listOutbox(dataDir), [], 'no outbox directory yet');
    const clock = createManualClock('2026-03-01T10:00:00.000Z');
    const mailer = createOutboxMailer({ dataDir, clock });
    const older = emailFor('cart-5', { subject: 'older' });
    const newer = emailFor('cart-6', { subject: 'newer' });
    await mailer(older);
    clock.advance(60_000);
    await mailer(newer);
    writeFileSync(join(dataDir, 'outbox', `.${newer.send_id}.123.abc.tmp`), 'partial');
    const listed = await listOutbox(dataDir);
    assert.deepStrictEqual(
      listed.map((entry) => [entry.send_id, entry.subject, entry.date, entry.to]),
      [
        [newer.send_id, 'newer', '2026-03-01T10:01:00.000Z', 'Zoë Ångström <zoe@example.com>'],
        [older.send_id, 'older', '2026-03-01T10:00:00.000Z', 'Zoë Ångström <zoe@example.com>'],
      ],
    );
    assert.equal(await readOutboxEmail(dataDir, 'unknown'), null);
    assert.equal(await readOutboxEmail(dataDir, '../../etc/passwd'), null);
  });
});
