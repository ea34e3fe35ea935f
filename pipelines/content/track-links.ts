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
// Case-insensitive by spelling out [aA]… rather than the `i` flag (same matches for these ASCII
// letters, ~5× faster in V8), and sticky: tried only where "<a" or "<A" starts, as every match does,
// which indexOf finds far faster than the regex engine walking 30 kB of compiled HTML tag by tag.
const anchorHref = /(<(?:[aA]|[aA][rR][eE][aA])\b[^>]*?\s[hH][rR][eE][fF]\s*=\s*)(["'])([\s\S]*?)\2/y;

export function addTrackingToHtml(html: string, params: TrackingParams, skipUrls: ReadonlySet<string>): string {
  return rewriteHtmlLinks(html, (href) => addTracking(href, params, skipUrls));
}

export function addTrackingToText(text: string, params: TrackingParams, skipUrls: ReadonlySet<string>): string {
  return rewriteTextLinks(text, (url) => addTracking(url, params, skipUrls));
}

/** A link's new target, or undefined to leave it exactly as it was. Called in document order. */
export type LinkRewrite = (href: string) => string | undefined;

/**
 * The scan every link pass shares (utm parameters, first-party click tracking): `rewrite` sees each
 * <a>/<area> href decoded, and its answer is put back attribute-encoded.
 */
export function rewriteHtmlLinks(html: string, rewrite: LinkRewrite): string {
  let output = '';
  let copied = 0;
  let lower = html.indexOf('<a');
  let upper = html.indexOf('<A');
  while (lower >= 0 || upper >= 0) {
    const at = upper < 0 || (lower >= 0 && lower < upper) ? lower : upper;
    anchorHref.lastIndex = at;
    const match = anchorHref.exec(html);
    let next = at + 1;
    if (match) {
      const [whole, prefix, quote, value] = match as unknown as [string, string, string, string];
      const rewritten = rewrite(decodeAttribute(value));
      if (rewritten !== undefined) {
        output += `${html.slice(copied, at)}${prefix}${quote}${encodeAttribute(rewritten)}${quote}`;
        copied = at + whole.length;
      }
      next = at + whole.length;
    }
    if (lower >= 0 && lower < next) lower = html.indexOf('<a', next);
    if (upper >= 0 && upper < next) upper = html.indexOf('<A', next);
  }
  return copied === 0 ? html : output + html.slice(copied);
}

const bareUrl = /https?:\/\/[^\s<>"']+/g;
const trailingPunctuation = /[.,;:!?)\]]+$/;

/** The same for the bare http(s) URLs of a text part. */
export function rewriteTextLinks(text: string, rewrite: LinkRewrite): string {
  return text.replace(bareUrl, (match) => {
    // "…at https://shop.example/cart." — the full stop ends the sentence, not the URL.
    const tail = trailingPunctuation.exec(match)?.[0] ?? '';
    const url = match.slice(0, match.length - tail.length);
    return (rewrite(url) ?? url) + tail;
  });
}

/** The utm-tagged form of one link; undefined when it is skipped, not http(s), or not a URL. */
export function addTracking(href: string, params: TrackingParams, skipUrls: ReadonlySet<string>): string | undefined {
  if (skipUrls.has(href) || !/^https?:\/\//i.test(href)) return undefined;
  // Shop, product and image links repeat from email to email: parse each once per campaign arm.
  const key = `${params.utm_source}\u0000${params.utm_medium}\u0000${params.utm_campaign}\u0000${params.utm_content}\u0000${href}`;
  const known = trackedLinks.get(key);
  if (known !== undefined) return known ?? undefined;
  const tracked = parseAndTrack(href, params);
  if (trackedLinks.size >= trackedLinksLimit) trackedLinks.clear();
  trackedLinks.set(key, tracked ?? null);
  return tracked;
}

/** href (with the params) → tracked URL, or null when it is not a URL; bounded, cleared when full. */
const trackedLinks = new Map<string, string | null>();
const trackedLinksLimit = 4096;

function parseAndTrack(href: string, params: TrackingParams): string | undefined {
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

const attributeEntities: Record<string, string> = { '&': '&amp;', '"': '&quot;', "'": '&#39;', '<': '&lt;', '>': '&gt;' };
const attributeSpecial = /[&"'<>]/g;

/** One pass, and none for a value with nothing to escape (a signed redirect URL is [A-Za-z0-9_.:/-]). */
export function encodeAttribute(value: string): string {
  attributeSpecial.lastIndex = 0;
  if (!attributeSpecial.test(value)) return value;
  return value.replace(attributeSpecial, (char) => attributeEntities[char]!);
}

/** The escaping liquidjs's `escape` applies, to find an escaped value in rendered HTML. */
export function escapeHtml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&#34;').replace(/'/g, '&#39;');
}
