import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { MIN_LINK_KEY_BYTES, type LinkKey } from '../delivery/signed-links.ts';

/**
 * Per-email discount codes of a `unique: true` offer: `<PREFIX>-<SUFFIX>`, e.g.
 * `LOOK10-7KQ2M9XHRT4PWNBC`.
 *
 * - PREFIX is the campaign's code (1–7 upper-case letters or digits): what the shop's discount
 *   is configured under.
 * - SUFFIX is 16 characters of the alphabet below (32 symbols, 5 bits each, 80 bits), with no 0/O
 *   or 1/I to misread. Its bits, most significant first:
 *   - 16 bits: the expiry, in whole minutes since the Unix epoch, modulo 2^16 (about 45 days);
 *   - 24 bits: the send tag, the first 24 bits of SHA-256 of the send id, so two emails expiring
 *     in the same minute get different codes, and an analyst can tie a code to its send;
 *   - 40 bits: the first 40 bits of HMAC-SHA256(link key, domain, prefix, full expiry minute, tag).
 *
 * Why it is safe: the MAC covers the prefix and the *full* expiry, so moving the expiry or
 * grafting a suffix onto another campaign's prefix fails the check; the verifier needs no store.
 * Without the key a forger must guess 40 bits: one chance in 2^40 (about a trillion) per attempt,
 * against a check endpoint behind a server key and a checkout the shop controls. Only the MAC is
 * secret; the expiry and tag are public by design. The expiry is kept modulo 2^16 to keep codes
 * short: an offer may last at most `maxUniqueOfferDays`, so the one candidate in the next 2^16
 * minutes is the only expiry a live code can have (valid), and the earlier candidates — tried
 * back about a year — can only make a refusal say "expired" rather than "unknown", never make a
 * code valid: a forger still has one 2^-40 chance per attempt.
 * Uniqueness is statistical (no store): two emails of one offer expiring in the same minute share
 * a code with probability 2^-24 — at 100 emails a minute of one offer, about one shared code in
 * 2.5 days. Nudge does not count redemptions; a shop enforcing single use should know this.
 */

/** Digits and upper-case letters without 0, 1, I and O. */
export const OFFER_CODE_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
export const OFFER_CODE_SUFFIX_LENGTH = 16;
/** The campaign's code as it may prefix a unique code: 24 characters in all at most. */
export const OFFER_CODE_PREFIX = /^[A-Z0-9]{1,7}$/;
/** The longest a unique offer may run (expires_in): well inside the 2^20-minute expiry window. */
export const maxUniqueOfferDays = 30;

const EXPIRY_BITS = 16;
const EXPIRY_MODULUS = 2 ** EXPIRY_BITS;
const TAG_BITS = 24;
/** Earlier expiry windows (2^16 minutes each) tried to tell an expired code from a forged one: about a year. */
const EXPIRED_WINDOWS = 8;
const MAC_BYTES = 5;
const MINUTE_MS = 60_000;
const MAC_DOMAIN = 'nudge-offer-v1.';

/** The expiry a code can carry: rounded down to the minute (what the email shows, to the minute). */
export function offerCodeExpiry(expiresAt: Date): Date {
  return new Date(Math.floor(expiresAt.getTime() / MINUTE_MS) * MINUTE_MS);
}

/** `PREFIX-SUFFIX` for one email. The expiry is rounded down to the minute (offerCodeExpiry). */
export function signOfferCode(input: { prefix: string; expiresAt: Date; sendId: string }, key: LinkKey): string {
  if (!OFFER_CODE_PREFIX.test(input.prefix)) throw new RangeError(`an offer code prefix is 1–7 upper-case letters or digits, got ${JSON.stringify(input.prefix)}`);
  if (input.sendId === '') throw new RangeError('an offer code needs the send id');
  const minute = Math.floor(input.expiresAt.getTime() / MINUTE_MS);
  if (!Number.isSafeInteger(minute) || minute <= 0) throw new RangeError('an offer code needs a valid expiry');
  const tag = sendTag(input.sendId);
  const head = (minute % EXPIRY_MODULUS) * 2 ** TAG_BITS + tag;
  const bytes = Buffer.alloc(5 + MAC_BYTES);
  bytes.writeUIntBE(head, 0, 5);
  mac(input.prefix, minute, tag, key).copy(bytes, 5, 0, MAC_BYTES);
  return `${input.prefix}-${encodeBase32(bytes)}`;
}

