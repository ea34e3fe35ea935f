import { parseDuration } from '../campaigns/duration.ts';
import type { CampaignDefinition } from '../campaigns/campaign-definition.ts';
import type { ProductInterest } from './product-interest.ts';
import type { StoredProductInterest } from './apply-interest-signal.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * How long a (product, identity) record outlives its latest activity (NUDGE_INTEREST_RETENTION).
 * Most identities are anonymous browsers who never come back, so without an end the store grows
 * by one record per product a stranger ever looked at. Readers look back far less: back in stock
 * 30 days and price drop 14 days by default (campaign `lookback`), browse follow-up an hour,
 * co-views a day. 90 days is three times the longest default lookback, so a shop that lengthens
 * one still has room, and it bounds the store to about a season of browsing.
 */
export const DEFAULT_INTEREST_RETENTION_MS = 90 * DAY_MS;

/**
 * The shortest retention accepted. A record is also the memory that makes recording idempotent
 * (its recent event ids, apply-interest-signal.ts), and Pub/Sub may redeliver a message for up to
 * 7 days: a record forgotten sooner could count a redelivered view or order twice. (Co-views,
 * pairing views up to a day apart, need less.)
 */
export const MIN_INTEREST_RETENTION_MS = 7 * DAY_MS;

/**
 * The latest view, add, request or purchase: what keeps a record alive. A purchase counts because
 * "never someone who bought it since" reads it; the record holds both, so a recent view keeps an
 * old purchase visible, and a record is forgotten only when nothing in it is recent.
 */
export function latestActivityAt(record: ProductInterest | StoredProductInterest): string {
  const instants = [record.last_viewed_at, record.last_carted_at, record.requested_at, record.bought_at].filter((at): at is string => at !== null);
  // A record exists only once a signal reached it, so one of them is set; the fallback is for a public record built by hand.
  return instants.reduce((a, b) => (a >= b ? a : b), record.first_interest_at ?? '');
}

/**
 * When the record may be forgotten: its latest activity plus the retention. Every adapter writes
 * it with each record write (SQLite column, Firestore Timestamp under the TTL policy, in memory),
 * so touching a record again moves it forward. ISO-8601 UTC with milliseconds, like every instant.
 */
export function interestExpireAt(record: ProductInterest | StoredProductInterest, retentionMs: number): string {
  return new Date(Date.parse(latestActivityAt(record)) + retentionMs).toISOString();
}

/**
 * Whether a record whose expiry is `expireAt` is gone at `now`. Firestore deletes an expired
 * document only some time later (typically within a day), so every read and every recording asks
 * this instead of trusting that what is stored is alive: both runtimes answer the same.
 */
export function isInterestExpired(expireAt: string, now: Date): boolean {
  return expireAt <= now.toISOString();
}

/** Campaign lookbacks (how far back their audience's interest may lie) longer than the retention. */
export function lookbacksBeyondRetention(retentionMs: number, definitions: readonly Pick<CampaignDefinition, 'id' | 'trigger'>[]): Array<{ campaign: string; lookback: string }> {
  return definitions.flatMap((definition) => {
    const trigger = definition.trigger;
    if (trigger.kind !== 'back_in_stock' && trigger.kind !== 'price_drop') return [];
    return parseDuration(trigger.lookback) > retentionMs ? [{ campaign: definition.id, lookback: trigger.lookback }] : [];
  });
}
