import { createHash } from 'node:crypto';
import { FieldPath, Timestamp, type DocumentReference, type Firestore, type QueryDocumentSnapshot, type Transaction } from '@google-cloud/firestore';
import type { JourneyTimer } from '../../pipelines/journeys/journey-timer.ts';
import type { IdentityKey } from '../../pipelines/profiles/identity-key.ts';
import type { Profile } from '../../pipelines/profiles/profile.ts';
import { requirePageLimit, type ProfileStore, type ProfileTx } from '../../pipelines/profiles/profile-store.ts';
import { compareTimers, createTxBuffer, requireTimerLimit, type BufferedWrites, type TxBuffer } from '../../pipelines/profiles/profile-tx-rules.ts';

/**
 * The GCP ProfileStore: native Firestore documents in four collections,
 *   `{prefix}profiles/{person_id}`       the profile itself, field for field (nested maps)
 *   `{prefix}identities/{key}`           { key, person_id }
 *   `{prefix}applied_events/{event_id}`  { event_id, person_id, applied_at, expire_at }
 *   `{prefix}journey_timers/{timer_id}`  { timer_id, person_id, due_at: Timestamp, timer: the JourneyTimer as given }
 * Document ids go through encodeDocumentId, since identity keys and event ids may hold '/'.
 *
 * Profiles are stored as their JSON form (undefined dropped, Dates become ISO strings), so what
 * comes back deep-equals what went in: numbers stay numbers, strings stay strings, and no
 * Timestamp ever appears inside a profile. The injected client must not set `useBigInt`.
 * The transaction rules (and that JSON form) come from profile-tx-rules.ts, shared with SQLite.
 *
 * findDueTimers filters on due_at (a Timestamp, so the range compares instants, not strings) and
 * orders by due_at then timer_id: that needs the composite index journey_timers (due_at ASC,
 * timer_id ASC), declared in terraform/firestore.tf. listTimers uses the automatic single-field
 * index on person_id.
 */

/** The collection (after the prefix) that holds journey timers; terraform/firestore.tf indexes it. */
export const JOURNEY_TIMERS_COLLECTION = 'journey_timers';

