import { html, htmlPageResponse, type Html } from './html-page.ts';
import type { HttpEntry, HttpResponse } from './http.ts';
import { verifyToken } from '../pipelines/delivery/signed-links.ts';
import type { Clock } from '../pipelines/shared/clock.ts';
import { unsubscribeEventRow } from '../pipelines/engagement/unsubscribe-event.ts';
import { recordEmailEvents, type FactQueue } from '../pipelines/warehouse/fact-rows.ts';

export type UnsubscribeDeps = {
  /** Link-signing keys, newest first; more than one while a rotated-out key's links are still in inboxes. */
  linkKeys: readonly string[];
  /** Suppresses the person at once (marketing consent withdrawn). Must be idempotent: it may run more than once per link. */
  unsubscribe: (request: { person_id: string; send_id: string; at: Date }) => Promise<void>;
  clock: Clock;
  log?: (entry: Record<string, unknown>) => void;
  /** Where the unsubscribe is recorded for the KPIs (email_events); links signed before they carried the campaign are not. */
  facts?: FactQueue;
};

/**
 * The unsubscribe endpoint behind every email's List-Unsubscribe header and visible link
 * (`/unsubscribe?token=…`, signed-links.ts).
 *
 *   GET/HEAD  a confirmation page with a button; it changes nothing. Mail security scanners and
 *             link previewers fetch every URL in a message, so a GET that unsubscribed would
 *             unsubscribe people who never clicked (RFC 8058 §3.2 asks for POST for this reason).
 *   POST      unsubscribes, then answers 200 with a short page. Mail clients' one-click sends
 *             `List-Unsubscribe=One-Click` (urlencoded or multipart); the page's form sends the same.
 *             The body is not required: the signed token alone is the authority, and a client that
 *             sends an odd body must still be honoured.
 *   400       invalid, tampered or expired token (one answer whatever the reason); nothing done.
 *   503       the suppression could not be recorded; the client may retry.
 *
 * Pages show no personal data: whoever holds a forwarded email should learn nothing from them.
 */
export function createUnsubscribeEntry(deps: UnsubscribeDeps): HttpEntry {
  if (deps.linkKeys.length === 0) throw new Error('createUnsubscribeEntry: at least one link-signing key is needed');
  return async (request) => {
    const method = request.method.toUpperCase();
    if (method !== 'GET' && method !== 'HEAD' && method !== 'POST') {
      return page(405, 'Method not allowed', html`<h1>Method not allowed</h1><p>Open the link from the email.</p>`, { allow: 'GET, HEAD, POST' });
    }
    const token = request.query.get('token') ?? '';
    const payload = token === '' ? null : verifyToken(token, deps.linkKeys, deps.clock.now());
    if (!payload || payload.kind !== 'unsubscribe') {
      deps.log?.({ severity: 'WARNING', message: 'unsubscribe: invalid or expired link', method });
      return page(
        400,
        'Link not valid',
        html`<h1>This unsubscribe link is not valid</h1>
<p>It may have been cut short or have expired. Use the unsubscribe link in a recent email, or reply to it and ask to be removed.</p>`,
      );
    }

    if (method !== 'POST') {
      // A relative action keeps the token and the path prefix the request came with (GCP or embedded).
      return page(
        200,
        'Unsubscribe',
        html`<h1>Unsubscribe from these emails?</h1>
<p>You will no longer receive marketing emails from us.</p>
<form method="post" action="?token=${token}">
<input type="hidden" name="List-Unsubscribe" value="One-Click">
<button type="submit">Unsubscribe</button>
</form>`,
      );
    }

    const at = deps.clock.now();
    try {
      await deps.unsubscribe({ person_id: payload.person_id, send_id: payload.send_id, at });
    } catch (error) {
      deps.log?.({ severity: 'ERROR', message: 'unsubscribe: could not record the suppression', send_id: payload.send_id, error: String(error) });
      return page(503, 'Try again', html`<h1>Something went wrong</h1><p>We could not unsubscribe you just now. Please try again in a minute.</p>`, { 'retry-after': '30' });
    }
    if (deps.facts && payload.campaign_id) {
      const { send_id, person_id, campaign_id } = payload;
      // The withdrawal is done; a KPI row that cannot be queued must not turn it into an error page.
      await recordEmailEvents(deps.facts, [unsubscribeEventRow({ send_id, person_id, campaign_id }, at)]).catch((error: unknown) =>
        deps.log?.({ severity: 'WARNING', message: 'unsubscribe: email_events row not queued', send_id, error: error instanceof Error ? error.name : 'Error' }),
      );
    }
    deps.log?.({ severity: 'INFO', message: 'unsubscribe: done', send_id: payload.send_id });
    return page(200, 'Unsubscribed', html`<h1>You are unsubscribed</h1><p>You will no longer receive marketing emails from us.</p>`);
  };
}

function page(status: number, title: string, body: Html, headers: Record<string, string> = {}): HttpResponse {
  return htmlPageResponse(status, { title, body, headers });
}
