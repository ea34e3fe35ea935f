import type { Clock } from '../shared/clock.ts';
import { recordSend, type FactQueue } from '../warehouse/fact-rows.ts';
import type { MailerProvider } from './mailer.ts';
import type { LedgerEntry, SendLedger } from './send-ledger.ts';

/** What the ESP knows about one send: did it take the email, and what showed it (kept in the ledger). */
export type SendEvidence = { sent: boolean; evidence: string; provider_message_id?: string };

/**
 * The ESP's record cannot be read at all — no access to it (SendGrid without the Email Activity
 * add-on, or a key without its scope) — as opposed to a lookup that failed this time. Waiting does
 * not help, so after a bound the claim is settled as sent (resolveInDoubtDefaults).
 */
export class EvidenceUnavailableError extends Error {
  override readonly name = 'EvidenceUnavailableError';
}

/** Every tunable of the resolver, in one place. */
export const resolveInDoubtDefaults = {
  /** Claims looked at per run, oldest first. */
  limit: 100,
  /**
   * Without access to the ESP's record, a claim this old (from its claimed_at) is settled as
   * 'sent': a missed email beats a duplicate. Until then it waits, logged at each run, so an
   * operator can grant the access.
   */
  assumeSentWithoutEvidenceAfterMs: 60 * 60_000,
} as const;

export type ResolveInDoubtDeps = {
  ledger: SendLedger;
  /**
   * Asks the ESP (functions/embedded/outbox-evidence.ts, functions/gcp/sendgrid-evidence.ts).
   * A throw leaves that send in doubt for the next run; EvidenceUnavailableError counts towards
   * assumeSentWithoutEvidenceAfterMs.
   */
  findEvidence: (send_id: string) => Promise<SendEvidence>;
  /** The mailer whose sends these are (the email_sends row's provider). */
  provider: MailerProvider;
  /** Where the email_sends row of a send settled here goes (fact-rows.ts). */
  facts: FactQueue;
  clock: Clock;
  /**
   * Only claims older than this are looked at: the ledger's lease (NUDGE_SEND_LEASE_MS). A younger
   * claim may belong to a worker still talking to the ESP, and resolving it 'retry' then would let
   * a second worker send it again.
   */
  olderThanMs: number;
  /**
   * How far the ESP's record may lag behind an email it accepted (SendGrid's activity feed:
   * SENDGRID_ACTIVITY_LAG_MS; the outbox: 0, its file exists before the mailer returns). "Not
   * found" proves "not sent" only for claims older than this, so olderThanMs may not be lower:
   * the resolver refuses such a configuration instead of sending twice.
   */
  evidenceLagMs?: number;
  limit?: number;
  assumeSentWithoutEvidenceAfterMs?: number;
  log?: (entry: Record<string, unknown>) => void;
};

export type ResolveInDoubtResult = { resolved_sent: number; resolved_retry: number };

/**
 * Settles claims a crash left in doubt (send-ledger.ts): the ESP's evidence decides. The email
 * is there → 'sent' (never mailed again); it is not → 'retry' (the next claim may send it); the
 * evidence cannot be read at all → 'sent' once the claim is older than a bound. A send settled as
 * sent gets its email_sends row here, written before the ledger changes so that a crash between
 * the two leaves the claim to the next run rather than a send without its row. Each resolution is
 * logged, with the send_id only, so none happens silently. Runs one batch; call it from a sweep.
 * A claim its worker finished meanwhile is left as that worker wrote it.
 */
export function createResolveInDoubt(deps: ResolveInDoubtDeps): () => Promise<ResolveInDoubtResult> {
  if (!(deps.olderThanMs > 0)) throw new Error(`olderThanMs must be positive, got ${deps.olderThanMs}`);
  const lagMs = deps.evidenceLagMs ?? 0;
  if (deps.olderThanMs < lagMs) {
    throw new Error(
      `the send lease (${deps.olderThanMs} ms) is shorter than the ${deps.provider} evidence lag (${lagMs} ms): a claim would be judged "not sent" before the ESP's record can show it, and sent twice. Raise NUDGE_SEND_LEASE_MS to at least ${lagMs}.`,
    );
  }
  const limit = deps.limit ?? resolveInDoubtDefaults.limit;
  const assumeSentAfterMs = deps.assumeSentWithoutEvidenceAfterMs ?? resolveInDoubtDefaults.assumeSentWithoutEvidenceAfterMs;
  return async () => {
    const result: ResolveInDoubtResult = { resolved_sent: 0, resolved_retry: 0 };
    const now = deps.clock.now();
    const cutoff = new Date(now.getTime() - deps.olderThanMs);
    for (const entry of await deps.ledger.findInDoubt(cutoff, limit)) {
      const { send_id } = entry;
      let found: SendEvidence;
      try {
        found = await deps.findEvidence(send_id);
      } catch (error) {
        if (!(error instanceof EvidenceUnavailableError)) {
          deps.log?.({ severity: 'ERROR', message: 'send in doubt: evidence lookup failed; left in doubt', send_id, error: String(error) });
          continue;
        }
        const ageMs = now.getTime() - Date.parse(entry.claimed_at);
        if (ageMs < assumeSentAfterMs) {
          deps.log?.({ severity: 'ERROR', message: `send in doubt: the ESP's evidence cannot be read; assumed sent once ${assumeSentAfterMs} ms old`, send_id, error: error.message });
          continue;
        }
        found = { sent: true, evidence: `assumed sent without evidence after ${assumeSentAfterMs} ms (a missed email beats a duplicate): ${error.message}` };
        deps.log?.({ severity: 'ERROR', message: "send in doubt assumed sent: the ESP's evidence cannot be read", send_id, error: error.message });
      }
      const resolution = found.sent ? 'sent' : 'retry';
      if (found.sent) await recordResolvedSend(deps, entry, found);
      const applied = await deps.ledger.resolveInDoubt(send_id, resolution, found.evidence, deps.clock.now());
      if (!applied) {
        deps.log?.({ severity: 'INFO', message: 'send in doubt: settled by its worker meanwhile', send_id });
        continue;
      }
      if (resolution === 'sent') result.resolved_sent++;
      else result.resolved_retry++;
      deps.log?.({ severity: 'WARNING', message: `send in doubt resolved: ${resolution}`, send_id, resolution, evidence: found.evidence, claimed_at: entry.claimed_at });
    }
    return result;
  };
}

/**
 * The email_sends row of a send the ESP took while its worker was gone. Its sent_at is the claim's
 * time, as the ledger records it (resolveTransition). If the worker did write its own row, the
 * warehouse keeps one per send_id (fact-rows.ts).
 */
function recordResolvedSend(deps: ResolveInDoubtDeps, entry: LedgerEntry, found: SendEvidence): Promise<void> {
  return recordSend(deps.facts, {
    send_id: entry.send_id,
    campaign_id: entry.campaign_id,
    person_id: entry.person_id,
    step: entry.step,
    variant_id: null,
    provider: deps.provider,
    provider_message_id: found.provider_message_id ?? null,
    status: 'in_doubt_resolved',
    sent_at: entry.claimed_at,
    error: null,
  });
}
