import type { JourneyTimer } from '../journeys/journey-timer.ts';
import type { IdentityKey } from './identity-key.ts';
import type { Profile } from './profile.ts';

/**
 * The profile store port: Firestore on GCP (functions/gcp/firestore-profile-store.ts), SQLite
 * embedded (functions/embedded/sqlite-profile-store.ts). Everything that changes a person happens
 * inside one transaction, so a crash never leaves a profile updated without its events marked
 * applied (or the reverse), and redelivered events are recognised and skipped.
 *
 * Firestore's rule applies to both adapters: every read in a transaction happens before its
 * first write. Writes are buffered and committed together when `work` resolves.
 */
export type ProfileTx = {
  /** identity key → person id, for the keys that are known. */
  resolveIdentities: (keys: readonly IdentityKey[]) => Promise<Map<IdentityKey, string>>;
  /** person id → profile, for the ids that exist. */
  getProfiles: (personIds: readonly string[]) => Promise<Map<string, Profile>>;
  /** The subset of these event ids already folded into some profile. */
  findAppliedEvents: (eventIds: readonly string[]) => Promise<Set<string>>;
  /** timer id → journey timer, for the ids that exist. Re-checked at commit like every read, so
   * two sweeps that take the same timer conflict and one of them runs again. */
  getTimers: (timerIds: readonly string[]) => Promise<Map<string, JourneyTimer>>;

  putProfile: (profile: Profile) => void;
  linkIdentities: (keys: readonly IdentityKey[], personId: string) => void;
  markApplied: (eventIds: readonly string[], personId: string, appliedAt: Date) => void;
  /** Arms (or re-arms: same timer_id overwrites) a journey timer. Validated at the call. */
  putTimer: (timer: JourneyTimer) => void;
  /** Cancels a timer; a timer that does not exist is fine. */
  deleteTimer: (timerId: string) => void;
};

export type ProfilePage = { profiles: Profile[]; next: string | null };

/** Checks a page size: a positive integer no larger than 1,000 (one Firestore read batch). */
export function requirePageLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new RangeError(`listProfiles: limit must be an integer in 1..1000, got ${limit}`);
  return limit;
}

export type ProfileStore = {
  /**
   * Runs `work` in a transaction and commits its writes. May run `work` again when another
   * writer touched the same documents (optimistic concurrency), so `work` must be free of side
   * effects other than the tx writes. Rejects when the commit finally fails.
   */
  transact: <T>(work: (tx: ProfileTx) => Promise<T>) => Promise<T>;
  getProfile: (personId: string) => Promise<Profile | null>;
  findPersonId: (key: IdentityKey) => Promise<string | null>;
  /** Timers due at or before `now`, at most `limit`, ordered by due_at then timer_id (by code
   * point). Not transactional: the sweep takes each one in its own transaction (getTimers). */
  findDueTimers: (now: Date, limit: number) => Promise<JourneyTimer[]>;
  /** A person's timers (CLI, profile view, tests), ordered like findDueTimers. */
  listTimers: (personId: string) => Promise<JourneyTimer[]>;
  /**
   * Every profile document, merged-away ones included, a page at a time (reconciliation and the
   * nightly profile_snapshots read them all). Pass the `next` of one page as `after` to get the
   * following page; `next` is null after the last one. The cursor is the adapter's own (an
   * encoded document id on Firestore): opaque to callers. Not a snapshot: a profile written
   * during the walk may be seen before or after its change, which version-guarded writers expect.
   */
  listProfiles: (page: { after: string | null; limit: number }) => Promise<ProfilePage>;
  close?: () => Promise<void>;
};
