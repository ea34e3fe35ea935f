import { buildClickUrl, buildOpenPixelUrl, signToken, type LinkKey } from './signed-links.ts';
import type { LinkTracking } from '../content/first-party-tracking.ts';

export type LinkTrackingDeps = {
  /** Public base of the click and open endpoints (functions/track.ts). */
  baseUrl: string;
  key: LinkKey;
  send_id: string;
  person_id: string;
  campaign_id: string;
  /** The send's instant: `iat` of every token, from which the endpoint judges "too soon after delivery". */
  now: Date;
  /** Tracking links stop working (400) this long after sending. */
  ttlDays: number;
};

/**
 * The signed click and open links of one email, for the first-party tracking pass. The token carries
 * everything the endpoint writes (send, person, campaign, link position, destination), so the
 * endpoint needs no lookup and a forger can change none of it.
 */
export function createLinkTracking(deps: LinkTrackingDeps): LinkTracking {
  const iat = Math.floor(deps.now.getTime() / 1000);
  const common = { send_id: deps.send_id, person_id: deps.person_id, campaign_id: deps.campaign_id, iat, exp: iat + Math.round(deps.ttlDays * 86_400) };
  return {
    clickUrl: (url, linkIndex) => buildClickUrl(deps.baseUrl, signToken({ kind: 'click', ...common, url, link_index: linkIndex }, deps.key)),
    openPixelUrl: buildOpenPixelUrl(deps.baseUrl, signToken({ kind: 'open', ...common }, deps.key)),
  };
}
