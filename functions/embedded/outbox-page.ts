import { readFile } from 'node:fs/promises';
import { html, htmlPageResponse, type Html } from '../html-page.ts';
import type { HttpEntry, HttpResponse } from '../http.ts';
import { assertSendId } from '../../pipelines/delivery/send-ledger.ts';
import { isAllowedLocalHost } from './http-host-loopback.ts';
import { listOutbox, outboxPath, readOutboxEmail } from './outbox-mailer.ts';

/**
 * The embedded host's view of the outbox (issue 3: each email "is viewable, rendered, on a page"):
 *
 *   GET /outbox               every email, newest first: subject, to, date, links
 *   GET /outbox/<send_id>     the email's own HTML as the page, under a small bar (subject, from, to)
 *   GET /outbox/<send_id>.eml the raw RFC 5322 file, as a download
 *   GET /outbox/<send_id>.txt the plain-text part
 *
 * The email is shown as sent, so its HTML is served as it is, under a Content-Security-Policy
 * that runs no script and sandboxes the page into an opaque origin: a hostile value that slipped
 * into a template can do nothing here. Ids are checked against the send_id pattern before any
 * file is touched (outboxPath), so no path leaves the outbox.
 *
 * Mount it at "/outbox" and "/outbox/". It is a local developer tool: the host listens on
 * loopback and the page has no login.
 */

export const OUTBOX_PAGE_PATH = '/outbox';

/**
 * For the email view: no script at all, and a sandbox (opaque origin, no forms, no plugins) that
 * still lets links open. Images, styles and fonts may come from anywhere, as in a mail client.
 */
export const EMAIL_VIEW_CSP = [
  "default-src 'none'",
  "script-src 'none'",
  'img-src * data:',
  "style-src * 'unsafe-inline'",
  'font-src * data:',
  "form-action 'none'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  'sandbox allow-popups allow-popups-to-escape-sandbox allow-top-navigation-by-user-activation',
].join('; ');

/**
 * `allowedHosts`: names besides loopback ones the page answers to (the configured NUDGE_HOST);
 * any other Host header is refused (DNS rebinding, http-host-loopback.ts).
 */
export function createOutboxPageEntry(deps: { dataDir: string; allowedHosts?: readonly string[] }): HttpEntry {
  return async (request) => {
    if (!isAllowedLocalHost(request.headers.host, deps.allowedHosts)) {
      return { status: 403, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'The outbox is served only under a loopback host name (localhost, 127.0.0.1, [::1]).\n' };
    }
    const method = request.method.toUpperCase();
    if (method !== 'GET' && method !== 'HEAD') return notAllowed();
    const path = request.path.replace(/\/+$/, '');
    if (path === OUTBOX_PAGE_PATH) return listPage(deps.dataDir);
    if (!path.startsWith(`${OUTBOX_PAGE_PATH}/`)) return notFound();
    const match = /^(.+?)(\.eml|\.txt)?$/.exec(path.slice(OUTBOX_PAGE_PATH.length + 1));
    const send_id = match?.[1] ?? '';
    if (!isSendId(send_id)) return notFound();
    switch (match?.[2]) {
      case '.eml':
        return rawFile(deps.dataDir, send_id);
      case '.txt':
        return textPart(deps.dataDir, send_id);
      default:
        return emailView(deps.dataDir, send_id);
    }
  };
}

