import { createHash } from 'node:crypto';

/**
 * The subject variant a person gets: a pure function of (campaign id, person id), so the same person
 * always sees the same arm (across steps, retries and restarts) and arms split ~evenly over people.
 * sha256 rather than a quick string hash: its low bits are uniform, so `% variants.length` is fair.
 */
export function chooseVariant<V extends { id: string }>(campaignId: string, personId: string, variants: readonly V[]): V {
  if (variants.length === 0) throw new RangeError('chooseVariant: no variants');
  const digest = createHash('sha256').update(`${campaignId}\u0000${personId}`).digest();
  return variants[digest.readUInt32BE(0) % variants.length]!;
}
