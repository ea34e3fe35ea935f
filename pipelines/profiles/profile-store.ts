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

  putProfile: (profile: Profile) => void;
  linkIdentities: (keys: readonly IdentityKey[], personId: string) => void;
  markApplied: (eventIds: readonly string[], personId: string, appliedAt: Date) => void;
};

export type ProfileStore = {
  /**
   * Runs `work` in a transaction and commits its writes. May run `work` again when another
   * writer touched the same documents (optimistic concurrency), so `work` must be free of side
   * effects other than the tx writes. Rejects when the commit finally fails.
   */
  transact: <T>(work: (tx: ProfileTx) => Promise<T>) => Promise<T>;
  getProfile: (personId: string) => Promise<Profile | null>;
  findPersonId: (key: IdentityKey) => Promise<string | null>;
  close?: () => Promise<void>;
};
