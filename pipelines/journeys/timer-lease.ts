import type { Profile } from '../profiles/profile.ts';
import type { ProfileStore } from '../profiles/profile-store.ts';
import { readSurvivingProfile } from '../profiles/surviving-profile.ts';
import { journeyTimerId, type JourneyTimer } from './journey-timer.ts';

export type TakenTimer = {
  /** The timer as it was due. */
  timer: JourneyTimer;
  /** The same timer pushed to now + lease: what finishTimer expects to find. */
  leased: JourneyTimer;
  /** The person's surviving profile (merged persons followed), or null. */
  profile: Profile | null;
};

/**
 * Takes a due timer by pushing its due time to now + lease, in one transaction with reading the
 * profile. If the process dies mid-step the timer simply comes due again after the lease, and the
 * send ledger makes sure the email still goes out at most once. Returns null when the timer is
 * gone or was re-armed for later (the cart changed) since the sweep listed it, or when it belongs
 * to a person absorbed by a merge whose survivor has its own timer for the cart (it is dropped).
 */
export function takeTimer(store: ProfileStore, timerId: string, now: Date, leaseMs: number): Promise<TakenTimer | null> {
  return store.transact(async (tx) => {
    const timer = (await tx.getTimers([timerId])).get(timerId);
    if (!timer || new Date(timer.due_at).getTime() > now.getTime()) return null;
    const profile = await readSurvivingProfile(async (id) => (await tx.getProfiles([id])).get(id), timer.person_id);
    if (profile && profile.person_id !== timer.person_id) {
      // The timer's person was absorbed by a merge. When the survivor has armed its own timer for
      // the same cart (activity after the merge), that one carries the wait; this one would send
      // before it is over.
      const survivors = journeyTimerId(timer.campaign_id, profile.person_id, timer.trigger_key);
      if ((await tx.getTimers([survivors])).has(survivors)) {
        tx.deleteTimer(timer.timer_id);
        return null;
      }
    }
    const leased: JourneyTimer = { ...timer, due_at: new Date(now.getTime() + leaseMs).toISOString() };
    tx.putTimer(leased);
    return { timer, leased, profile };
  });
}

/**
 * Ends a taken timer: removes it, or replaces it (next step, deferral, retry). Only if it is still
 * the leased version: a cart change meanwhile re-armed it, and that newer timer wins.
 */
export function finishTimer(store: ProfileStore, leased: JourneyTimer, next: JourneyTimer | null): Promise<boolean> {
  return store.transact(async (tx) => {
    const current = (await tx.getTimers([leased.timer_id])).get(leased.timer_id);
    if (!current || current.due_at !== leased.due_at || current.step !== leased.step) return false;
    if (next) tx.putTimer(next);
    else tx.deleteTimer(leased.timer_id);
    return true;
  });
}

/**
 * Is the taken timer still ours (not cancelled by an order, not re-armed by a cart change), and
 * what does the person look like now? A read-only transaction, right before the send is claimed.
 */
export function rereadLeased(store: ProfileStore, leased: JourneyTimer): Promise<{ stillLeased: boolean; profile: Profile | null }> {
  return store.transact(async (tx) => {
    const current = (await tx.getTimers([leased.timer_id])).get(leased.timer_id);
    const stillLeased = current !== undefined && current.due_at === leased.due_at && current.step === leased.step;
    return { stillLeased, profile: stillLeased ? await readSurvivingProfile(async (id) => (await tx.getProfiles([id])).get(id), leased.person_id) : null };
  });
}
