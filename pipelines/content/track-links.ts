/**
 * Campaign tracking parameters on every link, added by a pass over the rendered output rather than
 * a `track_link` filter: a filter is only as good as the template author's memory, whereas the pass
 * also covers links in shared layouts and partials and links a marketer adds later. It runs on the
 * rendered HTML (href attributes) and on the rendered text part (bare http(s) URLs).
 *
 * Left alone: the unsubscribe link (our own endpoint with a signed token, not a shop page),
 * mailto:/tel:/# links, and any utm_* parameter a link already sets (an explicit choice wins).
 */
export type TrackingParams = {
  utm_source: string;
  utm_medium: string;
  utm_campaign: string;
  utm_content: string;
};

export function trackingParams(campaignId: string, variantId: string): TrackingParams {
  return { utm_source: 'nudge', utm_medium: 'email', utm_campaign: campaignId, utm_content: variantId };
}

// Only <a> and <area> links: a <link href> is a stylesheet, not something a person clicks.
const anchorHref = /(<(?:a|area)\b[^>]*?\shref\s*=\s*)(["'])(.*?)\2/gis;

export function addTrackingToHtml(html: string, params: TrackingParams, skipUrls: ReadonlySet<string>): string {
  return html.replace(anchorHref, (whole, prefix: string, quote: string, value: string) => {
    const tracked = addTracking(decodeAttribute(value), params, skipUrls);
    return tracked === undefined ? whole : `${prefix}${quote}${encodeAttribute(tracked)}${quote}`;
  });
}

const bareUrl = /https?:\/\/[^\s<>"']+/g;
const trailingPunctuation = /[.,;:!?)\]]+$/;

export function addTrackingToText(text: string, params: TrackingParams, skipUrls: ReadonlySet<string>): string {
  return text.replace(bareUrl, (match) => {
    // "…at https://shop.example/cart." — the full stop ends the sentence, not the URL.
    const tail = trailingPunctuation.exec(match)?.[0] ?? '';
    const url = match.slice(0, match.length - tail.length);
    return (addTracking(url, params, skipUrls) ?? url) + tail;
  });
}

function addTracking(href: string, params: TrackingParams, skipUrls: ReadonlySet<string>): string | undefined {
  if (skipUrls.has(href) || !/^https?:\/\//i.test(href)) return undefined;
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return undefined;
  }
  for (const [name, value] of Object.entries(params)) {
    if (!url.searchParams.has(name)) url.searchParams.append(name, value);
  }
  return url.toString();
}

const entities: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#34;': '"', '&#39;': "'", '&apos;': "'" };

function decodeAttribute(value: string): string {
  return value.replace(/&(?:amp|lt|gt|quot|apos|#34|#39);/g, (entity) => entities[entity] ?? entity);
}

function encodeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/'/g, '&#39;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The escaping liquidjs's `escape` applies, to find an escaped value in rendered HTML. */
export function escapeHtml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&#34;').replace(/'/g, '&#39;');
}