export type OfferCodeCheck = { valid: true; code_prefix: string; expires_at: string } | { valid: false; reason: 'expired' | 'unknown' };

/**
 * Whether a code is one nudge issued, signed with any of `keys` (rotation: the first signs, all
 * verify) and not expired at `now`. Case and surrounding spaces are forgiven (shoppers type
 * codes). Every key and both expiry candidates are tried without an early exit, so the time
 * taken says nothing about how close a guess came. A static code (no signed suffix) is unknown:
 * nudge cannot vouch for it.
 */
export function verifyOfferCode(code: string, keys: readonly LinkKey[], now: Date): OfferCodeCheck {
  const unknown: OfferCodeCheck = { valid: false, reason: 'unknown' };
  const normalized = code.trim().toUpperCase();
  const dash = normalized.lastIndexOf('-');
  if (dash < 0) return unknown;
  const prefix = normalized.slice(0, dash);
  const bytes = decodeBase32(normalized.slice(dash + 1));
  if (!OFFER_CODE_PREFIX.test(prefix) || bytes === null) return unknown;
  const head = bytes.readUIntBE(0, 5);
  const encodedMinute = Math.floor(head / 2 ** TAG_BITS);
  const tag = head % 2 ** TAG_BITS;
  const given = bytes.subarray(5);
  // The one expiry with these low bits still ahead (valid), and the earlier ones (expired).
  const nowMinute = Math.floor(now.getTime() / MINUTE_MS);
  const ahead = nowMinute + 1 + mod(encodedMinute - (nowMinute + 1), EXPIRY_MODULUS);
  let validMatch = false;
  let expiredMatch = false;
  for (const key of keys) {
    if (timingSafeEqual(given, mac(prefix, ahead, tag, key).subarray(0, MAC_BYTES))) validMatch = true;
    for (let window = 1; window <= EXPIRED_WINDOWS; window++) {
      const behind = ahead - window * EXPIRY_MODULUS;
      if (behind > 0 && timingSafeEqual(given, mac(prefix, behind, tag, key).subarray(0, MAC_BYTES))) expiredMatch = true;
    }
  }
  if (validMatch) return { valid: true, code_prefix: prefix, expires_at: new Date(ahead * MINUTE_MS).toISOString() };
  if (expiredMatch) return { valid: false, reason: 'expired' };
  return unknown;
}

/** The prefix of something shaped like a unique code (safe to log: 1–7 letters or digits), else null. */
export function offerCodePrefix(code: string): string | null {
  const normalized = code.trim().toUpperCase();
  const dash = normalized.lastIndexOf('-');
  const prefix = normalized.slice(0, Math.max(dash, 0));
  return dash > 0 && OFFER_CODE_PREFIX.test(prefix) ? prefix : null;
}

function sendTag(sendId: string): number {
  return createHash('sha256').update(sendId, 'utf8').digest().readUIntBE(0, TAG_BITS / 8);
}

function mac(prefix: string, minute: number, tag: number, key: LinkKey): Buffer {
  const bytes = typeof key === 'string' ? Buffer.from(key, 'utf8') : key;
  if (bytes.length < MIN_LINK_KEY_BYTES) throw new Error(`link signing key must be at least ${MIN_LINK_KEY_BYTES} bytes`);
  return createHmac('sha256', bytes).update(`${MAC_DOMAIN}${prefix}.${minute}.${tag}`).digest();
}

function mod(value: number, modulus: number): number {
  return ((value % modulus) + modulus) % modulus;
}

function encodeBase32(bytes: Buffer): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += OFFER_CODE_ALPHABET[(buffer >>> bits) & 31];
    }
    buffer &= (1 << bits) - 1;
  }
  return out;
}

/** The 10 bytes of a suffix, or null when it is not 16 characters of the alphabet. */
function decodeBase32(text: string): Buffer | null {
  if (text.length !== OFFER_CODE_SUFFIX_LENGTH) return null;
  const bytes = Buffer.alloc(10);
  let buffer = 0;
  let bits = 0;
  let index = 0;
  for (const char of text) {
    const value = OFFER_CODE_ALPHABET.indexOf(char);
    if (value < 0) return null;
    buffer = (buffer << 5) | value;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes[index++] = (buffer >>> bits) & 0xff;
      buffer &= (1 << bits) - 1;
    }
  }
  return bytes;
}
