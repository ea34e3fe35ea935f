import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The shipped cart journey's campaign id (templates/cart-abandonment): `decidedCarts` counts its decisions. */
export const cartCampaignId = 'cart-abandonment';

/** One (outcome, reason) of the decisions stage, with how many decisions had it. */
export type DecisionCount = { outcome: string; reason: string; count: number };

/** One campaign's first emails: decided (distinct sends of step 0), and emails sent (any step). */
export type CampaignOutcome = { campaign_id: string; decided: number; sent: number; decisions: DecisionCount[] };

export type SimulationOutcomes = {
  /** Distinct first-step cart-abandonment sends decided (sent, skipped, held out or deferred); null = warehouse not reachable. */
  decidedCarts: number | null;
  /** Every campaign that decided something since the run began, by campaign id; null = warehouse not reachable. */
  campaigns: CampaignOutcome[] | null;
  /** Decisions with outcome send, all campaigns (each should become one email). */
  sendDecisions: number | null;
  /** email_sends rows with status sent or in_doubt_resolved, all campaigns. */
  emailsSent: number | null;
  /** All campaigns' decisions by (outcome, reason). */
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
      query(`SELECT campaign_id, outcome, reason, COUNT(*) AS n FROM nudge.decisions WHERE decided_at >= ${since} GROUP BY campaign_id, outcome, reason ORDER BY n DESC, reason`),
      query(`SELECT campaign_id, COUNT(DISTINCT send_id) AS n FROM nudge.decisions WHERE step = 0 AND decided_at >= ${since} GROUP BY campaign_id`),
      query(`SELECT campaign_id, COUNT(*) AS n FROM nudge.email_sends WHERE status IN ('sent', 'in_doubt_resolved') AND sent_at >= ${since} GROUP BY campaign_id`),
    ]);
    const rows = decisions.map((row) => ({ campaign_id: String(row.campaign_id), outcome: String(row.outcome), reason: String(row.reason), count: Number(row.n) }));
    const ids = [...new Set([...rows.map((row) => row.campaign_id), ...decided.map((row) => String(row.campaign_id)), ...sends.map((row) => String(row.campaign_id))])].sort();
    const numberFor = (list: Record<string, unknown>[], id: string) => Number(list.find((row) => String(row.campaign_id) === id)?.n ?? 0);
    const campaigns = ids.map((id) => ({
      campaign_id: id,
      decided: numberFor(decided, id),
      sent: numberFor(sends, id),
      decisions: rows.filter((row) => row.campaign_id === id).map(({ outcome, reason, count }) => ({ outcome, reason, count })),
    }));
    // All campaigns' decisions by (outcome, reason), most frequent first.
    const totals = new Map<string, DecisionCount>();
    for (const row of rows) {
      const key = `${row.outcome}\u0000${row.reason}`;
      const total = totals.get(key) ?? { outcome: row.outcome, reason: row.reason, count: 0 };
      total.count += row.count;
      totals.set(key, total);
    }
    const counts = [...totals.values()].sort((a, b) => b.count - a.count || (a.reason < b.reason ? -1 : a.reason > b.reason ? 1 : 0));
    return {
      decidedCarts: numberFor(decided, cartCampaignId),
      campaigns,
      sendDecisions: counts.filter((row) => row.outcome === 'send').reduce((sum, row) => sum + row.count, 0),
      emailsSent: campaigns.reduce((sum, campaign) => sum + campaign.sent, 0),
      decisions: counts,
    };
  };

  return async (): Promise<SimulationOutcomes> => {
    const warehouse = options.adminToken
      ? await readWarehouse()
      : { decidedCarts: null, campaigns: null, sendDecisions: null, emailsSent: null, decisions: null };
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
