import type { Clock } from '../../pipelines/shared/clock.ts';
import { readCappedBody } from './read-capped-body.ts';
import { ShopProduct, ShopProductsAnswer, shopProductIdOf } from './shop-product.ts';

/** What one request told us. `detail` is for logs (never holds the token); `reason` goes on decisions. */
export type ShopAttempt =
  | { ok: true; products: Map<string, ShopProduct | 'invalid'>; /** Entries with no readable id, ignored (logged). */ unreadableEntries?: number }
  | { ok: false; reason: string; retryable: boolean; retryAfterMs?: number; detail?: string };

export type ShopRequestDeps = {
  /** Without a trailing slash; may carry a path (https://shop.example/api/nudge). */
  baseUrl: string;
  token: string | null;
  fetch: typeof fetch;
  clock: Clock;
  maxResponseBytes: number;
};

/**
 * One `GET {baseUrl}/products?ids=…` given at most `timeoutMs`, after which it is aborted (the
 * body read included) and counts as a `timeout`. Never rejects. Retryable: timeouts, network
 * errors, 408, 429 (with its Retry-After) and 5xx — what a second try may cure. Other statuses
 * and answers we cannot read (`invalid_response`) would only repeat.
 *
 * Requested ids the answer leaves out are absent from `products` (unknown to the shop); a listed
 * product that breaks the contract is 'invalid'; entries that name no requested id (other
 * products, entries without an id or not objects at all) are ignored, except that an entry
 * without a readable id makes the requested ids the answer leaves out 'invalid' rather than
 * unknown (it may be one of them). Only an answer that is not `{"products": [...]}` is
 * `invalid_response` as a whole.
 */
export async function requestShopProducts(deps: ShopRequestDeps, ids: readonly string[], timeoutMs: number): Promise<ShopAttempt> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, Math.max(0, timeoutMs));
  try {
    const response = await deps.fetch(productsUrl(deps.baseUrl, ids), {
      headers: { accept: 'application/json', ...(deps.token ? { authorization: `Bearer ${deps.token}` } : {}) },
      signal: controller.signal,
      // A redirect is a misconfigured URL to fix, not something to follow with the token attached.
      redirect: 'manual',
    });
    if (response.status !== 200) {
      await response.body?.cancel().catch(() => {});
      const status = response.status;
      const retryable = status >= 500 || status === 429 || status === 408;
      const retryAfterMs = status === 429 || status === 503 ? parseRetryAfter(response.headers.get('retry-after'), deps.clock) : undefined;
      return { ok: false, reason: `http_${status}`, retryable, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
    }
    const body = await readCappedBody(response, deps.maxResponseBytes);
    if (body === 'too_large') return invalid(`body over ${deps.maxResponseBytes} bytes`);
    if (body === 'not_utf8') return invalid('body is not UTF-8');
    return readAnswer(body, ids);
  } catch (error) {
    if (timedOut) return { ok: false, reason: 'timeout', retryable: true };
    return { ok: false, reason: 'network', retryable: true, detail: describeNetworkError(error) };
  } finally {
    clearTimeout(timer);
  }
}

/** Ids are percent-encoded one by one, then joined with literal commas (docs/live-data.md). */
export function productsUrl(baseUrl: string, ids: readonly string[]): string {
  return `${baseUrl}/products?ids=${ids.map(encodeURIComponent).join(',')}`;
}

function readAnswer(body: string, ids: readonly string[]): ShopAttempt {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return invalid(`not JSON (starts ${JSON.stringify(body.slice(0, 40))})`);
  }
  const answer = ShopProductsAnswer.safeParse(json);
  if (!answer.success) {
    const issue = answer.error.issues[0]!;
    return invalid(`${issue.path.join('.') || 'answer'}: ${issue.message}`);
  }
  const wanted = new Set(ids);
  const products = new Map<string, ShopProduct | 'invalid'>();
  let unreadableEntries = 0;
  for (const raw of answer.data.products) {
    // An entry that names no requested id is ignored, however malformed: it cannot cost the others.
    const id = shopProductIdOf(raw);
    if (id === null) unreadableEntries += 1;
    // The first listing of an id counts; a repeat cannot overrule it.
    if (id === null || !wanted.has(id) || products.has(id)) continue;
    const product = ShopProduct.safeParse(raw);
    products.set(id, product.success ? product.data : 'invalid');
  }
  // An entry without a readable id may be a requested product, mangled: the ids the answer leaves
  // out cannot then be read as "unknown to the shop" (cached as such, the stale copy skipped), so
  // they fall back as invalid instead. The ids it does answer are used.
  if (unreadableEntries > 0) for (const id of wanted) if (!products.has(id)) products.set(id, 'invalid');
  return { ok: true, products, unreadableEntries };
}

function invalid(detail: string): ShopAttempt {
  return { ok: false, reason: 'invalid_response', retryable: false, detail };
}

/** Retry-After as delay-seconds or an HTTP date (RFC 9110 §10.2.3); undefined when unreadable. */
export function parseRetryAfter(value: string | null, clock: Clock): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - clock.now().getTime());
}

/** The cause's code (ECONNREFUSED, ECONNRESET, …) — never the URL or headers. */
function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause;
  if (cause && typeof cause.code === 'string') return cause.code;
  return error instanceof Error ? error.name : 'error';
}
