import { z } from 'zod';

/**
 * The send ledger port: SQLite embedded (functions/embedded/sqlite-send-ledger.ts), Firestore on
 * GCP (functions/gcp/firestore-send-ledger.ts). A send is claimed here before the mailer is
 * called, so the same send_id (send-id.ts) is never mailed twice:
 *
 *   claim ──▶ mailer ──▶ markSent                       (status: claimed → sent)
 *                    └─▶ markFailed(permanent: false)   (claimed → retry; the next claim wins it again)
 *                    └─▶ markFailed(permanent: true)    (claimed → failed; final)
 *   crash / outcome unknown: the entry stays `claimed`. Once older than the lease it is in doubt:
 *   claim answers 'in_doubt' (no re-send) and findInDoubt lists it until someone looks at the
 *   ESP's evidence (outbox file, SendGrid custom_args search) and calls resolveInDoubt
 *   ('sent' → sent, 'retry' → retry). Nothing is silently dropped nor silently re-sent.
 *
 * The transition rules are pure and shared by both adapters (claimTransition and friends below);
 * each adapter only runs them read-decide-write inside its own transaction.
 */

export const LedgerStatus = z.enum(['claimed', 'sent', 'retry', 'failed']);
export type LedgerStatus = z.infer<typeof LedgerStatus>;

export const LedgerEntry = z.object({
  send_id: z.string(),
  campaign_id: z.string(),
  person_id: z.string(),
  step: z.number().int().nonnegative(),
  status: LedgerStatus,
  /** When the current (latest) claim was made; ISO 8601. */
  claimed_at: z.string(),
  /** Claims made so far (1 + re-claims after a retryable failure or a 'retry' resolution). */
  attempts: z.number().int().positive(),
  provider: z.enum(['outbox', 'sendgrid']).nullable(),
  provider_message_id: z.string().nullable(),
  sent_at: z.string().nullable(),
  /** The last failure's message. */
  error: z.string().nullable(),
  /** How an in-doubt claim was resolved, and on what evidence. */
  resolution: z.enum(['sent', 'retry']).nullable(),
  evidence: z.string().nullable(),
  updated_at: z.string(),
});
export type LedgerEntry = z.infer<typeof LedgerEntry>;

/**
 * The frequency cap, checked in the same transaction as the claim: at most `limit` of the
 * person's sends may count since `since` (the start of their local day). Checked apart from the
 * claim, two workers (two sweep instances on GCP) could both read "one left" and both send.
 */
export type ClaimCap = { limit: number; since: Date };
export type ClaimMeta = { campaign_id: string; person_id: string; step: number; claimed_at: Date; cap?: ClaimCap };
/**
 * - claimed: the caller owns this send and must call the mailer, then markSent/markFailed.
 * - already_sent: done before; do nothing.
 * - in_progress: another worker holds a fresh claim; do nothing (it will finish or fall in doubt).
 * - in_doubt: a claim older than the lease never finished; do nothing until it is resolved.
 * - failed: the ESP refused it for good; do nothing.
 * - capped: the person's cap is reached (counting claims in flight); nothing was written.
 */
export type SentEntry = { send_id: string; campaign_id: string; step: number; sent_at: string };

export type ClaimOutcome = 'claimed' | 'already_sent' | 'in_progress' | 'in_doubt' | 'failed' | 'capped';
export type SentMeta = { provider: 'outbox' | 'sendgrid'; provider_message_id: string; sent_at: Date };
export type FailedMeta = { error: string; permanent: boolean; failed_at: Date };

export type SendLedger = {
  /**
   * Create-if-absent (or re-claim an entry in `retry`); atomic: of concurrent claims of one send_id
   * exactly one gets 'claimed'. With meta.cap, also atomic with the person's other claims: of
   * concurrent claims of different sends for one person, no more are granted than the cap allows
   * (countsTowardsCap says which entries use it up).
   */
  claim: (send_id: string, meta: ClaimMeta) => Promise<ClaimOutcome>;
  /** Records the ESP's acceptance. Idempotent; a second call keeps the first record. Throws if never claimed. */
  markSent: (send_id: string, meta: SentMeta) => Promise<void>;
  /** Records that the ESP did not take it. Ignored unless the entry is `claimed` (a sent entry is never downgraded). */
  markFailed: (send_id: string, meta: FailedMeta) => Promise<void>;
  /** Entries still `claimed` whose claim was made before `olderThan` (pass now − lease). Oldest first. */
  findInDoubt: (olderThan: Date, limit?: number) => Promise<LedgerEntry[]>;
  /**
   * Settles a `claimed` entry on ESP evidence. True when applied; false when the entry is no
   * longer `claimed` (e.g. its worker's markSent arrived meanwhile) — then nothing changes.
   */
  resolveInDoubt: (send_id: string, resolution: 'sent' | 'retry', evidence: string, resolved_at: Date) => Promise<boolean>;
  get: (send_id: string) => Promise<LedgerEntry | null>;
  /**
   * How many of this person's entries are `sent` with sent_at ≥ since: the frequency cap counts
   * the sends of the person's local day (since = its start). Claims still in flight or in doubt
   * are not counted: the cap limits what reached the person, and an in-doubt claim is never re-sent.
   */
  countSentSince: (person_id: string, since: Date) => Promise<number>;
  /**
   * The same `sent` entries, each with its campaign and step, oldest first: the journey window
   * and resend_after look at which campaigns reached the person lately (run-journey-step.ts).
   */
  listSentSince: (person_id: string, since: Date) => Promise<SentEntry[]>;
  close?: () => Promise<void>;
};

