import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Write keys identify a source (a website, an app). Browser keys are not strong secrets —
 * analytics.js ships them to every browser — but they keep strangers from filling a shop's
 * history, so an unknown key is refused. Server keys (NUDGE_SERVER_WRITE_KEYS) stay in the shop's
 * backend and may also send events that speak for the shop (`Catalog Updated`). Only a key's id
 * (a short hash) ever reaches events, logs or the warehouse.
 */
export type WriteKeys = {
  /** Who the key is when it is accepted (its id; whether it is a server key), null otherwise. */
  identify: (candidate: string | undefined | null) => WriteKeyIdentity | null;
  readonly size: number;
};

export type WriteKeyIdentity = { id: string; server: boolean };

export function writeKeyId(key: string): string {
  return `wk_${createHash('sha256').update(key).digest('hex').slice(0, 12)}`;
}

export function createWriteKeys(browserKeys: readonly string[], serverKeys: readonly string[] = []): WriteKeys {
  const toKnown = (keys: readonly string[], server: boolean) =>
    keys.map((key) => key.trim()).filter(Boolean).map((key) => ({ key: Buffer.from(key), identity: { id: writeKeyId(key), server } }));
  // Server keys first: a key listed in both lists is a server key.
  const known = [...toKnown(serverKeys, true), ...toKnown(browserKeys, false)];
  return {
    size: known.length,
    identify(candidate) {
      if (!candidate) return null;
      const given = Buffer.from(candidate);
      // Constant-time comparison so a key cannot be guessed byte by byte from response times.
      const match = known.find(({ key }) => key.length === given.length && timingSafeEqual(key, given));
      return match ? match.identity : null;
    },
  };
}

/** The write key from `Authorization: Basic base64(writeKey:)`, as Segment SDKs send it. */
export function writeKeyFromAuthorization(header: string | undefined): string | null {
  if (!header) return null;
  const [scheme, encoded] = header.split(' ', 2);
  if (!scheme || scheme.toLowerCase() !== 'basic' || !encoded) return null;
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const user = decoded.split(':', 1)[0];
  return user ? user : null;
}