async function listPage(dataDir: string): Promise<HttpResponse> {
  const emails = await listOutbox(dataDir);
  const rows = emails.map(
    (email) => html`<tr>
<td><a href="${link(email.send_id, '')}">${email.subject || '(no subject)'}</a></td>
<td>${email.to}</td>
<td><time datetime="${email.date ?? ''}">${email.date ?? 'unknown'}</time></td>
<td><a href="${link(email.send_id, '')}">view</a> · <a href="${link(email.send_id, '.txt')}">text</a> · <a href="${link(email.send_id, '.eml')}" download>.eml</a></td>
</tr>`,
  );
  const body = html`<h1>Outbox</h1>
<p>${emails.length === 1 ? '1 email' : `${emails.length} emails`}, newest first. Each is a file under <code>outbox/</code> in the data directory.</p>
${emails.length === 0 ? html`<p>No email has been sent yet.</p>` : html`<table>
<thead><tr><th>Subject</th><th>To</th><th>Date</th><th>Links</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`}`;
  return htmlPageResponse(200, { title: 'Outbox', body });
}

async function emailView(dataDir: string, send_id: string): Promise<HttpResponse> {
  const email = await readOutboxEmail(dataDir, send_id);
  if (!email) return notFound();
  const bar = html`<div id="nudge-outbox-bar" style="all: initial; display: block; box-sizing: border-box; width: 100%; padding: 8px 12px; background: #1f2933; color: #f5f7fa; font: 13px/1.5 system-ui, -apple-system, 'Segoe UI', sans-serif;">
<a href="${OUTBOX_PAGE_PATH}" style="color: #9fb3c8;">← Outbox</a>
<div style="font-weight: 600;">${email.subject}</div>
<div>From: ${email.from}</div>
<div>To: ${email.to}</div>
<div>${email.date ?? ''} · <a href="${link(send_id, '.txt')}" style="color: #9fb3c8;">text part</a> · <a href="${link(send_id, '.eml')}" style="color: #9fb3c8;" download>.eml</a></div>
</div>`;
  const page = email.html === null ? plainDocument(bar, email.subject, email.text ?? '') : withBar(email.html, bar);
  return {
    status: 200,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': EMAIL_VIEW_CSP,
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
    },
    body: page,
  };
}

async function rawFile(dataDir: string, send_id: string): Promise<HttpResponse> {
  let bytes: Buffer;
  try {
    bytes = await readFile(outboxPath(dataDir, send_id));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return notFound();
    throw error;
  }
  return {
    status: 200,
    headers: {
      'content-type': 'message/rfc822',
      'content-disposition': `attachment; filename="${send_id}.eml"`,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    },
    body: bytes,
  };
}

async function textPart(dataDir: string, send_id: string): Promise<HttpResponse> {
  const email = await readOutboxEmail(dataDir, send_id);
  if (!email || email.text === null) return notFound();
  return {
    status: 200,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' },
    body: email.text,
  };
}

/** The bar goes right after <body …> so the email's own document (doctype, head, styles) stays intact. */
function withBar(emailHtml: string, bar: Html): string {
  const body = /<body\b[^>]*>/i.exec(emailHtml);
  if (!body) return bar.value + emailHtml;
  const at = body.index + body[0].length;
  return emailHtml.slice(0, at) + bar.value + emailHtml.slice(at);
}

function plainDocument(bar: Html, subject: string, text: string): string {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${subject}</title></head>
<body style="margin: 0;">${bar}<pre style="white-space: pre-wrap; padding: 12px; font: 14px/1.5 ui-monospace, monospace;">${text}</pre></body></html>
`.value;
}

function isSendId(value: string): boolean {
  try {
    assertSendId(value);
    return true;
  } catch {
    return false;
  }
}

function link(send_id: string, suffix: '' | '.eml' | '.txt'): string {
  return `${OUTBOX_PAGE_PATH}/${encodeURIComponent(send_id)}${suffix}`;
}

function notFound(): HttpResponse {
  return htmlPageResponse(404, { title: 'Not found', body: html`<h1>Not found</h1><p>No such email. <a href="${OUTBOX_PAGE_PATH}">Back to the outbox</a>.</p>` });
}

function notAllowed(): HttpResponse {
  return htmlPageResponse(405, { title: 'Method not allowed', body: html`<h1>Method not allowed</h1>`, headers: { allow: 'GET, HEAD' } });
}
