import type { NudgeEvent } from '../events/nudge-event.ts';
import type { EventStamp, Profile } from '../profiles/profile.ts';
import type { PersonHistory } from './person-history.ts';

/**
 * Why the history cannot be trusted to fix this profile, or null when it can. A fix takes state
 * from the history refolded, so a history that lacks an event the profile applied (the warehouse
 * writer is behind, a row was dead-lettered, the BigQuery subscription delivers late) would undo
 * it: an order disappears and the bought cart is active again — an abandoned-cart email to a buyer.
 *
 * Direction decides: where the history holds MORE than the profile (a lost order in the profile)
 * the fix only adds what happened; where the profile holds more than the history, the history is
 * the suspect. Evidence that it is:
 *  - an event the profile's state references (every clock, cart log, order and checkout mark and
 *    recent view is stamped with its event id) is not among the history's events of the person;
 *  - the profile counts more orders than the history (an older order's stamp is superseded by
 *    the latest one's, so a lost older order shows only in the count);
 *  - the profile saw the person after the history's last event.
 * A wrong counter that really counts too many is then reported, not fixed: a refusal, never a
 * wrong answer. Pure.
 */
export function historyGapOf(profile: Profile, history: PersonHistory, events: readonly NudgeEvent[]): string | null {
  const known = new Set(events.map((event) => event.event_id));
  const missing = [...referencedEventIds(profile)].filter((id) => !known.has(id));
  if (missing.length > 0) return `history incomplete: the profile applied ${missing.length} event(s) the history lacks`;
  if (profile.orders.count > history.orders_count) return `history incomplete: the profile counts ${profile.orders.count} orders, the history ${history.orders_count}`;
  if (profile.last_seen_at !== null && (history.last_seen_at === null || Date.parse(profile.last_seen_at) > Date.parse(history.last_seen_at))) {
    return 'history incomplete: the profile saw the person after the history\'s last event';
  }
  return null;
}

/** Every event id the profile's mergeable state is stamped with (its views are derived from it). */
export function referencedEventIds(profile: Profile): Set<string> {
  const ids = new Set<string>();
  const add = (stamp: Pick<EventStamp, 'event_id'> | null | undefined) => {
    if (stamp) ids.add(stamp.event_id);
  };
  Object.values(profile.clocks).forEach(add);
  add(profile.state.carts_ordered);
  add(profile.state.carts_checked_out);
  for (const cart of profile.state.carts) {
    [...cart.bases, ...cart.deltas, ...cart.clears, ...cart.lines].forEach(add);
    add(cart.status);
    add(cart.currency);
  }
  profile.recent_views.forEach(add);
  return ids;
}
