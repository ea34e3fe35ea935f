import type { DeadLetter, DeadLetterStore, FieldError } from '../events/dead-letters.ts';
import type { SendLedger } from '../delivery/send-ledger.ts';
import { UNSUBSCRIBE_PATH } from '../delivery/signed-links.ts';
import { recordEmailEvents, type FactQueue } from '../warehouse/fact-rows.ts';
import { classifyMachine } from './classify-machine.ts';
import { suppressionOfEmailEvent, type EmailEvent } from './email-event.ts';
import { readSendGridEvent } from './read-sendgrid-event.ts';
import type { SuppressionRequest } from './suppress-person.ts';

export type TakeSendGridEventsDeps = {
  ledger: Pick<SendLedger, 'get'>;
  facts: FactQueue;
  deadLetters: DeadLetterStore;
  /** Bounce or complaint → the person's profile, folded before this resolves. */
  suppress: (request: SuppressionRequest) => Promise<void>;
  /** SendGrid unsubscribe → the same path as nudge's own unsubscribe link. */
  unsubscribe: (request: { person_id: string; send_id: string; at: Date }) => Promise<void>;
  newId: () => string;
  log?: (entry: Record<string, unknown>) => void;
};

/** ignored: clicks SendGrid's own tracking saw on nudge's unsubscribe link (not engagement; the link carries a bearer token). */
export type TakeSendGridEventsResult = { recorded: number; suppressed: number; dead_lettered: number; ignored: number };

/**
 * A verified SendGrid Event Webhook batch → `email_events` rows, suppression and dead letters.
 *
 * Every step is idempotent, because SendGrid retries a batch (for up to 24 h) whenever it gets no
 * 2xx, and sometimes sends an event twice anyway: rows are keyed by sg_event_id, suppression events
 * by the same id, dead letters are extra copies at worst. So a failure anywhere throws (the entry
 * answers 503 and SendGrid sends the whole batch again) rather than answering 2xx over a half-done
 * batch. An event nudge cannot use — malformed, no send_id, a send the ledger never saw — is
 * dead-lettered with the field named and never blocks the rest of the batch.
 *
 * Suppression runs after the rows are queued and is folded into the profile before this resolves:
 * the person's next decision (which reads the profile again right before claiming) sees it.
 */
export function createTakeSendGridEvents(deps: TakeSendGridEventsDeps): (events: readonly unknown[], receivedAt: Date) => Promise<TakeSendGridEventsResult> {
  return async (input, receivedAt) => {
    const refused: { index: number; errors: FieldError[]; reason: string }[] = [];
    const read = input.flatMap((item, index) => {
      const result = readSendGridEvent(item, index, receivedAt);
      if (result.ok) return [{ index, ...result.read }];
      refused.push({ index, errors: result.errors, reason: 'invalid_email_event' });
      return [];
    });

    const sendIds = [...new Set(read.map((event) => event.row.send_id))];
    const entries = new Map(await Promise.all(sendIds.map(async (id) => [id, await deps.ledger.get(id)] as const)));
    const rows: { row: EmailEvent; address: string | null }[] = [];
    let ignored = 0;
    const seen = new Set<string>();
    for (const event of read) {
      if (event.row.event_type === 'click' && isUnsubscribeLink(event.row.url)) {
        ignored++;
        continue;
      }
      // SendGrid sometimes repeats an event within a batch: one row, counted once.
      if (seen.has(event.row.email_event_id)) continue;
      seen.add(event.row.email_event_id);
      const entry = entries.get(event.row.send_id);
      if (!entry) {
        refused.push({ index: event.index, reason: 'unknown_send', errors: [{ index: event.index, path: 'send_id', message: 'no send with this id in the send ledger' }] });
        continue;
      }
      const row: EmailEvent = { ...event.row, person_id: entry.person_id, campaign_id: entry.campaign_id };
      rows.push({ row: withMachineVerdict(row, event.user_agent, entry.sent_at), address: event.suppressed_address });
    }

    // Dead letters first: once the rows and suppressions are in, a 503 would only repeat them.
    if (refused.length > 0) await deps.deadLetters.put(refused.map((r) => deadLetterOf(r, input[r.index], receivedAt, deps.newId)));
    await recordEmailEvents(deps.facts, rows.map(({ row }) => row));

    let suppressed = 0;
    for (const { row, address } of rows) {
      const kind = suppressionOfEmailEvent(row);
      if (!kind) continue;
      const at = new Date(row.occurred_at);
      if (kind === 'unsubscribed') await deps.unsubscribe({ person_id: row.person_id, send_id: row.send_id, at });
      else await deps.suppress({ person_id: row.person_id, kind, at, address, email_event_id: row.email_event_id });
      suppressed++;
    }
    if (refused.length > 0) deps.log?.({ severity: 'WARNING', message: 'sendgrid events dead-lettered', count: refused.length, reasons: [...new Set(refused.map((r) => r.reason))] });
    return { recorded: rows.length, suppressed, dead_lettered: refused.length, ignored };
  };
}

/**
 * SendGrid flags only Apple's privacy opens (sg_machine_open). Its opens and clicks go through the
 * same classifier as nudge's own pixel and redirect: link scanners by user agent, and hits within
 * seconds of the send. A missing user agent is not held against the event here (SendGrid does not
 * always pass one on), unlike a request nudge received itself.
 */
function withMachineVerdict(row: EmailEvent, userAgent: string | null, sentAt: string | null): EmailEvent {
  if ((row.event_type !== 'open' && row.event_type !== 'click') || row.is_machine) return row;
  // Before the send is impossible: the two clocks disagree, and the timing says nothing.
  const elapsed = sentAt === null ? null : (Date.parse(row.occurred_at) - Date.parse(sentAt)) / 1000;
  const secondsSinceSent = elapsed !== null && elapsed >= 0 ? elapsed : null;
  const verdict = classifyMachine({ kind: row.event_type, method: 'GET', userAgent, secondsSinceIssued: secondsSinceSent });
  return verdict.is_machine ? { ...row, ...verdict } : row;
}

/**
 * nudge's own unsubscribe link (`…/unsubscribe?token=…`), clicked through SendGrid's click tracking
 * when a template does not mark it `clicktracking="off"`: not a click on the shop (it would count as
 * engagement and as an attribution touch), and its URL is a bearer token that must not be stored.
 * The unsubscribe itself is recorded by the endpoint when the person confirms.
 */
function isUnsubscribeLink(url: string | null): boolean {
  if (!url) return false;
  try {
    const parsed = new URL(url);
    return parsed.pathname.endsWith(`/${UNSUBSCRIBE_PATH}`) && parsed.searchParams.has('token');
  } catch {
    return false;
  }
}

function deadLetterOf(refusal: { index: number; errors: FieldError[]; reason: string }, event: unknown, receivedAt: Date, newId: () => string): DeadLetter {
  return {
    dead_letter_id: newId(),
    stage: 'sendgrid-webhook',
    reason: refusal.reason,
    errors: refusal.errors,
    payload: payloadText(event),
    source_id: null,
    received_at: receivedAt.toISOString(),
  };
}

/** The event as received, for someone to look at; one too deep to print (thousands of nested arrays) says so. */
function payloadText(event: unknown): string {
  try {
    return JSON.stringify(event) ?? String(event);
  } catch {
    return '(not printable: nested too deep)';
  }
}
