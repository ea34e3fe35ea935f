import { createHash } from 'node:crypto';
import type { EmailEvent } from './email-event.ts';

/**
 * The `email_events` row of an unsubscribe through nudge's own link (the List-Unsubscribe one-click
 * POST or the page's button): the unsubscribe KPI counts these beside SendGrid's. One row per send,
 * however often the link is used (the id is derived from the send alone).
 */
export function unsubscribeEventRow(link: { send_id: string; person_id: string; campaign_id: string }, at: Date): EmailEvent {
  const instant = at.toISOString();
  return {
    email_event_id: `first_party:${createHash('sha256').update(JSON.stringify(['unsubscribe', link.send_id])).digest('hex').slice(0, 32)}`,
    send_id: link.send_id,
    campaign_id: link.campaign_id,
    person_id: link.person_id,
    event_type: 'unsubscribe',
    source: 'first_party',
    occurred_at: instant,
    received_at: instant,
    is_machine: false,
    machine_reason: null,
    bounce_type: null,
    status_code: null,
    url: null,
    link_index: null,
    provider_message_id: null,
  };
}
