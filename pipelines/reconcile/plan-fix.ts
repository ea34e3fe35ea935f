import { suppressionOf } from '../engagement/suppression.ts';
import { mergeProfiles } from '../profiles/merge-profiles.ts';
import { emptyProfile, type Profile } from '../profiles/profile.ts';
import { defaultProfileConfig, type ProfileConfig } from '../profiles/profile-config.ts';
import type { ReconciledField } from './compare-profile.ts';

export type FixPlan = {
  /** The profile with the fixable fields' state taken from the refolded history (views recomputed). */
  profile: Profile;
  /** Fields deliberately left as they are, with the reason. */
  withheld: Map<ReconciledField, string>;
};

/**
 * How the diffs of one person are fixed: for each field that disagrees, the STATE behind it is
 * taken from `rebuilt` (the history refolded, refold-history.ts) and the views are recomputed by
 * the merge, so later events merge into the fixed profile as into any other:
 *  - orders.*: the counters (they add up on merge, so they must be right), the `order:last` clock
 *    and the last order, and `carts_ordered` (an order empties the carts before it);
 *  - cart.items: the cart logs and the order/checkout marks they are replayed against;
 *  - consent.email_marketing: value and clock — only toward LESS email (history says no, or says
 *    nothing where the profile says yes). The reverse is recorded, never applied: a consent the
 *    profile lacks may have been withdrawn through a path the history does not hold, and emailing
 *    someone who said no is the one mistake a reconciliation must not make;
 *  - identities.emails: the `email:` clocks the list is derived from — unless the new list would
 *    lift a suppression (a bounce belongs to the address written to);
 *  - last_seen_at: the latest stamp.
 * Everything else (traits and suppression, recent views, affinities, other identities) stays.
 * Pure.
 */
export function planFix(current: Profile, rebuilt: Profile, fields: readonly ReconciledField[], config: ProfileConfig = defaultProfileConfig): FixPlan {
  const withheld = new Map<ReconciledField, string>();
  const draft: Profile = structuredClone(current);
  const wants = new Set(fields);
  if (wants.has('orders.count') || wants.has('orders.revenue') || wants.has('orders.last_order_at')) {
    draft.orders = { ...rebuilt.orders };
    setClock(draft, 'order:last', rebuilt);
    draft.state.carts_ordered = rebuilt.state.carts_ordered;
  }
  if (wants.has('cart.items')) {
    draft.state.carts = structuredClone(rebuilt.state.carts);
    draft.state.carts_ordered = rebuilt.state.carts_ordered;
    draft.state.carts_checked_out = rebuilt.state.carts_checked_out;
  }
  if (wants.has('consent.email_marketing')) {
    if (emailRank(rebuilt) < emailRank(current)) {
      draft.consent = { email_marketing: rebuilt.consent.email_marketing };
      setClock(draft, 'consent:email_marketing', rebuilt);
    } else withheld.set('consent.email_marketing', 'the history allows more email than the profile: consent is only ever fixed toward less email');
  }
  if (wants.has('identities.emails')) {
    const before = structuredClone(draft.clocks);
    for (const key of Object.keys(draft.clocks)) if (key.startsWith('email:')) delete draft.clocks[key];
    for (const [key, stamp] of Object.entries(rebuilt.clocks)) if (key.startsWith('email:')) draft.clocks[key] = stamp;
    if (suppressionOf(current) !== null && suppressionOf(rederive(draft, config)) === null) {
      draft.clocks = before;
      withheld.set('identities.emails', 'the history\'s addresses would lift a suppression (a bounce belongs to the address written to)');
    }
  }
  if (wants.has('last_seen_at')) draft.last_seen_at = rebuilt.last_seen_at;
  return { profile: rederive(draft, config), withheld };
}

/** Recomputes every view from the state: merging with an empty profile changes nothing else. */
function rederive(profile: Profile, config: ProfileConfig): Profile {
  const derived = mergeProfiles(profile, emptyProfile('', profile.created_at, config), config);
  return { ...derived, person_id: profile.person_id, merged_into: profile.merged_into, version: profile.version, created_at: profile.created_at, updated_at: profile.updated_at };
}

function setClock(draft: Profile, key: string, from: Profile): void {
  const stamp = from.clocks[key];
  if (stamp) draft.clocks[key] = stamp;
  else delete draft.clocks[key];
}

/** How much email a consent lets through: yes > never said > no. */
function emailRank(profile: Profile): number {
  const value = profile.consent.email_marketing?.value;
  return value === true ? 2 : value === false ? 0 : 1;
}
