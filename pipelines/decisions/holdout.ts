import { createHash } from 'node:crypto';

/**
 * The holdout control group: people who are decided like everyone else but never emailed, so
 * the campaign's lift can be measured against them. Membership must be stable across sends,
 * restarts and runtimes, so it comes from a hash of the person — never from a random draw.
 */

/** 48 bits of the digest: exact in a double, and far finer than any percentage needs. */
const BUCKET_BITS = 2 ** 48;

/** A number in [0, 100), uniform over people and fixed for a (salt, person) pair. */
export function holdoutBucket(salt: string, personId: string): number {
  // NUL separates the parts, so ("a", "bc") and ("ab", "c") hash differently.
  const digest = createHash('sha256').update(`${salt}\u0000${personId}`).digest();
  return (digest.readUIntBE(0, 6) / BUCKET_BITS) * 100;
}

/** Whether the person is in the control group of `percent` (0–100) percent. */
export function isInHoldout(salt: string, personId: string, percent: number): boolean {
  return holdoutBucket(salt, personId) < percent;
}
