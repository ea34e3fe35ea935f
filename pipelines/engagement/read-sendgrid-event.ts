import { z } from 'zod';
import type { FieldError } from '../events/dead-letters.ts';
import type { EmailEvent, EmailEventType } from './email-event.ts';

/**
 * One event of a SendGrid Event Webhook batch, read into the parts of an `email_events` row the
 * event itself carries. The person and campaign come from the send ledger by send_id afterwards
 * (take-sendgrid-events.ts): custom args are set by nudge's mailer, but the ledger is the record
 * of who was actually sent what.
 *
 * Kept: SendGrid's ids, the time, the type, machine-open flag, bounce type, SMTP status, the drop
 * classification, the clicked URL and its position. Not kept: the address, the IP, the user agent
 * and the free-text reason/response (which can quote the address) — the bounced address goes only
 * to the profile, as the suppression's subject (`suppressed_address`).
 */

/** SendGrid's drop reasons nudge acts on or reports, as stable codes (the rest become "other"). */
const dropReasons: Record<string, string> = {
  'bounced address': 'bounced_address',
  invalid: 'invalid',
  'invalid smtpapi header': 'invalid_header',
  'spam reporting address': 'spam_reporting_address',
  'unsubscribed address': 'unsubscribed_address',
  'spam content': 'spam_content',
};

// Instants SendGrid could have stamped: after the product existed, not far in the future.
const earliest = Date.UTC(2020, 0, 1) / 1000;
const futureSlackSeconds = 86_400;

const SendGridEvent = z.looseObject({
  event: z.enum(['processed', 'delivered', 'deferred', 'bounce', 'dropped', 'open', 'click', 'spamreport', 'unsubscribe', 'group_unsubscribe', 'group_resubscribe'], {
    error: (issue) => `unknown event type${typeof issue.input === 'string' ? ` "${issue.input.slice(0, 40)}"` : ''}`,
  }),
  sg_event_id: z.string({ error: 'required: SendGrid\'s event id (the dedupe key)' }).min(1, { error: 'empty' }).max(200, { error: 'longer than 200 characters' }),
  timestamp: z.number({ error: 'required: seconds since the epoch' }).int().min(earliest, { error: 'before 2020: not a SendGrid timestamp' }),
  send_id: z
    .string({ error: 'required custom arg: an email nudge did not send (or sent without custom args)' })
    .min(1, { error: 'empty' })
    .max(200, { error: 'longer than 200 characters: not a send id of nudge' }),
  campaign_id: z.string().max(200).optional(),
  sg_message_id: z.string().max(300).optional(),
  email: z.string().max(320).optional(),
  type: z.string().max(40).optional(),
  status: z.string().max(40).optional(),
  reason: z.string().max(2000).optional(),
  sg_machine_open: z.boolean().optional(),
  url: z.string().max(8192).optional(),
  url_offset: z.looseObject({ index: z.number().int().nonnegative().optional() }).optional(),
  useragent: z.string().max(2000).optional(),
});

export type SendGridEventRead = {
  row: Omit<EmailEvent, 'person_id' | 'campaign_id'>;
  /** The campaign custom arg, checked against the ledger's. */
  campaign_id: string | null;
  /** bounce, dropped, spamreport: the address it was about, lower-cased (for the profile only). */
  suppressed_address: string | null;
  /** open/click: the user agent SendGrid saw, to tell machines from people (never stored). */
  user_agent: string | null;
};

export type SendGridEventResult = { ok: true; read: SendGridEventRead } | { ok: false; errors: FieldError[] };

export function readSendGridEvent(input: unknown, index: number, receivedAt: Date): SendGridEventResult {
  const parsed = SendGridEvent.safeParse(input);
  if (!parsed.success) {
    return { ok: false, errors: parsed.error.issues.map((issue) => ({ index, path: issue.path.join('.') || '(event)', message: issue.message })) };
  }
  const event = parsed.data;
  if (event.timestamp > receivedAt.getTime() / 1000 + futureSlackSeconds) {
    return { ok: false, errors: [{ index, path: 'timestamp', message: 'more than a day in the future' }] };
  }
  const type: EmailEventType = event.event;
  const machineOpen = type === 'open' && event.sg_machine_open === true;
  const row: SendGridEventRead['row'] = {
    email_event_id: `sendgrid:${event.sg_event_id}`,
    send_id: event.send_id,
    event_type: type,
    source: 'sendgrid',
    occurred_at: new Date(event.timestamp * 1000).toISOString(),
    received_at: receivedAt.toISOString(),
    is_machine: machineOpen,
    machine_reason: machineOpen ? 'sendgrid_machine_open' : null,
    // SendGrid: type "bounce" is a hard bounce, "blocked" a temporary refusal.
    bounce_type: type === 'bounce' ? (event.type === 'blocked' ? 'soft' : 'hard') : null,
    status_code: statusOf(type, event),
    url: type === 'click' ? (event.url ?? null) : null,
    link_index: type === 'click' ? (event.url_offset?.index ?? null) : null,
    provider_message_id: event.sg_message_id ?? null,
  };
  const address = event.email?.trim().toLowerCase();
  return {
    ok: true,
    read: {
      row,
      campaign_id: event.campaign_id ?? null,
      suppressed_address: (type === 'bounce' || type === 'dropped' || type === 'spamreport') && address ? address : null,
      user_agent: (type === 'open' || type === 'click') && event.useragent ? event.useragent : null,
    },
  };
}

function statusOf(type: EmailEventType, event: z.infer<typeof SendGridEvent>): string | null {
  if (type === 'dropped') return dropReasons[(event.reason ?? '').trim().toLowerCase()] ?? 'other';
  if (type === 'bounce' || type === 'deferred') {
    // Only an enhanced status code ("5.1.1"); anything else may be prose quoting the address.
    return event.status && /^[245]\.\d{1,3}\.\d{1,3}$/.test(event.status) ? event.status : null;
  }
  return null;
}
