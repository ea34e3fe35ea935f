import type { DocumentReference, Firestore, Transaction } from '@google-cloud/firestore';
import type { IdentityKey } from '../../pipelines/profiles/identity-key.ts';
import type { Profile } from '../../pipelines/profiles/profile.ts';
import type { ProfileStore, ProfileTx } from '../../pipelines/profiles/profile-store.ts';

/**
 * The GCP ProfileStore: native Firestore documents in three collections,
 *   `{prefix}profiles/{person_id}`       the profile itself, field for field (nested maps)
 *   `{prefix}identities/{key}`           { key, person_id }
 *   `{prefix}applied_events/{event_id}`  { event_id, person_id, applied_at, expire_at }
 * Document ids go through encodeDocumentId, since identity keys and event ids may hold '/'.
 *
 * Profiles are stored as their JSON form (undefined dropped, Dates become ISO strings), so what
 * comes back deep-equals what went in: numbers stay numbers, strings stay strings, and no
 * Timestamp ever appears inside a profile. The injected client must not set `useBigInt`.
 */

/** The Timestamp field a Firestore TTL policy on the `applied_events` collection group deletes by. */
export const APPLIED_EVENT_TTL_FIELD = 'expire_at';
/** Markers live this long after being applied; same window as the embedded prune. */
export const APPLIED_EVENT_RETENTION_DAYS = 30;
export const MAX_WRITES_PER_TRANSACTION = 500;
const DAY_MS = 24 * 60 * 60 * 1000;

export type FirestoreProfileStoreDeps = {
  firestore: Firestore;
  /** Prepended to each collection name (tests, side-by-side environments). Default ''. */
  collectionPrefix?: string;
  appliedEventRetentionDays?: number;
  /** Attempts runTransaction makes under contention. Default 10 (the SDK's 5 is tight when
   * several events for one person arrive together). */
  maxAttempts?: number;
};

export function createFirestoreProfileStore(deps: FirestoreProfileStoreDeps): ProfileStore {
  const { firestore } = deps;
  const prefix = deps.collectionPrefix ?? '';
  const retentionMs = (deps.appliedEventRetentionDays ?? APPLIED_EVENT_RETENTION_DAYS) * DAY_MS;
  const profiles = firestore.collection(`${prefix}profiles`);
  const identities = firestore.collection(`${prefix}identities`);
  const appliedEvents = firestore.collection(`${prefix}applied_events`);
  const refs: Refs = {
    profile: (id) => profiles.doc(encodeDocumentId(id)),
    identity: (key) => identities.doc(encodeDocumentId(key)),
    applied: (id) => appliedEvents.doc(encodeDocumentId(id)),
  };

  const commit = (t: Transaction, attempt: Attempt): void => {
    for (const profile of attempt.writes.profiles.values()) t.set(refs.profile(profile.person_id), profile);
    for (const [key, personId] of attempt.writes.identities) t.set(refs.identity(key), { key, person_id: personId });
    for (const [id, { personId, at }] of attempt.writes.applied) {
      t.set(refs.applied(id), { event_id: id, person_id: personId, applied_at: at, [APPLIED_EVENT_TTL_FIELD]: new Date(at.getTime() + retentionMs) });
    }
  };

  return {
    transact: (work) =>
      firestore.runTransaction(
        async (t) => {
          const attempt = newAttempt();
          const result = await work(createTx(t, attempt, refs));
          attempt.finish();
          commit(t, attempt);
          return result;
        },
        { maxAttempts: deps.maxAttempts ?? 10 },
      ),
    getProfile: async (personId) => {
      const snap = await refs.profile(personId).get();
      return snap.exists ? (snap.data() as Profile) : null;
    },
    findPersonId: async (key) => {
      const snap = await refs.identity(key).get();
      return snap.exists ? (snap.get('person_id') as string) : null;
    },
  };
}

/**
 * A reversible, Firestore-safe document id: percent-encoding removes '/', and a leading '.' or
 * '_' is escaped too, which rules out the forbidden ids '.', '..' and `__name__`.
 */
export function encodeDocumentId(raw: string): string {
  if (typeof raw !== 'string' || raw.length === 0) throw new Error('Document id must be a non-empty string');
  const id = encodeURIComponent(raw).replace(/^[._]/, (c) => (c === '.' ? '%2E' : '%5F'));
  if (Buffer.byteLength(id) > 1500) throw new Error(`Document id for "${raw.slice(0, 40)}…" exceeds Firestore's 1500 bytes`);
  return id;
}

type Refs = {
  profile: (personId: string) => DocumentReference;
  identity: (key: string) => DocumentReference;
  applied: (eventId: string) => DocumentReference;
};

/** One run of `work`: its phase (reads, then writes) and the writes it buffered. */
type Attempt = ReturnType<typeof newAttempt>;

