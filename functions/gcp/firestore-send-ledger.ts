import { createHash } from 'node:crypto';
import type { DocumentReference, Firestore } from '@google-cloud/firestore';
import {
  DEFAULT_CLAIM_LEASE_MS,
  LedgerEntry,
  assertSendId,
  claimTransition,
  countsTowardsCap,
  failedTransition,
  resolveTransition,
  sentTransition,
  type ClaimCap,
  type ClaimMeta,
  type ClaimOutcome,
  type SendLedger,
} from '../../pipelines/delivery/send-ledger.ts';

/**
 * The GCP SendLedger: one native document per send, `{prefix}send_ledger/{send_id}`, holding the
 * LedgerEntry field for field.
 *
 * claim() first tries `create()`, which Firestore makes atomic create-if-absent: of concurrent
 * claims exactly one creates, the rest get ALREADY_EXISTS and fall back to a transaction that
 * reads the entry and applies the shared transition (re-claiming a `retry` entry, or answering
 * in_progress / in_doubt / already_sent). Every other change is a read-decide-write transaction.
 *
 * `pending_since` (= claimed_at, present only while the entry is `claimed`) lets findInDoubt run
 * as a single-field range query, which Firestore indexes automatically: no composite index to
 * declare in terraform, and finished sends drop out of that index. countSentSince (the frequency
 * cap's first look, before deciding) does need one: person_id ==, sent_at >= (terraform/firestore.tf).
 *
 * The cap itself is checked inside the claim's transaction. A query is no lock against a claim
 * another instance is creating, so the person's day has a counter document,
 * `{prefix}send_caps/{hash(person_id, day start)}`, listing the send_ids claimed under the cap that
 * day. A capped claim reads it (and the entries it lists, to see which still count:
 * countsTowardsCap), writes its entry and appends itself — all in one transaction. Two instances
 * claiming for one person both read and write that document, so Firestore serialises them and the
 * second sees the first. Sends claimed while the cap was off are not listed (the cap starts
 * counting when it is switched on).
 */

export const SEND_LEDGER_COLLECTION = 'send_ledger';
export const SEND_CAPS_COLLECTION = 'send_caps';
/** gRPC ALREADY_EXISTS. The SDK's GrpcStatus enum is not a named ESM export of the CommonJS package. */
const ALREADY_EXISTS = 6;

export type FirestoreSendLedgerDeps = {
  firestore: Firestore;
  /** Prepended to the collection name (tests, side-by-side environments). Default ''. */
  collectionPrefix?: string;
  /** Age at which an unfinished claim counts as in doubt. Default DEFAULT_CLAIM_LEASE_MS. */
  leaseMs?: number;
  /** Attempts runTransaction makes under contention. Default 10. */
  maxAttempts?: number;
};

