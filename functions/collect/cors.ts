/**
 * Browsers post from the shop's own origin. Write keys, not origins, authorise a request, so any
 * origin may call; credentials (cookies) are never needed and never allowed. The allowed headers
 * are the ones the SDKs send: X-Retry-Count (analytics-next, on retries — refusing it lost every
 * retried event) and AnonymousId (RudderStack's JS SDK).
 */
export function corsHeaders(origin: string | undefined): Record<string, string> {
  return {
    'access-control-allow-origin': origin || '*',
    'access-control-allow-methods': 'POST, OPTIONS',
    'access-control-allow-headers': 'authorization, content-type, content-encoding, x-retry-count, anonymousid',
    'access-control-max-age': '86400',
    vary: 'Origin',
  };
}
