import type { Clock } from '../shared/clock.ts';
import type { SendLedger } from './send-ledger.ts';

/** What the ESP knows about one send: did it take the email, and what showed it (kept in the ledger). */
export type SendEvidence = { sent: boolean; evidence: string };

export type ResolveInDoubtDeps = {
  ledger: SendLedger;
  /** Asks the ESP (the outbox: functions/embedded/outbox-evidence.ts). A throw leaves that send in doubt for the next run. */
  findEvidence: (send_id: string) => Promise<SendEvidence>;
  clock: Clock;
  /**
   * Only claims older than this are looked at. Keep it at least the ledger's lease
   * (DEFAULT_CLAIM_LEASE_MS): a younger claim may belong to a worker still talking to the ESP,
   * and resolving it 'retry' then would let a second worker send it again.
   */
  olderThanMs: number;
  /** Claims looked at per run, oldest first. Default 100. */
  limit?: number;
  log?: (entry: Record<string, unknown>) => void;
};

export type ResolveInDoubtResult = { resolved_sent: number; resolved_retry: number };

/**
 * Settles claims a crash left in doubt (send-ledger.ts): the ESP's evidence decides. The email
 * is there → 'sent' (never mailed again); it is not → 'retry' (the next claim may send it).
 * Each resolution is logged, with the send_id only, so none happens silently. Runs one batch;
 * call it from a sweep. A claim its worker finished meanwhile is left as that worker wrote it.
 */
export function createResolveInDoubt(deps: ResolveInDoubtDeps): () => Promise<ResolveInDoubtResult> {
  if (!(deps.olderThanMs > 0)) throw new Error(`olderThanMs must be positive, got ${deps.olderThanMs}`);
  const limit = deps.limit ?? 100;
  return async () => {
    const result: ResolveInDoubtResult = { resolved_sent: 0, resolved_retry: 0 };
    const cutoff = new Date(deps.clock.now().getTime() - deps.olderThanMs);
    for (const entry of await deps.ledger.findInDoubt(cutoff, limit)) {
      const { send_id } = entry;
      let found: SendEvidence;
      try {
        found = await deps.findEvidence(send_id);
      } catch (error) {
        deps.log?.({ severity: 'ERROR', message: 'send in doubt: evidence lookup failed; left in doubt', send_id, error: String(error) });
        continue;
      }
      const resolution = found.sent ? 'sent' : 'retry';
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
