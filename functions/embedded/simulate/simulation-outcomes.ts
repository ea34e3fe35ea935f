import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** One (outcome, reason) of the decisions stage, with how many decisions had it. */
export type DecisionCount = { outcome: string; reason: string; count: number };

export type SimulationOutcomes = {
  /** Distinct first-step sends decided (sent, skipped, held out or deferred); null = warehouse not reachable. */
  decidedCarts: number | null;
  /** Decisions with outcome send (each should become one email). */
  sendDecisions: number | null;
  /** email_sends rows with status sent or in_doubt_resolved. */
  emailsSent: number | null;
  decisions: DecisionCount[] | null;
  /** .eml files written to the outbox since the run began; null = no outbox folder known. */
  outboxEmails: number | null;
};

export type OutcomeReaderOptions = {
  url: string;
  /** From host.json; without it only the outbox folder can be counted. */
  adminToken: string | null;
  dataDir: string | null;
  /** Only decisions and sends from this instant on belong to the run. */
  since: Date;
  fetch?: typeof fetch;
};

/**
 * Reads what the host did with the simulated shoppers: decisions and sends from the warehouse (over
 * the host's admin query endpoint, as `nudge query` does, since the host holds the DuckDB file),
 * and the outbox folder. A run is told apart by time (rows since it began), so traffic sent to the
 * same host meanwhile by something else would be counted too.
 */
export function createOutcomeReader(options: OutcomeReaderOptions) {
  const since = `TIMESTAMP '${options.since.toISOString()}'`;
  const query = createAdminQuery({ url: options.url, adminToken: options.adminToken ?? '', fetch: options.fetch });

  const readWarehouse = async (): Promise<Omit<SimulationOutcomes, 'outboxEmails'>> => {
    const [decisions, decided, sends] = await Promise.all([
      query(`SELECT outcome, reason, COUNT(*) AS n FROM nudge.decisions WHERE decided_at >= ${since} GROUP BY outcome, reason ORDER BY n DESC, reason`),
      query(`SELECT COUNT(DISTINCT send_id) AS n FROM nudge.decisions WHERE step = 0 AND decided_at >= ${since}`),
      query(`SELECT COUNT(*) AS n FROM nudge.email_sends WHERE status IN ('sent', 'in_doubt_resolved') AND sent_at >= ${since}`),
    ]);
    const counts = decisions.map((row) => ({ outcome: String(row.outcome), reason: String(row.reason), count: Number(row.n) }));
    return {
      decidedCarts: Number(decided[0]?.n ?? 0),
      sendDecisions: counts.filter((row) => row.outcome === 'send').reduce((sum, row) => sum + row.count, 0),
      emailsSent: Number(sends[0]?.n ?? 0),
      decisions: counts,
    };
  };

  return async (): Promise<SimulationOutcomes> => {
    const warehouse = options.adminToken
      ? await readWarehouse()
      : { decidedCarts: null, sendDecisions: null, emailsSent: null, decisions: null };
    return { ...warehouse, outboxEmails: options.dataDir ? countOutboxEmails(options.dataDir, options.since) : null };
  };
}

export type ReadOutcomes = ReturnType<typeof createOutcomeReader>;

export type AdminQuery = (sql: string) => Promise<Record<string, unknown>[]>;

/** BigQuery SQL run by the host's warehouse over its loopback admin endpoint (the host holds the DuckDB file). */
export function createAdminQuery(options: { url: string; adminToken: string; fetch?: typeof fetch }): AdminQuery {
  const doFetch = options.fetch ?? fetch;
  return async (sql) => {
    const response = await doFetch(`${options.url}/_nudge/query`, {
      method: 'POST',
      headers: { authorization: `Bearer ${options.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ sql }),
    });
    const body = (await response.json()) as { rows?: Record<string, unknown>[]; error?: string };
    if (!response.ok || !body.rows) throw new Error(`warehouse query failed: ${body.error ?? response.status}`);
    return body.rows;
  };
}

/** .eml files (the outbox mailer's finished messages, not its dot-temp files) written since `since`. */
export function countOutboxEmails(dataDir: string, since: Date): number | null {
  const dir = join(dataDir, 'outbox');
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return null;
  }
  // mtime is whole milliseconds or coarser on some file systems: allow a second of slack.
  const from = since.getTime() - 1000;
  return names.filter((name) => !name.startsWith('.') && name.endsWith('.eml') && statSync(join(dir, name)).mtimeMs >= from).length;
}
