import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PermanentMailerError, TransientMailerError, readOutgoingEmail, type OutgoingEmail } from './mailer.ts';

const email: OutgoingEmail = {
  send_id: 's1',
  to: { email: 'zoe@example.com', name: 'Zoë' },
  from: { email: 'hello@shop.example', name: 'Shop' },
  subject: 'Your cart',
  html: '<p>hi</p>',
  text: 'hi',
  headers: { 'List-Unsubscribe': '<https://x.example/u?token=t>', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
  categories: ['cart-abandonment'],
  custom_args: { send_id: 's1', campaign_id: 'cart', variant_id: 'a' },
};

test('readOutgoingEmail accepts a well-formed email unchanged', () => {
  assert.deepStrictEqual(readOutgoingEmail(email), email);
});

test('custom_args holds identifiers only: any other key is refused, as permanent', () => {
  assert.throws(
    () => readOutgoingEmail({ ...email, custom_args: { ...email.custom_args, email: 'zoe@example.com' } }),
    (error) => error instanceof PermanentMailerError && /custom_args/.test(error.message),
  );
});

test('headers the mailer composes, non-ASCII header values and too many categories are refused, naming the field', () => {
  const cases: Array<[Partial<OutgoingEmail>, RegExp]> = [
    [{ headers: { Subject: 'x' } }, /headers/],
    [{ headers: { 'X-Note': 'Zoë' } }, /headers/],
    [{ headers: { 'Bad Name': 'x' } }, /headers/],
    [{ categories: Array.from({ length: 11 }, (_, i) => `c${i}`) }, /categories/],
    [{ to: { email: 'not-an-address' } }, /to\.email/],
    [{ text: '' }, /text/],
  ];
  for (const [override, field] of cases) {
    assert.throws(() => readOutgoingEmail({ ...email, ...override }), (error) => error instanceof PermanentMailerError && field.test(error.message), JSON.stringify(override));
  }
});

test('error types carry what the caller needs to decide', () => {
  const transient = new TransientMailerError('429', { status: 429, retryAfterMs: 2000 });
  assert.equal(transient.retryAfterMs, 2000);
  assert.equal(transient.name, 'TransientMailerError');
  assert.equal(new PermanentMailerError('400', { status: 400 }).status, 400);
});