/** The Timestamp field a Firestore TTL policy on the `applied_events` collection group deletes by. */
export const APPLIED_EVENT_TTL_FIELD = 'expire_at';
/** Markers live this long after being applied; same window as the embedded prune. */
export const APPLIED_EVENT_RETENTION_DAYS = 30;
export { MAX_WRITES_PER_TRANSACTION } from '../../pipelines/profiles/profile-tx-rules.ts';
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
  const timers = firestore.collection(`${prefix}${JOURNEY_TIMERS_COLLECTION}`);
  const refs: Refs = {
    profile: (id) => profiles.doc(encodeDocumentId(id)),
    identity: (key) => identities.doc(encodeDocumentId(key)),
    applied: (id) => appliedEvents.doc(encodeDocumentId(id)),
    timer: (id) => timers.doc(encodeDocumentId(id)),
  };

  const commit = (t: Transaction, writes: BufferedWrites): void => {
    for (const profile of writes.profiles.values()) t.set(refs.profile(profile.person_id), profile);
    for (const [key, personId] of writes.identities) t.set(refs.identity(key), { key, person_id: personId });
    for (const [id, { personId, at }] of writes.applied) {
      t.set(refs.applied(id), { event_id: id, person_id: personId, applied_at: new Date(at), [APPLIED_EVENT_TTL_FIELD]: new Date(at + retentionMs) });
    }
    for (const [id, timer] of writes.timers) {
      if (timer) t.set(refs.timer(id), { timer_id: id, person_id: timer.person_id, due_at: Timestamp.fromMillis(Date.parse(timer.due_at)), timer });
      else t.delete(refs.timer(id));
    }
  };

  return {
    transact: (work) =>
      firestore.runTransaction(
        async (t) => {
          const buffer = createTxBuffer();
          const result = await work(createTx(t, buffer, refs));
          commit(t, buffer.finish());
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
    findDueTimers: async (now, limit) => {
      const due = await timers
        .where('due_at', '<=', Timestamp.fromDate(now))
        .orderBy('due_at')
        .orderBy('timer_id')
        .limit(requireTimerLimit(limit))
        .get();
      return due.docs.map(timerOf);
    },
    listTimers: async (personId) => {
      // Equality only (automatic index); a person has a handful of timers, so sort here.
      const mine = await timers.where('person_id', '==', personId).get();
      return mine.docs.map(timerOf).sort(compareTimers);
    },
    listProfiles: async ({ after, limit }) => {
      // Ordered by document id (the encoded person id): Firestore's own key order, no index needed.
      let query = profiles.orderBy(FieldPath.documentId()).limit(requirePageLimit(limit));
      if (after !== null) query = query.startAfter(after);
      const page = await query.get();
      return { profiles: page.docs.map((doc) => doc.data() as Profile), next: page.docs.length === limit ? page.docs.at(-1)!.id : null };
    },
  };
}

const timerOf = (snap: QueryDocumentSnapshot) => snap.get('timer') as JourneyTimer;

/**
 * A Firestore-safe document id: percent-encoding removes '/', and a leading '.' or '_' is escaped
 * too, which rules out the forbidden ids '.', '..' and `__name__`. An id whose encoding exceeds
 * Firestore's 1500 bytes (a shopper's long non-ASCII cart or user id, accepted at the door) is
 * replaced by its SHA-256, behind a "%%" that percent-encoding never writes, so it cannot meet an
 * encoded id. Nothing decodes document ids: every document holds its own key or value.
 */
export function encodeDocumentId(raw: string): string {
  if (typeof raw !== 'string' || raw.length === 0) throw new Error('Document id must be a non-empty string');
  const id = encodeURIComponent(raw).replace(/^[._]/, (c) => (c === '.' ? '%2E' : '%5F'));
  return id.length <= 1500 ? id : `%%${createHash('sha256').update(raw).digest('hex')}`;
}

type Refs = {
  profile: (personId: string) => DocumentReference;
  identity: (key: string) => DocumentReference;
  applied: (eventId: string) => DocumentReference;
  timer: (timerId: string) => DocumentReference;
};

/** Reads the distinct refs in one round trip, keyed back by the caller's ids. */
async function readAll(t: Transaction, ids: readonly string[], ref: (id: string) => DocumentReference) {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return [];
  const snaps = await t.getAll(...unique.map(ref));
  return unique.map((id, i) => ({ id, snap: snaps[i]! }));
}

function createTx(t: Transaction, buffer: TxBuffer, refs: Refs): ProfileTx {
  return {
    resolveIdentities: async (keys) => {
      buffer.beforeRead();
      const found = new Map<IdentityKey, string>();
      for (const { id, snap } of await readAll(t, keys, refs.identity)) {
        if (snap.exists) found.set(id as IdentityKey, snap.get('person_id') as string);
      }
      return found;
    },
    getProfiles: async (personIds) => {
      buffer.beforeRead();
      const found = new Map<string, Profile>();
      for (const { id, snap } of await readAll(t, personIds, refs.profile)) {
        if (snap.exists) found.set(id, snap.data() as Profile);
      }
      return found;
    },
    findAppliedEvents: async (eventIds) => {
      buffer.beforeRead();
      const found = new Set<string>();
      for (const { id, snap } of await readAll(t, eventIds, refs.applied)) if (snap.exists) found.add(id);
      return found;
    },
    getTimers: async (timerIds) => {
      buffer.beforeRead();
      const found = new Map<string, JourneyTimer>();
      for (const { id, snap } of await readAll(t, timerIds, refs.timer)) if (snap.exists) found.set(id, snap.get('timer') as JourneyTimer);
      return found;
    },
    putProfile: buffer.putProfile,
    linkIdentities: buffer.linkIdentities,
    markApplied: buffer.markApplied,
    putTimer: buffer.putTimer,
    deleteTimer: buffer.deleteTimer,
  };
}
