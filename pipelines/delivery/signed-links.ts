import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/**
 * Signed tokens for the links nudge puts in an email (unsubscribe, click redirect, open pixel).
 * The endpoints act on the token alone — an unsubscribe suppresses a person without a login —
 * so the token must be unforgeable: `base64url(JSON payload) "." base64url(HMAC-SHA256)`.
 *
 * The MAC covers a version/domain prefix as well as the payload, so a token minted by another
 * use of the same key cannot pass here, and a future format can be told apart.
 */

/** Links per email a click token can number; far above any real email. */
export const MAX_LINK_INDEX = 10_000;

export const LinkTokenPayload = z.strictObject({
  kind: z.enum(['unsubscribe', 'click', 'open']),
  send_id: z.string().min(1).max(200),
  person_id: z.string().min(1).max(200),
  /** The destination of a click link. */
  url: z.url().optional(),
  /** Expiry, in seconds since the epoch (as JWT `exp`). Absent: never expires. */
  exp: z.number().int().positive().optional(),
  // Added for first-party tracking; optional so every token minted before still verifies.
  /** The campaign of the send: an email_events row needs it and the endpoint has nothing else to look it up in. */
  campaign_id: z.string().min(1).max(200).optional(),
  /** A click link's position in the email (0 = first). */
  link_index: z.number().int().nonnegative().max(MAX_LINK_INDEX).optional(),
  /** Issued at, seconds since the epoch (as JWT `iat`): how soon after sending a hit came, to tell machines from people. */
  iat: z.number().int().positive().optional(),
});
export type LinkTokenPayload = z.infer<typeof LinkTokenPayload>;

/** A signing key: at least 32 bytes (a string is taken as UTF-8). */
export type LinkKey = string | Uint8Array;

export const MIN_LINK_KEY_BYTES = 32;
const MAC_DOMAIN = 'nudge-link-v1.';

export function signToken(payload: LinkTokenPayload, key: LinkKey): string {
  return signParsedToken(LinkTokenPayload.parse(payload), key);
}

/**
 * signToken without the schema check, for a caller that has already checked every field (the
 * tracking links of an email: eight tokens a render, where the check would cost a third of the
 * signing). A payload the schema would refuse signs fine here and then never verifies.
 */
export function signParsedToken(payload: LinkTokenPayload, key: LinkKey): string {
  const body = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
  return `${body}.${mac(body, key).toString('base64url')}`;
}

/**
 * The payload when the token is intact, was signed with `key` (or one of `keys`, for rotation)
 * and has not expired at `now`; otherwise null — a caller shows one "invalid or expired link"
 * answer whatever the reason, which tells a forger nothing.
 */
export function verifyToken(token: string, key: LinkKey | readonly LinkKey[], now: Date): LinkTokenPayload | null {
  const parts = token.split('.');
  if (parts.length !== 2) return null;
  const [body, signature] = parts as [string, string];
  if (!/^[A-Za-z0-9_-]+$/.test(body) || !/^[A-Za-z0-9_-]+$/.test(signature)) return null;
  const given = Buffer.from(signature, 'base64url');
  // One spelling per MAC: base64 ignores the unused low bits of the last character, so without this
  // a link would have several valid strings (dedupe and analytics key on the token text).
  if (given.toString('base64url') !== signature) return null;
  const keys = Array.isArray(key) ? (key as readonly LinkKey[]) : [key as LinkKey];
  // Every key is tried (no early exit) so timing says nothing about which one matched.
  let valid = false;
  for (const candidate of keys) {
    const expected = mac(body, candidate);
    if (given.length === expected.length && timingSafeEqual(given, expected)) valid = true;
  }
  if (!valid) return null;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  const parsed = LinkTokenPayload.safeParse(json);
  if (!parsed.success) return null;
  if (parsed.data.exp !== undefined && now.getTime() >= parsed.data.exp * 1000) return null;
  return parsed.data;
}

/** Path of the unsubscribe endpoint on the public base URL (one-click POST and GET confirmation page). */
export const UNSUBSCRIBE_PATH = 'unsubscribe';

/** `${baseUrl}/unsubscribe?token=…`; baseUrl may carry a path (e.g. https://mail.shop.example/nudge). */
export function buildUnsubscribeUrl(baseUrl: string, token: string): string {
  return buildLinkUrl(baseUrl, UNSUBSCRIBE_PATH, token);
}

/** `${baseUrl}/${path}?token=…`, for the click and open endpoints as well. */
export function buildLinkUrl(baseUrl: string, path: string, token: string): string {
  const base = new URL(baseUrl);
  if (!base.pathname.endsWith('/')) base.pathname += '/';
  const url = new URL(path, base);
  url.search = '';
  url.hash = '';
  url.searchParams.set('token', token);
  return url.toString();
}

/** Paths of the tracking endpoints (functions/track.ts). The pixel's path ends in .gif: some clients and proxies judge an image by its extension. */
export const CLICK_PATH = 'c';
export const OPEN_PATH = 'o';

/** `${baseUrl}/c/<token>`: the click redirect. */
export function buildClickUrl(baseUrl: string, token: string): string {
  return `${trackingBase(baseUrl)}/${CLICK_PATH}/${token}`;
}

/** `${baseUrl}/o/<token>.gif`: the open pixel. */
export function buildOpenPixelUrl(baseUrl: string, token: string): string {
  return `${trackingBase(baseUrl)}/${OPEN_PATH}/${token}.gif`;
}

/** The base the click and open paths are appended to: `trackingBase(b) + '/c/' + token` is buildClickUrl(b, token), without parsing b per link. */
export function trackingBase(baseUrl: string): string {
  // Normalised once through URL (so a bad base fails loudly), then without its query or trailing slash.
  const base = new URL(baseUrl);
  base.search = '';
  base.hash = '';
  return base.toString().replace(/\/+$/, '');
}

/**
 * RFC 8058 one-click unsubscribe headers. Mailbox providers require https; plain http is
 * accepted only for a loopback host, so the embedded runtime's local outbox still works.
 */
export function listUnsubscribeHeaders(url: string): { 'List-Unsubscribe': string; 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } {
  const parsed = new URL(url);
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(parsed.hostname);
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && loopback)) {
    throw new Error(`List-Unsubscribe needs an https URL, got ${parsed.protocol}//${parsed.host}`);
  }
  return { 'List-Unsubscribe': `<${parsed.toString()}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
}

function mac(body: string, key: LinkKey): Buffer {
  const bytes = typeof key === 'string' ? Buffer.from(key, 'utf8') : key;
  if (bytes.length < MIN_LINK_KEY_BYTES) throw new Error(`link signing key must be at least ${MIN_LINK_KEY_BYTES} bytes`);
  return createHmac('sha256', bytes).update(MAC_DOMAIN).update(body).digest();
}
