import { createHash } from 'node:crypto';
import { html, htmlPageResponse } from './html-page.ts';
import type { HttpEntry, HttpRequest, HttpResponse } from './http.ts';
import { verifyToken, type LinkTokenPayload } from '../pipelines/delivery/signed-links.ts';
import { classifyMachine, machineDefaults, type MachineSettings } from '../pipelines/engagement/classify-machine.ts';
import { firstPartyEvent, type EmailEvent } from '../pipelines/engagement/email-event.ts';
import type { Clock } from '../pipelines/shared/clock.ts';
import { recordEmailEvents, type FactQueue } from '../pipelines/warehouse/fact-rows.ts';

export type TrackDeps = {
  /** Link-signing keys, newest first (rotation: old links keep working). */
  linkKeys: readonly string[];
  /** Where the email_events row goes: the durable fact queue (Pub/Sub on GCP, the SQLite bus embedded). */
  facts: FactQueue;
  clock: Clock;
  log?: (entry: Record<string, unknown>) => void;
  /** Machine thresholds; default machineDefaults. */
  machine?: MachineSettings;
};

/**
 * A transparent 1×1 GIF89a, 43 bytes: header, logical screen 1×1 with a 2-colour table, a graphic
 * control extension marking colour 0 transparent, one image of one pixel, trailer.
 */
export const TRACKING_PIXEL: Buffer = Buffer.from(
  '474946383961' + // "GIF89a"
    '010001008000' + // 1×1, global colour table of 2 entries
    '000000ffffff' + // colours: black, white
    '21f904010000000000' + // graphic control extension: colour 0 transparent
    '2c000000000100010000' + // image descriptor: at 0,0, 1×1
    '0202440100' + // LZW min code size 2, one 2-byte block: the pixel, end of blocks
    '3b', // trailer
  'hex',
);

// The pixel is answered with these headers whatever the token: only the status tells valid from not.
const pixelHeaders: Record<string, string> = {
  'content-type': 'image/gif',
  // Every open must reach us: no browser, proxy or CDN may answer it from a cache.
  'cache-control': 'no-store, no-cache, must-revalidate, private, max-age=0',
  pragma: 'no-cache',
  expires: '0',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

const trackPath = /\/(c|o)\/([^/]*)$/;
const tokenShape = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/**
 * The first-party open pixel and click redirect (a campaign's `tracking: first_party`; links made
 * by pipelines/delivery/tracking-links.ts):
 *
 *   GET/HEAD /o/<token>.gif   200 and the pixel; 400 and the same pixel and headers when the token is
 *                             not a valid open token (tampered, expired, another kind).
 *   GET/HEAD /c/<token>       302 to exactly the URL signed in the token (http/https only); otherwise a
 *                             plain 400 page and never a redirect, so the endpoint cannot be made an
 *                             open redirector.
 *
 * Each valid hit queues one email_events row, machine hits included (is_machine, machine_reason).
 * A failure to queue it is logged and the person still gets their page: a lost row costs a count, a
 * broken link costs the shop a customer. Logs carry only the send id: no address, person, IP, agent
 * or URL. The path may sit under a prefix (a load balancer, a path-based host).
 */
export function createTrackEntry(deps: TrackDeps): HttpEntry {
  if (deps.linkKeys.length === 0) throw new Error('createTrackEntry: at least one link-signing key is needed');
  const machineSettings = deps.machine ?? machineDefaults;
  return async (request) => {
    const route = trackPath.exec(request.path);
    if (!route) return { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'not found\n' };
    const method = request.method.toUpperCase();
    if (method !== 'GET' && method !== 'HEAD') return { status: 405, headers: { 'content-type': 'text/plain; charset=utf-8', allow: 'GET, HEAD' }, body: 'method not allowed\n' };
    const kind = route[1] === 'o' ? 'open' : 'click';
    const segment = route[2]!;
    const token = kind === 'open' ? (segment.endsWith('.gif') ? segment.slice(0, -4) : '') : segment;
    const now = deps.clock.now();
    const payload = tokenShape.test(token) ? verifyToken(token, deps.linkKeys, now) : null;
    const valid = payload !== null && payload.kind === kind && payload.campaign_id !== undefined && (kind === 'open' || redirectTarget(payload) !== null);
    if (!valid) {
      deps.log?.({ severity: 'WARNING', message: 'track: invalid or expired link', kind });
      return kind === 'open' ? { status: 400, headers: { ...pixelHeaders }, body: TRACKING_PIXEL } : invalidLinkPage();
    }

    await queueRow(deps, emailEventOf({ kind, token, payload, request, method, now, machineSettings }));
    if (kind === 'open') return { status: 200, headers: { ...pixelHeaders }, body: TRACKING_PIXEL };
    return {
      status: 302,
      headers: { location: redirectTarget(payload)!, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer', 'content-type': 'text/plain; charset=utf-8' },
      body: '',
    };
  };
}

/** The signed destination, when it is an http(s) URL that can go in a header as it is; else null. */
function redirectTarget(payload: LinkTokenPayload): string | null {
  if (payload.url === undefined) return null;
  let parsed: URL;
  try {
    parsed = new URL(payload.url);
  } catch {
    return null;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return null;
  // Exactly what was signed; printable ASCII only, so it cannot break the header.
  return /^[\x21-\x7e]+$/.test(payload.url) ? payload.url : null;
}

function emailEventOf(hit: { kind: 'open' | 'click'; token: string; payload: LinkTokenPayload; request: HttpRequest; method: string; now: Date; machineSettings: MachineSettings }): EmailEvent {
  const { kind, payload, now } = hit;
  const userAgent = hit.request.headers['user-agent'];
  const verdict = classifyMachine(
    { kind, method: hit.method, userAgent, secondsSinceIssued: payload.iat === undefined ? null : (now.getTime() - payload.iat * 1000) / 1000 },
    hit.machineSettings,
  );
  // What identifies this request: the link, how and when it was fetched, by what. The same row
  // queued twice (a retried publish, a redelivery) keeps one key; another hit gets its own.
  const key = createHash('sha256').update(JSON.stringify([kind, hit.token, hit.method, now.toISOString(), userAgent ?? null])).digest('hex').slice(0, 32);
  return firstPartyEvent(
    {
      email_event_id: `first_party:${key}`,
      send_id: payload.send_id,
      campaign_id: payload.campaign_id!,
      person_id: payload.person_id,
      event_type: kind,
      is_machine: verdict.is_machine,
      machine_reason: verdict.machine_reason,
      url: kind === 'click' ? (payload.url ?? null) : null,
      link_index: kind === 'click' ? (payload.link_index ?? null) : null,
    },
    now,
  );
}

async function queueRow(deps: TrackDeps, row: EmailEvent): Promise<void> {
  try {
    await recordEmailEvents(deps.facts, [row]);
  } catch (error) {
    // The error's class only: a queue error's message could quote the row it failed to send.
    const reason = error instanceof Error ? error.name : typeof error;
    deps.log?.({ severity: 'ERROR', message: 'track: email event not queued; the hit is not counted', event_type: row.event_type, send_id: row.send_id, error: reason });
  }
}

function invalidLinkPage(): HttpResponse {
  return htmlPageResponse(400, {
    title: 'Link not valid',
    body: html`<h1>This link is not valid</h1>
<p>It may have been cut short or have expired. Please visit the shop directly.</p>`,
  });
}
