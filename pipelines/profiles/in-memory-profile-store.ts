import type { JourneyTimer } from '../journeys/journey-timer.ts';
import type { IdentityKey } from './identity-key.ts';
import type { Profile } from './profile.ts';
import { requirePageLimit, type ProfileStore, type ProfileTx } from './profile-store.ts';
import { compareTimers, createTxBuffer, requireTimerLimit } from './profile-tx-rules.ts';

/**
 * A ProfileStore in memory: the test double for anything that folds or reads profiles. It keeps
 * the port's promises the way the real adapters do — writes are buffered and applied together
 * when `work` resolves (nothing when it rejects), transactions run one at a time, and the same
 * rules as SQLite and Firestore (profile-tx-rules.ts: reads before writes, at most 500 writes,
 * only storable values), values are copied in and out — and it can replay `work` like an
 * optimistic store that met a concurrent writer.
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

type Committed = {
  profiles: Map<string, Profile>;
  identities: Map<IdentityKey, string>;
  applied: Map<string, { person_id: string; applied_at: string }>;
  timers: Map<string, JourneyTimer>;
};

export function createInMemoryProfileStore(options: InMemoryProfileStoreOptions = {}): InMemoryProfileStore {
  const committed: Committed = { profiles: new Map(), identities: new Map(), applied: new Map(), timers: new Map() };
  let queue: Promise<unknown> = Promise.resolve();
  let attempts = 0;

  const runOnce = async <T>(work: (tx: ProfileTx) => Promise<T>, commit: boolean): Promise<T> => {
    attempts++;
    const buffer = createTxBuffer();
    const tx: ProfileTx = {
      resolveIdentities: async (keys) => {
        buffer.beforeRead();
        return new Map(keys.filter((key) => committed.identities.has(key)).map((key) => [key, committed.identities.get(key)!]));
      },
      getProfiles: async (ids) => {
        buffer.beforeRead();
        return new Map(ids.filter((id) => committed.profiles.has(id)).map((id) => [id, copy(committed.profiles.get(id)!)]));
      },
      findAppliedEvents: async (ids) => {
        buffer.beforeRead();
        return new Set(ids.filter((id) => committed.applied.has(id)));
      },
      getTimers: async (ids) => {
        buffer.beforeRead();
        return new Map(ids.filter((id) => committed.timers.has(id)).map((id) => [id, copy(committed.timers.get(id)!)]));
      },
      putProfile: buffer.putProfile,
      linkIdentities: buffer.linkIdentities,
      markApplied: buffer.markApplied,
      putTimer: buffer.putTimer,
      deleteTimer: buffer.deleteTimer,
    };
    let result: T;
    try {
      result = await work(tx);
    } catch (error) {
      try {
        buffer.finish(); // ends the tx, so a kept ProfileTx cannot be used later
      } catch {
        // work's own error is the one to report
      }
      throw error;
    }
    const writes = buffer.finish();
    if (commit) {
      for (const [id, profile] of writes.profiles) committed.profiles.set(id, profile);
      for (const [key, person] of writes.identities) committed.identities.set(key as IdentityKey, person);
      for (const [id, { personId, at }] of writes.applied) committed.applied.set(id, { person_id: personId, applied_at: new Date(at).toISOString() });
      for (const [id, timer] of writes.timers) {
        if (timer) committed.timers.set(id, timer);
        else committed.timers.delete(id);
      }
    }
    return result;
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
    listProfiles: async ({ after, limit }) => {
      requirePageLimit(limit);
      const ids = [...committed.profiles.keys()].filter((id) => after === null || id > after).sort().slice(0, limit);
      return { profiles: ids.map((id) => copy(committed.profiles.get(id)!)), next: ids.length === limit ? ids.at(-1)! : null };
    },
    findDueTimers: async (now, limit) => {
      requireTimerLimit(limit);
      const due = [...committed.timers.values()].filter((timer) => Date.parse(timer.due_at) <= now.getTime());
      return due.sort(compareTimers).slice(0, limit).map(copy);
    },
    listTimers: async (personId) =>
      [...committed.timers.values()].filter((timer) => timer.person_id === personId).sort(compareTimers).map(copy),
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
