import { sign, type KeyObject } from 'node:crypto';
import type { BatchSender } from './batch-sender.ts';
import { groundTruthOf, planEngagement, type Cohort, type EngagementOdds, type GroundTruth } from './engagement-plan.ts';
import type { SegmentMessage } from './shopper-script.ts';
import type { AdminQuery } from './simulation-outcomes.ts';
import { simulationCurrency } from './simulation-catalog.ts';

export type EngagementPhaseDeps = {
  url: string;
  query: AdminQuery;
  /** Sends the orders (the shoppers' write key). */
  sender: BatchSender;
  /** Signs the SendGrid-format events; null: no webhook events, only orders. */
  webhookKey: KeyObject | null;
  since: Date;
  runId: string;
  seed: number;
  odds: EngagementOdds;
  /** How long to wait for the orders to reach the warehouse. */
  waitForMs: number;
  fetch?: typeof fetch;
};

/** What the warehouse's holdout_uplift view says about the campaign's first email. */
export type MeasuredUplift = {
  treatment_n: number;
  treatment_conversions: number;
  control_n: number;
  control_conversions: number;
  uplift: number | null;
  uplift_ci_low: number | null;
  uplift_ci_high: number | null;
  incremental_revenue: number | null;
};

export type EngagementPhaseResult = {
  truth: GroundTruth;
  webhookEvents: number;
  webhookRefused: number;
  orders: number;
  ordersInWarehouse: number;
  /** null when the view had no row for the campaign's first step. */
  measured: MeasuredUplift | null;
};

// Person ids are ULIDs; anything else is not put into SQL text.
const safeId = /^[A-Za-z0-9_-]{1,100}$/;

/**
 * After the emails: the treated people open, click (SendGrid-format webhook events, signed like
 * SendGrid signs them) and order; the held-out people order at the baseline rate. Orders go through
 * the collector as the shop's storefront would send them, from the person's own ids. Only the
 * cart-abandonment emails: the webhook events and holdout_uplift below are that campaign's.
 */
export async function runEngagementPhase(deps: EngagementPhaseDeps): Promise<EngagementPhaseResult> {
  const since = `TIMESTAMP '${deps.since.toISOString()}'`;
  const rows = await deps.query(
    `SELECT d.send_id, d.person_id, d.outcome FROM nudge.decisions AS d
     WHERE d.step = 0 AND d.decided_at >= ${since} AND d.campaign_id = 'cart-abandonment'
       AND (d.outcome = 'holdout' OR (d.outcome = 'send' AND d.send_id IN (SELECT send_id FROM nudge.email_sends WHERE status IN ('sent', 'in_doubt_resolved'))))
     GROUP BY d.send_id, d.person_id, d.outcome`,
  );
  const cohort: Cohort[] = rows
    .map((row) => ({ send_id: String(row.send_id), person_id: String(row.person_id), arm: row.outcome === 'send' ? ('treatment' as const) : ('control' as const) }))
    .filter((member) => safeId.test(member.person_id));
  const engagement = planEngagement(cohort, deps.odds, deps.seed + 1);
  const truth = groundTruthOf(engagement, deps.odds);
  const identities = await identitiesOf(deps.query, [...new Set(cohort.map((member) => member.person_id))]);

  // People read their email a little after it arrives: events stamped within seconds of the send
  // would be taken for prefetches and link scanners (classify-machine.ts), so let the last one age.
  await waitUntilSendsAreOlderThan(deps, engagement.filter((m) => m.arm === 'treatment').map((m) => m.send_id), 6_000);

  // Webhook events first: an order follows the click that led to it.
  const events = engagement.flatMap((member) => (member.arm === 'treatment' ? sendGridEventsOf(member, deps.runId) : []));
  let webhookEvents = 0;
  let webhookRefused = 0;
  if (deps.webhookKey) {
    for (let start = 0; start < events.length; start += 500) {
      const batch = events.slice(start, start + 500);
      const status = await postSigned(deps, batch, deps.webhookKey);
      if (status === 200) webhookEvents += batch.length;
      else webhookRefused += batch.length;
    }
  }

  const orders: SegmentMessage[] = [];
  for (const member of engagement.filter((m) => m.order)) {
    const who = identities.get(member.person_id);
    if (!who) continue;
    const orderId = `sim-order-${deps.runId}-${member.send_id.slice(0, 12)}`;
    orders.push({
      type: 'track',
      messageId: `${deps.runId}-order-${member.send_id}`,
      event: 'Order Completed',
      ...who,
      properties: { order_id: orderId, total: member.revenue, revenue: member.revenue, currency: simulationCurrency, products: [] },
    });
  }
  if (orders.length > 0) await deps.sender.send(orders);
  const ordersInWarehouse = await waitForOrders(deps, orders.length);
  return { truth, webhookEvents, webhookRefused, orders: orders.length, ordersInWarehouse, measured: await readMeasuredUplift(deps.query) };
}

