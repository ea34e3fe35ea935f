import type { IdentityKey } from './identity-key.ts';
import type { Profile } from './profile.ts';
import type { ProfileStore, ProfileTx } from './profile-store.ts';

/**
 * A ProfileStore in memory: the test double for anything that folds or reads profiles. It keeps
 * the port's promises the way the real adapters do — writes are buffered and applied together
 * when `work` resolves (nothing when it rejects), transactions run one at a time, every read
 * must come before the first write (Firestore's rule; a late read throws), values are copied in
 * and out — and it can replay `work` like an optimistic store that met a concurrent writer.
 */
export type InMemoryProfileStoreOptions = {
  /** Each transaction's first N attempts are discarded and `work` runs again (simulated contention). */
  conflictsPerTransaction?: number;
};

export type InMemoryProfileStore = ProfileStore & {
  /** Copies of the committed state, for assertions. */
  snapshot: () => {
    profiles: Map<string, Profile>;
    identities: Map<IdentityKey, string>;
    applied: Map<string, { person_id: string; applied_at: string }>;
  };
  /** How many times `work` ran, retries included. */
  attempts: () => number;
};

type Writes = {
  profiles: Map<string, Profile>;
  identities: Map<IdentityKey, string>;
  applied: Map<string, { person_id: string; applied_at: string }>;
};

export function createInMemoryProfileStore(options: InMemoryProfileStoreOptions = {}): InMemoryProfileStore {
  const committed: Writes = { profiles: new Map(), identities: new Map(), applied: new Map() };
  let queue: Promise<unknown> = Promise.resolve();
  let attempts = 0;

  const runOnce = async <T>(work: (tx: ProfileTx) => Promise<T>, commit: boolean): Promise<T> => {
    attempts++;
    const writes: Writes = { profiles: new Map(), identities: new Map(), applied: new Map() };
    let phase: 'reading' | 'writing' | 'done' = 'reading';
    let violation: Error | null = null;
    const beforeRead = () => {
      if (phase === 'done') throw new Error('ProfileTx used after its transaction finished');
      if (phase === 'writing') {
        violation = new Error('ProfileTx: reads must come before writes (Firestore rule); this read came after a write');
        throw violation;
      }
    };
    const beforeWrite = () => {
      if (phase === 'done') throw new Error('ProfileTx used after its transaction finished');
      phase = 'writing';
    };
    const tx: ProfileTx = {
      resolveIdentities: async (keys) => {
        beforeRead();
        return new Map(keys.filter((key) => committed.identities.has(key)).map((key) => [key, committed.identities.get(key)!]));
      },
      getProfiles: async (ids) => {
        beforeRead();
        return new Map(ids.filter((id) => committed.profiles.has(id)).map((id) => [id, copy(committed.profiles.get(id)!)]));
      },
      findAppliedEvents: async (ids) => {
        beforeRead();
        return new Set(ids.filter((id) => committed.applied.has(id)));
      },
      putProfile: (profile) => {
        beforeWrite();
        if (!profile.person_id) throw new Error('ProfileTx: profile.person_id must be a non-empty string');
        writes.profiles.set(profile.person_id, copy(profile));
      },
      linkIdentities: (keys, personId) => {
        beforeWrite();
        for (const key of keys) writes.identities.set(key, personId);
      },
      markApplied: (eventIds, personId, appliedAt) => {
        beforeWrite();
        for (const id of eventIds) writes.applied.set(id, { person_id: personId, applied_at: appliedAt.toISOString() });
      },
    };
    try {
      const result = await work(tx);
      if (violation) throw violation;
      if (commit) {
        for (const [id, profile] of writes.profiles) committed.profiles.set(id, profile);
        for (const [key, person] of writes.identities) committed.identities.set(key, person);
        for (const [id, marker] of writes.applied) committed.applied.set(id, marker);
      }
      return result;
    } finally {
      phase = 'done';
    }
  };

  const transact = <T>(work: (tx: ProfileTx) => Promise<T>): Promise<T> => {
    const run = queue.then(async () => {
      for (let i = 0; i < (options.conflictsPerTransaction ?? 0); i++) await runOnce(work, false);
      return runOnce(work, true);
    });
    queue = run.catch(() => undefined);
    return run;
  };

  return {
    transact,
    getProfile: async (personId) => {
      const profile = committed.profiles.get(personId);
      return profile ? copy(profile) : null;
    },
    findPersonId: async (key) => committed.identities.get(key) ?? null,
    snapshot: () => ({
      profiles: new Map([...committed.profiles].map(([id, profile]) => [id, copy(profile)])),
      identities: new Map(committed.identities),
      applied: new Map([...committed.applied].map(([id, marker]) => [id, { ...marker }])),
    }),
    attempts: () => attempts,
    close: async () => {
      await queue;
    },
  };
}

/** JSON round trip: what a real store would give back (and proof the profile is plain JSON). */
function copy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