function newAttempt() {
  let phase: 'reading' | 'writing' | 'done' = 'reading';
  let violation: Error | null = null;
  const attempt = {
    writes: {
      profiles: new Map<string, Profile>(),
      identities: new Map<string, string>(),
      applied: new Map<string, { personId: string; at: Date }>(),
    },
    beforeRead(): void {
      if (phase === 'done') throw new Error('ProfileTx used after its transaction finished');
      if (phase === 'writing') {
        violation = new Error('ProfileTx: reads must come before writes (Firestore rule); this read came after putProfile/linkIdentities/markApplied');
        throw violation;
      }
    },
    beforeWrite(): void {
      if (phase === 'done') throw new Error('ProfileTx used after its transaction finished');
      phase = 'writing';
    },
    /** Called when `work` resolved: a swallowed rule violation still fails the transaction. */
    finish(): void {
      phase = 'done';
      if (violation) throw violation;
      const count = attempt.writes.profiles.size + attempt.writes.identities.size + attempt.writes.applied.size;
      if (count > MAX_WRITES_PER_TRANSACTION) {
        throw new Error(`ProfileTx wrote ${count} documents; Firestore allows at most ${MAX_WRITES_PER_TRANSACTION} per transaction`);
      }
    },
  };
  return attempt;
}

/** Reads the distinct refs in one round trip, keyed back by the caller's ids. */
async function readAll(t: Transaction, ids: readonly string[], ref: (id: string) => DocumentReference) {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return [];
  const snaps = await t.getAll(...unique.map(ref));
  return unique.map((id, i) => ({ id, snap: snaps[i]! }));
}

function createTx(t: Transaction, attempt: Attempt, refs: Refs): ProfileTx {
  return {
    resolveIdentities: async (keys) => {
      attempt.beforeRead();
      const found = new Map<IdentityKey, string>();
      for (const { id, snap } of await readAll(t, keys, refs.identity)) {
        if (snap.exists) found.set(id as IdentityKey, snap.get('person_id') as string);
      }
      return found;
    },
    getProfiles: async (personIds) => {
      attempt.beforeRead();
      const found = new Map<string, Profile>();
      for (const { id, snap } of await readAll(t, personIds, refs.profile)) {
        if (snap.exists) found.set(id, snap.data() as Profile);
      }
      return found;
    },
    findAppliedEvents: async (eventIds) => {
      attempt.beforeRead();
      const found = new Set<string>();
      for (const { id, snap } of await readAll(t, eventIds, refs.applied)) if (snap.exists) found.add(id);
      return found;
    },
    putProfile: (profile) => {
      attempt.beforeWrite();
      const stored = toStoredProfile(profile);
      attempt.writes.profiles.set(stored.person_id, stored);
    },
    linkIdentities: (keys, personId) => {
      attempt.beforeWrite();
      requireId('personId', personId);
      for (const key of keys) attempt.writes.identities.set(requireId('identity key', key), personId);
    },
    markApplied: (eventIds, personId, appliedAt) => {
      attempt.beforeWrite();
      requireId('personId', personId);
      if (Number.isNaN(appliedAt.getTime())) throw new Error('markApplied: appliedAt is an invalid Date');
      for (const id of eventIds) attempt.writes.applied.set(requireId('event id', id), { personId, at: new Date(appliedAt) });
    },
  };
}

function requireId(what: string, value: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new Error(`ProfileTx: ${what} must be a non-empty string`);
  return value;
}

/** The JSON form of a profile, snapshotted at putProfile, checked against Firestore's rules
 * here rather than failing later inside commit with a less helpful message. */
function toStoredProfile(profile: Profile): Profile {
  requireId('profile.person_id', profile.person_id);
  if (typeof profile.version !== 'number' || !Number.isFinite(profile.version)) throw new Error('ProfileTx: profile.version must be a finite number');
  const stored = JSON.parse(JSON.stringify(profile)) as Profile;
  assertFirestoreStorable(stored, []);
  return stored;
}

/** Firestore: no array directly inside an array, no empty or `__reserved__` keys, depth ≤ 20. */
function assertFirestoreStorable(value: unknown, path: string[], inArray = false): void {
  const where = () => (path.length ? path.join('.') : '(root)');
  if (path.length > 21) throw new Error(`Profile is nested deeper than Firestore's 20 levels at ${where()}`);
  if (Array.isArray(value)) {
    if (inArray) throw new Error(`Profile has an array directly inside an array at ${where()}; Firestore cannot store that`);
    value.forEach((item, i) => assertFirestoreStorable(item, [...path, String(i)], true));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (key === '' || /^__.*__$/.test(key)) throw new Error(`Profile has key "${key}" at ${where()}; Firestore reserves empty and __name__ keys`);
      assertFirestoreStorable(item, [...path, key], false);
    }
  }
}