export function createFirestoreSendLedger(deps: FirestoreSendLedgerDeps): SendLedger {
  const { firestore } = deps;
  const leaseMs = deps.leaseMs ?? DEFAULT_CLAIM_LEASE_MS;
  const collection = firestore.collection(`${deps.collectionPrefix ?? ''}${SEND_LEDGER_COLLECTION}`);
  const caps = firestore.collection(`${deps.collectionPrefix ?? ''}${SEND_CAPS_COLLECTION}`);
  const ref = (send_id: string): DocumentReference => {
    assertSendId(send_id);
    return collection.doc(send_id);
  };

  /** Read-decide-write in a transaction; Firestore re-runs `decide` on contention, so it stays pure. */
  const update = <T>(send_id: string, decide: (existing: LedgerEntry | null) => { result: T; write: LedgerEntry | undefined }): Promise<T> => {
    const doc = ref(send_id);
    return firestore.runTransaction(
      async (t) => {
        const snap = await t.get(doc);
        const { result, write } = decide(snap.exists ? LedgerEntry.parse(snap.data()) : null);
        if (write) t.set(doc, toDocument(write));
        return result;
      },
      { maxAttempts: deps.maxAttempts ?? 10 },
    );
  };

  /** Claim, cap and counter in one transaction (see the top comment). */
  const claimCapped = (send_id: string, meta: ClaimMeta & { cap: ClaimCap }): Promise<ClaimOutcome> => {
    const doc = ref(send_id);
    const counter = caps.doc(capDocumentId(meta.person_id, meta.cap.since));
    return firestore.runTransaction(
      async (t) => {
        const [snap, counterSnap] = await t.getAll(doc, counter);
        const existing = snap!.exists ? LedgerEntry.parse(snap!.data()) : null;
        const listed = ((counterSnap!.get('send_ids') as string[] | undefined) ?? []).filter((id) => id !== send_id);
        const others = listed.length === 0 ? [] : await t.getAll(...listed.map((id) => collection.doc(id)));
        const counted = others.filter((other) => other.exists && countsTowardsCap(LedgerEntry.parse(other.data()), meta.cap.since)).length;
        const { outcome, write } = claimTransition(existing, send_id, meta, leaseMs, counted);
        if (write) t.set(doc, toDocument(write));
        if (outcome === 'claimed') {
          t.set(counter, { person_id: meta.person_id, since: meta.cap.since.toISOString(), send_ids: [...listed, send_id], updated_at: meta.claimed_at.toISOString() });
        }
        return outcome;
      },
      { maxAttempts: deps.maxAttempts ?? 10 },
    );
  };

  return {
    claim: async (send_id, meta) => {
      if (meta.cap) return claimCapped(send_id, { ...meta, cap: meta.cap });
      const doc = ref(send_id);
      const fresh = claimTransition(null, send_id, meta, leaseMs);
      try {
        await doc.create(toDocument(fresh.write!));
        return 'claimed';
      } catch (error) {
        if ((error as { code?: unknown }).code !== ALREADY_EXISTS) throw error;
      }
      return update(send_id, (existing) => {
        const { outcome, write } = claimTransition(existing, send_id, meta, leaseMs);
        return { result: outcome, write };
      });
    },
    markSent: (send_id, meta) => update(send_id, (existing) => ({ result: undefined, write: sentTransition(existing, send_id, meta) })),
    markFailed: (send_id, meta) => update(send_id, (existing) => ({ result: undefined, write: failedTransition(existing, send_id, meta) })),
    resolveInDoubt: (send_id, resolution, evidence, resolvedAt) =>
      update(send_id, (existing) => {
        const write = resolveTransition(existing, send_id, resolution, evidence, resolvedAt);
        return { result: write !== undefined, write };
      }),
    findInDoubt: async (olderThan, limit = 100) => {
      const snaps = await collection.where('pending_since', '<', olderThan.toISOString()).orderBy('pending_since').limit(limit).get();
      // A stale index entry cannot exist (pending_since is written with the status), but parse
      // and filter anyway so the answer never holds a finished send.
      return snaps.docs.map((snap) => LedgerEntry.parse(snap.data())).filter((entry) => entry.status === 'claimed');
    },
    get: async (send_id) => {
      const snap = await ref(send_id).get();
      return snap.exists ? LedgerEntry.parse(snap.data()) : null;
    },
    countSentSince: async (person_id, since) => {
      // Equality on person_id plus a range on sent_at needs the composite index
      // (person_id ASC, sent_at ASC) declared in terraform/firestore.tf. Only `sent` entries have a
      // sent_at, but the status is read and checked anyway: a person's sends in one day are few.
      const snaps = await collection.where('person_id', '==', person_id).where('sent_at', '>=', since.toISOString()).select('status').get();
      return snaps.docs.filter((snap) => snap.get('status') === 'sent').length;
    },
    listSentSince: async (person_id, since) => {
      // The frequency cap's index (person_id, sent_at) serves this too.
      const snaps = await collection.where('person_id', '==', person_id).where('sent_at', '>=', since.toISOString()).select('status', 'campaign_id', 'step', 'sent_at').get();
      return snaps.docs
        .filter((snap) => snap.get('status') === 'sent')
        .map((snap) => ({ send_id: snap.id, campaign_id: String(snap.get('campaign_id')), step: Number(snap.get('step')), sent_at: String(snap.get('sent_at')) }))
        .sort((a, b) => (a.sent_at < b.sent_at ? -1 : a.sent_at > b.sent_at ? 1 : a.send_id < b.send_id ? -1 : 1));
    },
  };
}

function toDocument(entry: LedgerEntry): Record<string, unknown> {
  const parsed = LedgerEntry.parse(entry);
  return parsed.status === 'claimed' ? { ...parsed, pending_since: parsed.claimed_at } : { ...parsed };
}

/** Person ids are free text: hashed into a plain document id, one per person and local day. */
function capDocumentId(person_id: string, since: Date): string {
  return createHash('sha256').update(JSON.stringify([person_id, since.toISOString()])).digest('hex').slice(0, 40);
}
