import { createHash } from 'node:crypto';

/**
 * The identity of one send: the same campaign, trigger and step always give the same id, so
 * Pub/Sub redelivery, a second sweep or a restart claim the same ledger entry instead of sending
 * again (DESIGN.md §4).
 *
 * The trigger key names the occasion across people — for a cart, one filling of it
 * (journeys/cart-trigger-key.ts, cartSendKey) — so it is not combined with a person id: two
 * devices merged into one person after the email went out must find the same id, whichever
 * person survived the merge.
 *
 * The parts are joined as a JSON array, not with a separator, so ('a|b', 'c') and ('a', 'b|c')
 * cannot collide. 32 hex chars = 128 bits: collisions are out of reach at any volume.
 */
export function sendId(campaign_id: string, trigger_key: string, step: number): string {
  if (!Number.isInteger(step) || step < 0) throw new Error(`step must be a non-negative integer, got ${step}`);
  return createHash('sha256').update(JSON.stringify([campaign_id, trigger_key, step])).digest('hex').slice(0, 32);
}
