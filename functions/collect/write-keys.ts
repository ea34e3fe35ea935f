import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Write keys identify a source (a website, an app). They are not strong secrets — analytics.js
 * ships them to every browser — but they keep strangers from filling a shop's history, so an
 * unknown key is refused. Only a key's id (a short hash) ever reaches events, logs or the warehouse.
 */
export type WriteKeys = {
  /** The key's id when the key is accepted, null otherwise. */
  identify: (candidate: string | undefined | null) => string | null;
  readonly size: number;
};

export function writeKeyId(key: string): string {
  return `wk_${createHash('sha256').update(key).digest('hex').slice(0, 12)}`;
}

export function createWriteKeys(keys: readonly string[]): WriteKeys {
  const known = keys.map((key) => key.trim()).filter(Boolean).map((key) => ({ key: Buffer.from(key), id: writeKeyId(key) }));
  return {
    size: known.length,
    identify(candidate) {
      if (!candidate) return null;
      const given = Buffer.from(candidate);
      // Constant-time comparison so a key cannot be guessed byte by byte from response times.
      const match = known.find(({ key }) => key.length === given.length && timingSafeEqual(key, given));
      return match ? match.id : null;
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
