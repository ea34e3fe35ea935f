import { addTracking, encodeAttribute, rewriteHtmlLinks, rewriteTextLinks, type TrackingParams } from './track-links.ts';

/**
 * First-party open and click tracking (a campaign's `tracking: first_party`): every link a person
 * can click becomes nudge's click redirect, and the HTML gets an open pixel. It runs in the same
 * scan as the utm pass (track-links.ts), after it, so the redirect carries the utm-tagged URL the
 * shop's analytics expect; one scan rather than two keeps renders at their benchmarked speed.
 *
 * The signing is not done here: `LinkTracking` comes from the journey step, which knows the send,
 * the key and the clock (pipelines/delivery/tracking-links.ts). This pass only decides which links
 * and in what order.
 */
export type LinkTracking = {
  /** The redirect URL for a destination at a position (0 = first link). May throw: the link is then left utm-tagged. */
  clickUrl: (url: string, linkIndex: number) => string;
  /** The open pixel of this email. */
  openPixelUrl: string;
};

export type FirstPartyTrackingOptions = {
  params: TrackingParams;
  /** Links left alone (the unsubscribe link: a direct, signed link mail clients must reach). */
  skipUrls: ReadonlySet<string>;
  tracking: LinkTracking;
};

/**
 * Links are numbered in document order, the HTML first, then the text part's (which continue
 * after the HTML's), so each position names one link of the email whichever part was read.
 */
export function addFirstPartyTracking(parts: { html: string; text: string }, options: FirstPartyTrackingOptions): { html: string; text: string } {
  const { params, skipUrls, tracking } = options;
  let index = 0;
  const track = (href: string): string | undefined => {
    // addTracking leaves out exactly what the utm pass leaves out: skipped, non-http(s), unparseable.
    const tagged = addTracking(href, params, skipUrls);
    if (tagged === undefined) return undefined;
    try {
      return tracking.clickUrl(tagged, index++);
    } catch {
      return tagged;
    }
  };
  // The pixel first, into the HTML as rendered: the link scan would flatten it anyway, and the
  // pixel is an <img>, which the scan leaves alone.
  const html = rewriteHtmlLinks(addOpenPixel(parts.html, tracking.openPixelUrl), track);
  const text = rewriteTextLinks(parts.text, track);
  return { html, text };
}

/** Just before the last </body> (any case), where it loads last; at the end when there is none. */
export function addOpenPixel(html: string, pixelUrl: string): string {
  const pixel = `<img src="${encodeAttribute(pixelUrl)}" width="1" height="1" alt="">`;
  let at = html.lastIndexOf('</body>');
  // MJML writes lower case; other spellings are rare enough for a regex walk (not toLowerCase,
  // whose result can differ in length from the original and so give a wrong index).
  if (at < 0) for (const match of html.matchAll(/<\/body>/gi)) at = match.index;
  return at < 0 ? html + pixel : html.slice(0, at) + pixel + html.slice(at);
}
