import { SENDGRID_API_BASE } from './sendgrid-mailer.ts';
import { EvidenceUnavailableError, type SendEvidence } from '../../pipelines/delivery/resolve-in-doubt.ts';

/**
 * How long SendGrid's Email Activity may lag behind an email it accepted, so that "not in the
 * feed" only counts as "never sent" for claims older than this (30 minutes).
 *
 * SendGrid documents no upper bound on that lag. What its docs do say: the Email Activity feed is
 * not the real-time channel ("To access data in real time, implement our Event Webhook", Legacy
 * Email Activity, https://www.twilio.com/docs/sendgrid/ui/analytics-and-reporting/email-activity);
 * the Email Activity API needs the paid "additional email activity history" add-on and an API key
 * with Email Activity access, and allows 6 requests per minute
 * (https://www.twilio.com/docs/sendgrid/api-reference/email-activity); and SendGrid's incident
 * reports have shown mail processing delayed for hours. Thirty minutes is several times the
 * minutes the feed usually takes. A claim judged earlier could be re-sent while SendGrid is still
 * delivering the first copy, so the resolver refuses a send lease below this
 * (NUDGE_SEND_LEASE_MS; NUDGE_SENDGRID_ACTIVITY_LAG_MS raises it where a longer lag was seen).
 */
export const SENDGRID_ACTIVITY_LAG_MS = 30 * 60_000;

/**
 * Did SendGrid take the email of this send? Asks its Email Activity API for a message whose
 * `send_id` custom arg matches (custom args are "unique_args" in its query language).
 * - found → sent, with SendGrid's msg_id.
 * - not found → not sent; trusted only for claims older than the feed's lag (above).
 * - 401/403/404: this account or key cannot read the feed (no add-on, no scope) →
 *   EvidenceUnavailableError; the resolver then settles the claim as sent after a bound.
 * - anything else (429 — 6 requests a minute —, 5xx, network) throws: left in doubt until the next run.
 */
export function sendGridEvidence(deps: { apiKey: string; apiBase?: string; fetch?: typeof fetch }): (send_id: string) => Promise<SendEvidence> {
  const base = (deps.apiBase ?? SENDGRID_API_BASE).replace(/\/$/, '');
  const request = deps.fetch ?? fetch;
  return async (send_id) => {
    const query = `unique_args['send_id']="${send_id}"`;
    const response = await request(`${base}/v3/messages?limit=1&query=${encodeURIComponent(query)}`, {
      headers: { authorization: `Bearer ${deps.apiKey}` },
    });
    if (response.status === 401 || response.status === 403 || response.status === 404) {
      throw new EvidenceUnavailableError(`SendGrid Email Activity API answered ${response.status}: the key or account has no access to it (the activity history add-on and the key's Email Activity scope are needed)`);
    }
    if (!response.ok) throw new Error(`SendGrid activity lookup answered ${response.status}`);
    const body = (await response.json()) as { messages?: { msg_id?: string }[] };
    const found = body.messages?.[0];
    if (!found) return { sent: false, evidence: 'not in sendgrid activity' };
    return { sent: true, evidence: `sendgrid activity ${found.msg_id ?? 'message'}`, ...(found.msg_id ? { provider_message_id: found.msg_id } : {}) };
  };
}
