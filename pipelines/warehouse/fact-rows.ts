import { createHash } from 'node:crypto';
import type { Decision } from '../decisions/decision.ts';
import type { MailerProvider } from '../delivery/mailer.ts';
import type { EmailEvent } from '../engagement/email-event.ts';
import type { PersonIdentityRow } from '../profiles/person-identity-row.ts';
import type { WarehouseRow } from './warehouse.ts';

/**
 * Facts the journeys leave for analysts: one `decisions` row per decision and one `email_sends`
 * row per send (sql/tables/). They never travel to the warehouse on the path to the mailer: a
 * warehouse insert can queue for seconds behind a burst of events (issue 6, item 8). They go to a
 * FactQueue instead — a durable queue whose consumer writes them to the warehouse later:
 *
 *   GCP        Pub/Sub topics warehouse-<table> with BigQuery subscriptions (functions/gcp/pubsub-warehouse-rows.ts)
 *   embedded   the SQLite bus, topics warehouse-<table>, drained into DuckDB (functions/embedded/bus-warehouse-rows.ts)
 *
 * insertRows resolves once the rows are durably queued (a Pub/Sub publish, a SQLite commit), not
 * once they are in the warehouse; a crash after that loses nothing. Both queues deliver at least
 * once, so every row carries a key derived from what it records, never a fresh id: the same fact
 * written twice (a step re-run after a crash, the resolver and a late worker) is the same row.
 * DuckDB keeps the first by primary key; on BigQuery the views in sql/views/ keep one per key.
 */
export type FactQueue = { insertRows: (table: string, rows: readonly WarehouseRow[]) => Promise<void> };

/** The tables written through a FactQueue (one topic each, on both runtimes). */
export const factTables = ['decisions', 'email_sends', 'email_events', 'person_identities'] as const;
export type FactTable = (typeof factTables)[number];

/** The topic of a fact table: the same name on Pub/Sub (terraform/pubsub.tf) and the embedded bus. */
export const factTopicName = (table: string) => `warehouse-${table}`;

/**
 * One decision per (send, verdict): a step that runs again for the same send after a crash or a
 * lost lease decides the same thing and writes the same row. Different verdicts about one send
 * are different rows (a deferral, then the send; a send, then — after a retryable failure — a
 * skip because the person unsubscribed meanwhile), and so is each deferral to a new instant.
 */
export function decisionIdOf(decision: Pick<Decision, 'send_id' | 'outcome' | 'reason' | 'defer_until'>): string {
  const key = [decision.send_id, decision.outcome, decision.reason, decision.defer_until];
  return createHash('sha256').update(JSON.stringify(key)).digest('hex').slice(0, 32);
}

/** The `decisions` row of a decision, keyed by decisionIdOf. */
export function decisionRow(decision: Decision): Decision {
  return { ...decision, decision_id: decisionIdOf(decision) };
}

export type EmailSendStatus = 'sent' | 'failed' | 'in_doubt_resolved';

export type EmailSendFact = {
  send_id: string;
  campaign_id: string;
  person_id: string;
  step: number;
  variant_id: string | null;
  provider: MailerProvider | 'unknown';
  provider_message_id: string | null;
  status: EmailSendStatus;
  sent_at: Date | string;
  error: string | null;
  /** The timer's trigger key; absent when the in-doubt resolver settles a send (the ledger does not keep it). */
  trigger_key?: string | null;
  /** The subject as rendered; absent from the in-doubt resolver likewise. */
  subject?: string | null;
};

/** The `email_sends` row of a send, one per send_id whichever path settled it. */
export function emailSendRow(fact: EmailSendFact): WarehouseRow {
  // The subject as rendered: analysts compare subject lines; it holds no more than the email did.
  return {
    send_id: fact.send_id,
    campaign_id: fact.campaign_id,
    person_id: fact.person_id,
    step: fact.step,
    variant_id: fact.variant_id,
    provider: fact.provider,
    provider_message_id: fact.provider_message_id,
    status: fact.status,
    subject: fact.subject ?? null,
    sent_at: typeof fact.sent_at === 'string' ? fact.sent_at : fact.sent_at.toISOString(),
    error: fact.error,
    trigger_key: fact.trigger_key ?? null,
  };
}

export function recordDecision(facts: FactQueue, decision: Decision): Promise<void> {
  return facts.insertRows('decisions', [decisionRow(decision)]);
}

export function recordSend(facts: FactQueue, fact: EmailSendFact): Promise<void> {
  return facts.insertRows('email_sends', [emailSendRow(fact)]);
}

/** `email_events` rows (keyed by email_event_id: SendGrid's sg_event_id, or a first-party hash). */
export function recordEmailEvents(facts: FactQueue, events: readonly EmailEvent[]): Promise<void> {
  return events.length === 0 ? Promise.resolve() : facts.insertRows('email_events', events);
}

/** `person_identities` rows (keyed by identity_link_id = hash(kind, value, person)). */
export function recordIdentityLinks(facts: FactQueue, rows: readonly PersonIdentityRow[]): Promise<void> {
  return rows.length === 0 ? Promise.resolve() : facts.insertRows('person_identities', rows);
}
