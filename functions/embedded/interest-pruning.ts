import type { InterestPruning } from '../../pipelines/product-interest/interest-store.ts';
import { startTicker, type Ticker } from './ticker.ts';

/** When the embedded host forgets expired product interests (the part Firestore's TTL does on GCP). */
export const interestPruningDefaults = {
  /**
   * Once a day: records expire on a scale of days (retention ≥ 7d), and reads already skip expired
   * ones, so pruning only keeps the file from growing; more often would just be more write locks.
   */
  everyMs: 24 * 60 * 60_000,
  /**
   * The first run comes this long after start, not at start: start-up stays quick, the host is
   * listening and its backlog draining first, and a host restarted more often than daily still prunes.
   */
  firstAfterMs: 10 * 60_000,
} as const;

/**
 * Runs the interest store's prune on a ticker, off the request path: the ticker never runs two at
 * once, and the prune deletes in bounded batches, yielding between them. A failed run is logged
 * and tried again the next day; nothing is lost by waiting, reads skip expired records anyway.
 */
export function startInterestPruning(deps: {
  interests: InterestPruning;
  log: (entry: Record<string, unknown>) => void;
  everyMs?: number;
  firstAfterMs?: number;
}): Ticker {
  const prune = async () => {
    const deleted = await deps.interests.pruneExpired();
    deps.log({ severity: 'INFO', message: 'expired product interests pruned', deleted });
  };
  const ticker = startTicker(prune, deps.everyMs ?? interestPruningDefaults.everyMs, (error) =>
    deps.log({ severity: 'WARNING', message: 'pruning expired product interests failed; next run tomorrow', error: String(error) }),
  );
  ticker.wakeAt(Date.now() + (deps.firstAfterMs ?? interestPruningDefaults.firstAfterMs));
  return ticker;
}
