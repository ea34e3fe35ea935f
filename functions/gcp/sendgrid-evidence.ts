import { SENDGRID_API_BASE } from './sendgrid-mailer.ts';
import type { SendEvidence } from '../../pipelines/delivery/resolve-in-doubt.ts';

/**
 * Did SendGrid take the email of this send? Asks its Email Activity API for a message whose
 * `send_id` custom arg matches (custom args are "unique_args" in its query language). The feed
 * lags by minutes, which is why claims are only judged once they are older than the send lease.
 * A failing lookup throws, and the claim stays in doubt until the next try.
 */
export function sendGridEvidence(deps: { apiKey: string; apiBase?: string; fetch?: typeof fetch }): (send_id: string) => Promise<SendEvidence> {
  const base = (deps.apiBase ?? SENDGRID_API_BASE).replace(/\/$/, '');
  const request = deps.fetch ?? fetch;
  return async (send_id) => {
    const query = `unique_args['send_id']="${send_id}"`;
    const response = await request(`${base}/v3/messages?limit=1&query=${encodeURIComponent(query)}`, {
      headers: { authorization: `Bearer ${deps.apiKey}` },
    });
    if (!response.ok) throw new Error(`SendGrid activity lookup answered ${response.status}`);
    const body = (await response.json()) as { messages?: { msg_id?: string }[] };
    const found = body.messages?.[0];
    return found ? { sent: true, evidence: `sendgrid activity ${found.msg_id ?? 'message'}` } : { sent: false, evidence: 'not in sendgrid activity' };
  };
}
