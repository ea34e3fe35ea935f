import { deriveAffinityView, mergeAffinityDays } from './affinities.ts';
import { deriveCartView, mergeCartsState } from './cart-state.ts';
import { latestFirst } from './collections.ts';
import type { EventStamp, Profile, RecentView } from './profile.ts';
import { defaultProfileConfig, type ProfileConfig } from './profile-config.ts';
import { compareStamps, compareText, maxString, minString, roundMicros } from './stamp.ts';

/**
 * The profile merge (DESIGN.md §4). Commutative and associative, so events may be folded in any
 * order and any grouping and converge to the same profile:
 *  - fields stamped in `clocks` are last-writer-wins by (event time, event id);
 *  - counters add up (each event is counted once because the fold skips events already in the
 *    applied-events ledger — the merge itself is not idempotent);
 *  - sets are unioned, then capped by a rule that every merge order applies alike;
 *  - views (identity lists, cart, affinity scores) are recomputed from the merged state.
 */
export function mergeProfiles(a: Profile, b: Profile, config: ProfileConfig = defaultProfileConfig): Profile {
  const { clocks, sideOf } = mergeClocks(a, b, config);
  const lastOrder = sideOf('order:last');
  const userSide = sideOf('user_id');
  const consentSide = sideOf('consent:email_marketing');
  const state: Profile['state'] = {
    ...mergeCartsState(a.state, b.state, config),
    affinity_days: mergeAffinityDays(a.state.affinity_days, b.state.affinity_days, config),
  };
  return {
    // Merging persons keeps the oldest id (ids are ULIDs); event fragments have none ('').
    person_id: minString(a.person_id || null, b.person_id || null) ?? '',
    version: Math.max(a.version, b.version),
    merged_into: minString(a.merged_into, b.merged_into),
    identities: {
      anonymous_ids: identitiesOf(clocks, 'anon:'),
      user_id: userSide ? userSide.identities.user_id : null,
      emails: identitiesOf(clocks, 'email:'),
    },
    traits: Object.fromEntries(
      Object.keys(clocks)
        .filter((key) => key.startsWith('trait:'))
        .map((key) => {
          const name = key.slice('trait:'.length);
          const traits = sideOf(key)!.traits;
          return [name, Object.hasOwn(traits, name) ? (traits[name] ?? null) : null];
        }),
    ),
    consent: { email_marketing: consentSide ? consentSide.consent.email_marketing : null },
    cart: deriveCartView(state),
    recent_views: mergeRecentViews(a.recent_views, b.recent_views, config.recentViewsMax),
    category_affinities: deriveAffinityView(state, config),
    orders: {
      count: a.orders.count + b.orders.count,
      revenue: roundMicros(a.orders.revenue + b.orders.revenue),
      currency: lastOrder ? lastOrder.orders.currency : null,
      last_order_at: lastOrder ? lastOrder.orders.last_order_at : null,
      last_order_id: lastOrder ? lastOrder.orders.last_order_id : null,
    },
    first_seen_at: minString(a.first_seen_at, b.first_seen_at),
    last_seen_at: maxString(a.last_seen_at, b.last_seen_at),
    clocks,
    state,
    created_at: minString(a.created_at, b.created_at)!,
    updated_at: maxString(a.updated_at, b.updated_at)!,
  };
}

/** Clock families that are capped: the most recently stamped keys stay. */
function capsOf(config: ProfileConfig): [prefix: string, max: number][] {
  return [
    ['anon:', config.anonymousIdsMax],
    ['email:', config.emailsMax],
    ['trait:', config.traitsMax],
  ];
}

function mergeClocks(a: Profile, b: Profile, config: ProfileConfig) {
  const winners = new Map<string, { stamp: EventStamp; side: Profile }>();
  for (const side of [a, b]) {
    for (const [key, stamp] of Object.entries(side.clocks)) {
      const seen = winners.get(key);
      if (!seen || compareStamps(stamp, seen.stamp) > 0) winners.set(key, { stamp, side });
    }
  }
  const dropped = new Set<string>();
  for (const [prefix, max] of capsOf(config)) {
    const family = [...winners.entries()].filter(([key]) => key.startsWith(prefix)).map(([key, { stamp }]) => ({ ...stamp, key }));
    const kept = new Set(latestFirst(family, max, (entry) => entry.key).map((entry) => entry.key));
    for (const entry of family) if (!kept.has(entry.key)) dropped.add(entry.key);
  }
  const keys = [...winners.keys()].filter((key) => !dropped.has(key)).sort(compareText);
  const clocks: Record<string, EventStamp> = Object.fromEntries(keys.map((key) => [key, winners.get(key)!.stamp]));
  return { clocks, sideOf: (key: string): Profile | null => (dropped.has(key) ? null : (winners.get(key)?.side ?? null)) };
}

/** Ids of one identity family (`anon:`/`email:`), most recently seen first. */
function identitiesOf(clocks: Record<string, EventStamp>, prefix: string): string[] {
  const family = Object.entries(clocks)
    .filter(([key]) => key.startsWith(prefix))
    .map(([key, stamp]) => ({ ...stamp, key }));
  return latestFirst(family, family.length, (entry) => entry.key).map((entry) => entry.key.slice(prefix.length));
}

/** One entry per product (its latest view), latest first, capped. */
function mergeRecentViews(a: readonly RecentView[], b: readonly RecentView[], max: number): RecentView[] {
  const stampOfView = (view: RecentView): EventStamp => ({ at: view.viewed_at, event_id: view.event_id });
  const latest = new Map<string, RecentView>();
  for (const view of [...a, ...b]) {
    const seen = latest.get(view.product_id);
    if (!seen || compareStamps(stampOfView(view), stampOfView(seen)) > 0) latest.set(view.product_id, view);
  }
  return [...latest.values()]
    .sort((x, y) => compareStamps(stampOfView(y), stampOfView(x)) || compareText(x.product_id, y.product_id))
    .slice(0, Math.max(0, max));
}
