import { CLICK_PATH, LinkTokenPayload, MAX_LINK_INDEX, OPEN_PATH, signParsedToken, signToken, trackingBase, type LinkKey } from './signed-links.ts';
import { isShopLink } from '../catalog/check-catalog-links.ts';
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
  /**
   * The shop's domains: only links there get a click redirect. A signed redirect to anywhere else
   * would be an open redirect on the shop's tracking domain, reusable for a year — and some text
   * in an email comes from the shopper (a first name that is a URL, a product name).
   */
  shopHosts: readonly string[];
};

/**
 * The signed click and open links of one email, for the first-party tracking pass. The token carries
 * everything the endpoint writes (send, person, campaign, link position, destination), so the
 * endpoint needs no lookup and a forger can change none of it.
 */
export function createLinkTracking(deps: LinkTrackingDeps): LinkTracking {
  const iat = Math.floor(deps.now.getTime() / 1000);
  const common = { send_id: deps.send_id, person_id: deps.person_id, campaign_id: deps.campaign_id, iat, exp: iat + Math.round(deps.ttlDays * 86_400) };
  // The fields every link shares are checked once, by signing the pixel's token (which throws on a
  // bad one); per link only what differs, so a render signs its links at HMAC speed.
  const base = trackingBase(deps.baseUrl);
  const openPixelUrl = `${base}/${OPEN_PATH}/${signToken({ kind: 'open', ...common }, deps.key)}.gif`;
  return {
    clickUrl: (url, linkIndex) => {
      if (!isSignableUrl(url)) throw new Error('not a URL a click token can carry');
      if (!isShopLink(url, deps.shopHosts)) throw new Error("not a link to the shop's domains");
      if (!Number.isInteger(linkIndex) || linkIndex < 0 || linkIndex > MAX_LINK_INDEX) throw new RangeError(`link index ${linkIndex} out of range`);
      return `${base}/${CLICK_PATH}/${signParsedToken({ kind: 'click', ...common, url, link_index: linkIndex }, deps.key)}`;
    },
    openPixelUrl,
  };
}

/** URL → passes the token schema's url check; shop links repeat from email to email, so each is checked once (bounded, cleared when full). */
const signableUrls = new Map<string, boolean>();
const signableUrlsLimit = 4096;
const urlField = LinkTokenPayload.shape.url;

function isSignableUrl(url: string): boolean {
  let known = signableUrls.get(url);
  if (known === undefined) {
    known = urlField.safeParse(url).success;
    if (signableUrls.size >= signableUrlsLimit) signableUrls.clear();
    signableUrls.set(url, known);
  }
  return known;
}