/** How long a claim may stay unfinished before it counts as in doubt: well above a slow ESP call with retries. */
export const DEFAULT_CLAIM_LEASE_MS = 5 * 60_000;

/** Ids become Firestore document ids and SQLite keys: keep them plain (send-id.ts makes hex). */
const SEND_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,199}$/;

export function assertSendId(send_id: string): void {
  if (!SEND_ID.test(send_id)) throw new Error(`invalid send_id ${JSON.stringify(send_id)}: expected [A-Za-z0-9_-], at most 200 chars, not starting with _ or -`);
}

/** A ledger entry changed this way is written; `undefined` means leave the stored entry alone. */
export type Transition<T> = { outcome: T; write: LedgerEntry | undefined };

/**
 * Whether an entry uses up the person's allowance for the day that starts at `since`: sent that
 * day, or claimed that day and not yet settled (in flight or in doubt — either may reach the
 * person). A send that failed or waits for a retry does not count until it is claimed again.
 */
export function countsTowardsCap(entry: LedgerEntry, since: Date): boolean {
  const from = since.toISOString();
  if (entry.status === 'sent') return (entry.sent_at ?? entry.claimed_at) >= from;
  return entry.status === 'claimed' && entry.claimed_at >= from;
}

/**
 * `counted`: how many of the person's other entries count towards meta.cap (countsTowardsCap),
 * read in the same transaction; only looked at when the answer would be 'claimed'.
 */
export function claimTransition(existing: LedgerEntry | null, send_id: string, meta: ClaimMeta, leaseMs: number, counted = 0): Transition<ClaimOutcome> {
  const granted = claimTransitionUncapped(existing, send_id, meta, leaseMs);
  if (granted.outcome === 'claimed' && meta.cap && counted >= meta.cap.limit) return { outcome: 'capped', write: undefined };
  return granted;
}

function claimTransitionUncapped(existing: LedgerEntry | null, send_id: string, meta: ClaimMeta, leaseMs: number): Transition<ClaimOutcome> {
  const at = meta.claimed_at.toISOString();
  if (!existing) {
    const created: LedgerEntry = {
      send_id,
      campaign_id: meta.campaign_id,
      person_id: meta.person_id,
      step: meta.step,
      status: 'claimed',
      claimed_at: at,
      attempts: 1,
      provider: null,
      provider_message_id: null,
      sent_at: null,
      error: null,
      resolution: null,
      evidence: null,
      updated_at: at,
    };
    return { outcome: 'claimed', write: created };
  }
  switch (existing.status) {
    case 'sent':
      return { outcome: 'already_sent', write: undefined };
    case 'failed':
      return { outcome: 'failed', write: undefined };
    case 'retry':
      return { outcome: 'claimed', write: { ...existing, status: 'claimed', claimed_at: at, attempts: existing.attempts + 1, updated_at: at } };
    case 'claimed': {
      const age = meta.claimed_at.getTime() - Date.parse(existing.claimed_at);
      return { outcome: age >= leaseMs ? 'in_doubt' : 'in_progress', write: undefined };
    }
  }
}

export function sentTransition(existing: LedgerEntry | null, send_id: string, meta: SentMeta): LedgerEntry | undefined {
  if (!existing) throw new Error(`markSent: send ${send_id} was never claimed`);
  if (existing.status === 'sent') return undefined;
  const at = meta.sent_at.toISOString();
  // Even from retry/failed: the ESP's acceptance is the truth about what reached the person.
  return { ...existing, status: 'sent', provider: meta.provider, provider_message_id: meta.provider_message_id, sent_at: at, updated_at: at };
}

export function failedTransition(existing: LedgerEntry | null, send_id: string, meta: FailedMeta): LedgerEntry | undefined {
  if (!existing) throw new Error(`markFailed: send ${send_id} was never claimed`);
  if (existing.status !== 'claimed') return undefined;
  return { ...existing, status: meta.permanent ? 'failed' : 'retry', error: meta.error.slice(0, 2000), updated_at: meta.failed_at.toISOString() };
}

export function resolveTransition(existing: LedgerEntry | null, send_id: string, resolution: 'sent' | 'retry', evidence: string, resolvedAt: Date): LedgerEntry | undefined {
  if (!existing) throw new Error(`resolveInDoubt: send ${send_id} was never claimed`);
  if (existing.status !== 'claimed') return undefined;
  const at = resolvedAt.toISOString();
  return {
    ...existing,
    status: resolution,
    resolution,
    evidence: evidence.slice(0, 2000),
    // The ESP took it right after the claim; the resolution time would be later than the truth.
    sent_at: resolution === 'sent' ? existing.claimed_at : existing.sent_at,
    updated_at: at,
  };
}
