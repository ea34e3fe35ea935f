import { ConfigError } from './config-error.ts';
import { tryParseDuration } from '../pipelines/campaigns/duration.ts';
import type { CampaignDefinition } from '../pipelines/campaigns/campaign-definition.ts';
import { DEFAULT_INTEREST_RETENTION_MS, lookbacksBeyondRetention, MIN_INTEREST_RETENTION_MS } from '../pipelines/product-interest/interest-retention.ts';

/**
 * NUDGE_INTEREST_RETENTION: how long a product-interest record outlives its latest activity
 * (pipelines/product-interest/interest-retention.ts says why 90 days). Shared by both runtimes:
 * the embedded host prunes by it, on GCP it sets each record's expire_at for the TTL policy.
 */
export function parseInterestRetention(env: Readonly<Record<string, string | undefined>>): number {
  const text = env.NUDGE_INTEREST_RETENTION;
  if (text === undefined || text.trim() === '') return DEFAULT_INTEREST_RETENTION_MS;
  const ms = tryParseDuration(text);
  if (ms === undefined) throw new ConfigError(`NUDGE_INTEREST_RETENTION must be a duration like "90d", got "${text}"`);
  if (ms < MIN_INTEREST_RETENTION_MS) {
    throw new ConfigError(`NUDGE_INTEREST_RETENTION must be at least 7d, got "${text}": a record also remembers which events it counted, and Pub/Sub may redeliver one for 7 days`);
  }
  return ms;
}

/**
 * A campaign looking back further than interests are kept would silently reach fewer people than
 * its definition says: refused at start (embedded) or at the fan-out's first request (GCP).
 */
export function checkInterestRetentionCoversCampaigns(retentionMs: number, definitions: readonly Pick<CampaignDefinition, 'id' | 'trigger'>[]): void {
  const beyond = lookbacksBeyondRetention(retentionMs, definitions);
  if (beyond.length === 0) return;
  const listed = beyond.map(({ campaign, lookback }) => `${campaign} (lookback ${lookback})`).join(', ');
  throw new ConfigError(`NUDGE_INTEREST_RETENTION (${formatRetention(retentionMs)}) is shorter than the lookback of campaigns ${listed}: raise it to at least the longest lookback`);
}

function formatRetention(ms: number): string {
  return ms % 86_400_000 === 0 ? `${ms / 86_400_000}d` : `${ms / 3_600_000}h`;
}
