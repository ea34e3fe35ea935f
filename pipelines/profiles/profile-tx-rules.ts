import { z } from 'zod';
import { JourneyTimer } from '../journeys/journey-timer.ts';
import type { Profile } from './profile.ts';
import type { ProfileTx } from './profile-store.ts';

/**
 * The rules a ProfileTx obeys and the write buffer both real adapters (SQLite, Firestore) keep
 * for one run of `work`. They are Firestore's transaction rules (reads before writes, at most 500
 * writes, only values Firestore can store); the embedded adapter enforces them too, so code that
 * passes embedded also passes on GCP, and both fail with the same messages. Pure: each adapter
 * does its own reads and commits what finish() returns.
 */

/** Firestore's per-transaction write limit, applied to both adapters for parity. */
export const MAX_WRITES_PER_TRANSACTION = 500;

/** What one run of `work` asked to write, validated and copied, ready to commit. */
export type BufferedWrites = {
  /** person_id → the profile's JSON form (see toStoredProfile). */
  profiles: Map<string, Profile>;
  /** identity key → person id. */
  identities: Map<string, string>;
  /** event id → the person it was folded into and when (epoch ms). */
  applied: Map<string, { personId: string; at: number }>;
  /** timer id → the validated timer to store, or null to delete it. */
  timers: Map<string, JourneyTimer | null>;
};

/** The write half of a ProfileTx, plus the guard every read calls first. */
export type TxBuffer = Pick<ProfileTx, 'putProfile' | 'linkIdentities' | 'markApplied' | 'putTimer' | 'deleteTimer'> & {
  /** Throws when the tx is finished or a write came first (remembered, so finish() fails too). */
  beforeRead: () => void;
  /** Called when `work` resolved: ends the tx and returns its writes. A swallowed rule
   * violation, or more than MAX_WRITES_PER_TRANSACTION writes, still fails the transaction. */
  finish: () => BufferedWrites;
};

export function createTxBuffer(): TxBuffer {
  let phase: 'reading' | 'writing' | 'done' = 'reading';
  let violation: Error | null = null;
  const writes: BufferedWrites = { profiles: new Map(), identities: new Map(), applied: new Map(), timers: new Map() };
  const beforeWrite = (): void => {
    if (phase === 'done') throw new Error('ProfileTx used after its transaction finished');
    phase = 'writing';
  };
  return {
    beforeRead: () => {
      if (phase === 'done') throw new Error('ProfileTx used after its transaction finished');
      if (phase === 'writing') {
        violation = new Error('ProfileTx: reads must come before writes (Firestore rule); this read came after a write (putProfile/linkIdentities/markApplied/putTimer/deleteTimer)');
        throw violation;
      }
    },
    putProfile: (profile) => {
      beforeWrite();
      const stored = toStoredProfile(profile);
      writes.profiles.set(stored.person_id, stored);
    },
    linkIdentities: (keys, personId) => {
      beforeWrite();
      requireId('personId', personId);
      for (const key of keys) writes.identities.set(requireId('identity key', key), personId);
    },
    markApplied: (eventIds, personId, appliedAt) => {
      beforeWrite();
      requireId('personId', personId);
      const at = appliedAt.getTime();
      if (Number.isNaN(at)) throw new Error('markApplied: appliedAt is an invalid Date');
      for (const id of eventIds) writes.applied.set(requireId('event id', id), { personId, at });
    },
    putTimer: (timer) => {
      beforeWrite();
      const stored = toStoredTimer(timer);
      writes.timers.set(stored.timer_id, stored);
    },
    deleteTimer: (timerId) => {
      beforeWrite();
      writes.timers.set(requireId('timerId', timerId), null);
    },
    finish: () => {
      phase = 'done';
      if (violation) throw violation;
      const count = writes.profiles.size + writes.identities.size + writes.applied.size + writes.timers.size;
      if (count > MAX_WRITES_PER_TRANSACTION) {
        throw new Error(`ProfileTx wrote ${count} documents; Firestore allows at most ${MAX_WRITES_PER_TRANSACTION} per transaction`);
      }
      return writes;
    },
  };
}

function requireId(what: string, value: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new Error(`ProfileTx: ${what} must be a non-empty string`);
  return value;
}

/** A validated copy (unknown keys dropped), so a bad timer fails at the call, not in a sweep later. */
function toStoredTimer(timer: JourneyTimer): JourneyTimer {
  const parsed = JourneyTimer.safeParse(timer);
  if (!parsed.success) throw new Error(`ProfileTx.putTimer: invalid timer\n${z.prettifyError(parsed.error)}`);
  requireId('timer.timer_id', parsed.data.timer_id);
  requireId('timer.person_id', parsed.data.person_id);
  return parsed.data;
}

/**
 * The JSON form of a profile (undefined dropped, Dates become ISO strings), snapshotted when
 * putProfile is called so the caller's later changes cannot leak into the commit. Rejects then
 * what Firestore could not store as a native document, rather than failing later inside the
 * commit with a less helpful message (GCP) or not at all (embedded).
 */
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

/**
 * The order findDueTimers and listTimers return timers in: due_at, then timer_id by code point —
 * what SQLite's BINARY collation and Firestore's string ordering (both UTF-8 bytes) give, which
 * plain `<` on JS strings (UTF-16 units) does not for characters beyond the BMP.
 */
export function compareTimers(a: JourneyTimer, b: JourneyTimer): number {
  const byDue = Date.parse(a.due_at) - Date.parse(b.due_at);
  if (byDue !== 0) return byDue;
  const [x, y] = [[...a.timer_id], [...b.timer_id]];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const diff = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (diff !== 0) return diff;
  }
  return x.length - y.length;
}

/** One rule for every adapter: a sweep asking for zero or a fractional number of timers is a bug. */
export function requireTimerLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1) throw new Error(`findDueTimers: limit must be a positive integer, got ${limit}`);
  return limit;
}
