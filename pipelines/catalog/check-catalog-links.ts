import type { FieldError } from '../events/dead-letters.ts';

/** The catalog fields that emails turn into links and images. */
const linkFields = ['url', 'image_url'] as const;

/**
 * Catalog links must stay on the shop's own domains: every email shows them, so a catalog update
 * pointing at another site would make the shop mail that site to its customers. A host is
 * accepted when it is one of `shopHosts` or a subdomain of one (cdn.shop.example under
 * shop.example); https only, except plain http on a loopback shop for local development.
 * Returns one error per bad field, empty when all are fine; absent/null fields are not checked.
 */
export function checkCatalogLinks(properties: Readonly<Record<string, unknown>>, shopHosts: readonly string[]): FieldError[] {
  const errors: FieldError[] = [];
  for (const field of linkFields) {
    const value = properties[field];
    if (value === null || value === undefined) continue;
    const problem = linkProblem(value, shopHosts);
    if (problem) errors.push({ path: `properties.${field}`, message: problem });
  }
  return errors;
}

/** True for a link an email may carry: the same rule as for catalog links, checked again at send time. */
export function isShopLink(value: unknown, shopHosts: readonly string[]): value is string {
  return linkProblem(value, shopHosts) === null;
}

function linkProblem(value: unknown, shopHosts: readonly string[]): string | null {
  const allowed = shopHosts.join(', ');
  if (typeof value !== 'string') return 'Expected a URL string';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `Expected an absolute https URL on the shop's domains (${allowed})`;
  }
  const host = url.hostname.toLowerCase();
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(host))) {
    return `Expected an https URL (got ${url.protocol.replace(/:$/, '')})`;
  }
  if (!shopHosts.some((shopHost) => host === shopHost || host.endsWith(`.${shopHost}`))) {
    return `URL host ${host} is not one of the shop's domains (${allowed}); set NUDGE_SHOP_DOMAINS to allow it`;
  }
  return null;
}

function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host.endsWith('.localhost') || host === '[::1]' || /^127(?:\.\d{1,3}){3}$/.test(host);
}