/**
 * The same question put to the KPI view analysts read (sql/views/holdout_uplift.sql), over every
 * decision in the warehouse: on a fresh data dir that is this run, and the figures must agree.
 */
async function readMeasuredUplift(query: AdminQuery): Promise<MeasuredUplift | null> {
  const [row] = await query(
    `SELECT treatment_n, treatment_conversions, control_n, control_conversions, uplift, uplift_ci_low, uplift_ci_high, incremental_revenue
     FROM nudge.holdout_uplift WHERE campaign_id = 'cart-abandonment' AND step = 0`,
  );
  if (!row) return null;
  const number = (value: unknown) => (value === null || value === undefined ? null : Number(value));
  return {
    treatment_n: Number(row.treatment_n),
    treatment_conversions: Number(row.treatment_conversions),
    control_n: Number(row.control_n),
    control_conversions: Number(row.control_conversions),
    uplift: number(row.uplift),
    uplift_ci_low: number(row.uplift_ci_low),
    uplift_ci_high: number(row.uplift_ci_high),
    incremental_revenue: number(row.incremental_revenue),
  };
}

/** Each person's Segment identity to order as: the user id when known, else a device id. */
async function identitiesOf(query: AdminQuery, personIds: string[]): Promise<Map<string, { userId: string } | { anonymousId: string }>> {
  const found = new Map<string, { userId: string } | { anonymousId: string }>();
  for (let start = 0; start < personIds.length; start += 500) {
    const list = personIds.slice(start, start + 500).map((id) => `'${id}'`).join(', ');
    if (!list) continue;
    const rows = await query(
      `SELECT person_id, identity_kind, identity_value FROM nudge.person_identities
       WHERE identity_kind IN ('user_id', 'anonymous_id') AND person_id IN (${list}) ORDER BY person_id, identity_kind DESC, identity_value`,
    );
    for (const row of rows) {
      const person = String(row.person_id);
      // user_id sorts before anonymous_id (DESC): the first row of a person is the best one.
      if (found.has(person)) continue;
      found.set(person, row.identity_kind === 'user_id' ? { userId: String(row.identity_value) } : { anonymousId: String(row.identity_value) });
    }
  }
  return found;
}

function sendGridEventsOf(member: { send_id: string; open: boolean; machine_open: boolean; click: boolean }, runId: string): Record<string, unknown>[] {
  const timestamp = Math.floor(Date.now() / 1000);
  const base = { timestamp, send_id: member.send_id, campaign_id: 'cart-abandonment', sg_message_id: `sim-${member.send_id.slice(0, 12)}.filter` };
  const event = (type: string, extra: Record<string, unknown> = {}) => ({ ...base, event: type, sg_event_id: `sim-${runId}-${member.send_id}-${type}${extra.sg_machine_open ? '-machine' : ''}`, ...extra });
  return [
    event('processed'),
    event('delivered'),
    ...(member.machine_open ? [event('open', { sg_machine_open: true })] : []),
    ...(member.open ? [event('open', { sg_machine_open: false, useragent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)' })] : []),
    ...(member.click ? [event('click', { url: 'https://shop.example/cart', url_offset: { index: 0, type: 'html' } })] : []),
  ];
}

async function postSigned(deps: EngagementPhaseDeps, events: Record<string, unknown>[], key: KeyObject): Promise<number> {
  const body = JSON.stringify(events);
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = sign('sha256', Buffer.from(timestamp + body), key).toString('base64');
  const response = await (deps.fetch ?? fetch)(`${deps.url}/webhooks/sendgrid`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-twilio-email-event-webhook-signature': signature, 'x-twilio-email-event-webhook-timestamp': timestamp },
    body,
  });
  await response.arrayBuffer();
  return response.status;
}

async function waitUntilSendsAreOlderThan(deps: EngagementPhaseDeps, sendIds: string[], ms: number): Promise<void> {
  if (sendIds.length === 0) return;
  const [row] = await deps.query(`SELECT MAX(sent_at) AS last FROM nudge.email_sends WHERE sent_at >= TIMESTAMP '${deps.since.toISOString()}'`);
  const last = typeof row?.last === 'string' ? Date.parse(row.last) : NaN;
  const wait = Number.isFinite(last) ? last + ms - Date.now() : 0;
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
}

async function waitForOrders(deps: EngagementPhaseDeps, expected: number): Promise<number> {
  const deadline = Date.now() + deps.waitForMs;
  for (;;) {
    const rows = await deps.query(`SELECT COUNT(*) AS n FROM nudge.events WHERE kind = 'order_completed' AND STARTS_WITH(JSON_VALUE(properties, '$.order_id'), 'sim-order-${deps.runId}-')`);
    const found = Number(rows[0]?.n ?? 0);
    if (found >= expected || Date.now() >= deadline) return found;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
