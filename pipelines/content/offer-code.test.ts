import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OFFER_CODE_ALPHABET, offerCodeExpiry, offerCodePrefix, signOfferCode, verifyOfferCode } from './offer-code.ts';

const key = 'k'.repeat(32);
const oldKey = 'o'.repeat(32);
const expiresAt = new Date('2026-03-02T10:00:00.000Z');
const before = new Date('2026-03-01T10:00:00.000Z');
const code = signOfferCode({ prefix: 'LOOK10', expiresAt, sendId: 'send-1' }, key);

test('format: the prefix, a dash and 16 characters without 0, 1, I or O; at most 24 in all', () => {
  assert.match(code, /^LOOK10-[23456789A-HJ-NP-Z]{16}$/);
  assert.equal(OFFER_CODE_ALPHABET.length, 32);
  assert.doesNotMatch(OFFER_CODE_ALPHABET, /[01IO]/);
  assert.ok(signOfferCode({ prefix: 'SEVENCH', expiresAt, sendId: 'x' }, key).length <= 24);
  assert.equal(signOfferCode({ prefix: 'LOOK10', expiresAt, sendId: 'send-1' }, key), code, 'deterministic: a re-rendered email keeps its code');
});

test('each send gets its own code; prefix and expiry change it too', () => {
  const codes = new Set(Array.from({ length: 1000 }, (_, i) => signOfferCode({ prefix: 'LOOK10', expiresAt, sendId: `send-${i}` }, key)));
  assert.equal(codes.size, 1000);
  assert.notEqual(signOfferCode({ prefix: 'LOOK10', expiresAt: new Date(expiresAt.getTime() + 60_000), sendId: 'send-1' }, key), code);
});

test('valid before expiry, with the prefix and the expiry it carries; case and spaces forgiven', () => {
  assert.deepEqual(verifyOfferCode(code, [key], before), { valid: true, code_prefix: 'LOOK10', expires_at: '2026-03-02T10:00:00.000Z' });
  assert.equal(verifyOfferCode(`  ${code.toLowerCase()} `, [key], before).valid, true);
  assert.equal(verifyOfferCode(code, [key], new Date(expiresAt.getTime() - 1)).valid, true);
});

test('expired from the expiry instant on (injected clock), for about a year; unknown after', () => {
  assert.deepEqual(verifyOfferCode(code, [key], expiresAt), { valid: false, reason: 'expired' });
  assert.deepEqual(verifyOfferCode(code, [key], new Date('2026-04-20T00:00:00Z')), { valid: false, reason: 'expired' }, 'past the first 2^16-minute window');
  assert.deepEqual(verifyOfferCode(code, [key], new Date('2027-02-01T00:00:00Z')), { valid: false, reason: 'expired' });
  assert.deepEqual(verifyOfferCode(code, [key], new Date('2027-06-01T00:00:00Z')), { valid: false, reason: 'unknown' });
});

test('valid up to the longest offer a unique code may carry (30 days ahead)', () => {
  const far = signOfferCode({ prefix: 'LOOK10', expiresAt: new Date(before.getTime() + 30 * 86_400_000), sendId: 'send-1' }, key);
  assert.deepEqual(verifyOfferCode(far, [key], before), { valid: true, code_prefix: 'LOOK10', expires_at: '2026-03-31T10:00:00.000Z' });
});

test('the expiry is rounded down to the minute, as the email shows it', () => {
  const odd = new Date('2026-03-02T10:00:59.999Z');
  assert.deepEqual(offerCodeExpiry(odd), new Date('2026-03-02T10:00:00.000Z'));
  const signed = signOfferCode({ prefix: 'LOOK10', expiresAt: odd, sendId: 'send-1' }, key);
  assert.equal(signed, code);
});

test('rotation: a code signed with an older key still verifies while that key is listed', () => {
  const old = signOfferCode({ prefix: 'LOOK10', expiresAt, sendId: 'send-2' }, oldKey);
  assert.equal(verifyOfferCode(old, [key, oldKey], before).valid, true);
  assert.deepEqual(verifyOfferCode(old, [key], before), { valid: false, reason: 'unknown' });
});

test('tampered codes are unknown: any changed character, another prefix, a moved expiry', () => {
  const suffix = code.slice(7);
  for (let i = 0; i < suffix.length; i++) {
    const swapped = suffix[i] === 'Z' ? 'Y' : 'Z';
    const tampered = `LOOK10-${suffix.slice(0, i)}${swapped}${suffix.slice(i + 1)}`;
    assert.equal(verifyOfferCode(tampered, [key], before).valid, false, tampered);
  }
  assert.deepEqual(verifyOfferCode(`LOOK20-${suffix}`, [key], before), { valid: false, reason: 'unknown' });
  assert.deepEqual(verifyOfferCode(code, ['x'.repeat(32)], before), { valid: false, reason: 'unknown' });
});

test('static codes and junk are unknown, never an error', () => {
  for (const junk of ['LOOK10', '', '-', 'LOOK10-', 'LOOK10-SHORT', `LOOK10-${'0'.repeat(16)}`, `TOOLONGPREFIX-${code.slice(7)}`, `-${code.slice(7)}`, 'a-b-c', '💥-💥']) {
    assert.deepEqual(verifyOfferCode(junk, [key], before), { valid: false, reason: 'unknown' }, junk);
  }
});

test('sign refuses a prefix that is not 1–7 upper-case letters or digits, and an empty send id', () => {
  assert.throws(() => signOfferCode({ prefix: 'look10', expiresAt, sendId: 's' }, key), /upper-case/);
  assert.throws(() => signOfferCode({ prefix: 'EIGHTCHR', expiresAt, sendId: 's' }, key), /1–7/);
  assert.throws(() => signOfferCode({ prefix: 'LOOK10', expiresAt, sendId: '' }, key), /send id/);
  assert.throws(() => signOfferCode({ prefix: 'LOOK10', expiresAt, sendId: 's' }, 'short'), /at least 32 bytes/);
});

test('offerCodePrefix: only a prefix-shaped head is given out for logs', () => {
  assert.equal(offerCodePrefix(code), 'LOOK10');
  assert.equal(offerCodePrefix('ada@example.com'), null);
  assert.equal(offerCodePrefix('LOOK10'), null);
});
