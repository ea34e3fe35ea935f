import type { EventKind } from '../events/nudge-event.ts';

/**
 * Every tunable of the profile merge in one place. The same config must be used by every writer
 * of a profile (the fold on both runtimes, reconciliation): caps and windows are part of what
 * "the merged profile" means, so two configs would converge to two different profiles.
 */
export type ProfileConfig = {
  /** Products kept in recent_views (latest first, one entry per product). */
  recentViewsMax: number;
  /** Anonymous ids kept in identities (the most recently seen). Older ids stay linked in the store. */
  anonymousIdsMax: number;
  /** Email addresses kept in identities (the most recently seen). */
  emailsMax: number;
  /** Trait keys kept (the most recently written); a bound on document size. */
  traitsMax: number;
  /** A trait whose JSON is longer than this is dropped: Firestore documents stop at 1 MiB. */
  traitMaxChars: number;
  /** Category affinity half-life: an interest this many days old counts half. */
  affinityHalfLifeDays: number;
  /**
   * Activity older than this many days before the person's newest categorised activity is
   * forgotten (8 half-lives ≈ weight 1/256). A time window, not a count, keeps merges
   * associative: what one merge forgets, every merge order forgets.
   */
  affinityWindowDays: number;
  /** How many categories the category_affinities view lists (the state keeps all in the window). */
  affinityTopMax: number;
  /**
   * Interest signalled by each kind of event, per product category. Integers (or other exact
   * binary fractions) keep the sums exact whatever the order events arrive in.
   */
  affinityWeights: Partial<Record<EventKind, number>>;
  /**
   * Cart contents older than this many days before the person's newest cart activity expire.
   * Carts are bounded by time rather than by count for the same reason as affinities.
   */
  cartTtlDays: number;
  /**
   * Per cart, the latest quantity changes (and, separately, cleared lines) kept in its log: a
   * bound on document size against a client that adds forever without ordering. Far above a
   * real cart's activity within the TTL.
   */
  cartChangesMax: number;
  /** Per cart, the latest snapshots (Cart Viewed, Checkout Started) kept; each lists the cart. */
  cartSnapshotsMax: number;
};

export const defaultProfileConfig: ProfileConfig = {
  recentViewsMax: 20,
  anonymousIdsMax: 20,
  emailsMax: 5,
  traitsMax: 100,
  traitMaxChars: 4096,
  affinityHalfLifeDays: 14,
  affinityWindowDays: 112,
  affinityTopMax: 20,
  affinityWeights: { product_viewed: 1, product_list_viewed: 1, product_added: 3, order_completed: 5 },
  cartTtlDays: 30,
  cartChangesMax: 300,
  cartSnapshotsMax: 10,
};
